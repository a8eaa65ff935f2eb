import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body bytes exactly as received: signatures cover them, not a re-serialisation. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sendJson(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

/** A JSON request body of a sandbox-only route; empty means `{}`. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  const text = (await readBody(request)).toString('utf8');
  return text.trim() === '' ? {} : JSON.parse(text);
}
