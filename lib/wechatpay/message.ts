/** Bytes of a request or response body: strings are taken as UTF-8. */
export type Body = string | Uint8Array;

// Stryker disable next-line ConditionalExpression: copying the bytes (Buffer.from(body)) gives the same bytes; the view only avoids the copy.
const bytesOf = (body: Body): Buffer => (typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength));

/** `a\nb\n…\n`: every line, the body line too, ends in `\n`. */
function lines(head: readonly string[], body: Body): Buffer {
  return Buffer.concat([Buffer.from(head.map((line) => `${line}\n`).join('')), bytesOf(body), Buffer.from('\n')]);
}

/** The path and query of a URL, never its scheme or host; a bare path is taken as it is. */
export function canonicalUrl(url: string): string {
  if (!/^https?:\/\//i.test(url)) return url;
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/** The message a merchant signs: `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`. */
export function requestMessage(parts: { method: string; url: string; timestamp: number | string; nonce: string; body: Body }): Buffer {
  return lines([parts.method.toUpperCase(), canonicalUrl(parts.url), String(parts.timestamp), parts.nonce], parts.body);
}

/** The message WeChat Pay signs on responses and notifications: `TIMESTAMP\nNONCE\nRAW_BODY\n`. */
export function responseMessage(parts: { timestamp: number | string; nonce: string; body: Body }): Buffer {
  return lines([String(parts.timestamp), parts.nonce], parts.body);
}
