/** Reading API Gateway proxy events: HTTP API (payload 2.0) and REST API (payload 1.0) alike. */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError } from '../errors';
import type { HeaderBag } from '../wechatpay';

export type ProxyEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

/**
 * The body's bytes exactly as sent (base64-decoded when API Gateway encoded
 * them): a signature covers them, so nothing is re-encoded. Anything over
 * `maxBytes` is refused before it is decoded.
 */
export function rawBody(event: ProxyEvent, maxBytes: number): Buffer {
  const text = event.body ?? '';
  // Base64 takes 4 characters for 3 bytes.
  if (text.length > (event.isBase64Encoded ? Math.ceil(maxBytes / 3) * 4 : maxBytes)) throw new PayloadTooLargeError(maxBytes);
  const body = Buffer.from(text, event.isBase64Encoded ? 'base64' : 'utf8');
  if (body.length > maxBytes) throw new PayloadTooLargeError(maxBytes);
  return body;
}

/** All headers, single- and multi-valued (REST `multiValueHeaders`), for case-insensitive lookup. */
export function eventHeaders(event: ProxyEvent): HeaderBag {
  const multi = 'multiValueHeaders' in event ? event.multiValueHeaders : undefined;
  const bag: Record<string, string | readonly string[] | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) bag[name] = value;
  for (const [name, values] of Object.entries(multi ?? {})) if (values) bag[name] = [...(typeof bag[name] === 'string' ? [bag[name] as string] : []), ...values];
  return bag;
}
