/**
 * The only place that talks HTTP to WeChat Pay: node:http(s) with keep-alive
 * agents kept for the life of the container. Not `fetch`: loading undici lengthens
 * a cold start, and each warm call costs more (docs/performance.md).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Transport } from '../wechatpay';

/** Far above any WeChat Pay answer of these APIs; a larger one is not read into memory. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export class ResponseTooLargeError extends Error {
  constructor() {
    super(`response body exceeds ${MAX_RESPONSE_BYTES} bytes`);
  }
}

function readBody(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) response.destroy(new ResponseTooLargeError());
      else chunks.push(chunk);
    });
    response.once('end', () => resolve(Buffer.concat(chunks)));
    response.once('error', reject);
  });
}

export function nodeTransport(): Transport {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  return (url, { method, headers, body, signal }) =>
    new Promise((resolve, reject) => {
      const https = url.startsWith('https:');
      const options = { method, headers, signal, agent: https ? agents.https : agents.http };
      const fail = (error: unknown) => reject(signal.aborted ? signal.reason : error);
      const request = (https ? httpsRequest : httpRequest)(url, options, (response) => {
        readBody(response).then((received) => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: received }), fail);
      });
      request.once('error', fail);
      request.end(body);
    });
}
