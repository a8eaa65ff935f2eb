/**
 * Decodes canonical base64 only. Node's own decoder skips invalid characters,
 * accepts the URL-safe alphabet and tolerates missing padding or stray bits, so
 * different strings could decode to the same bytes; WeChat Pay always sends
 * canonical, padded base64. A string is canonical exactly when re-encoding what
 * it decodes to gives it back (cheaper than a regular expression over a long ciphertext).
 */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length === 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
