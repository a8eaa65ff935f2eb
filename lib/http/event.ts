/** Reading API Gateway proxy events: HTTP API (payload 2.0) and REST API (payload 1.0) alike. */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HeaderBag } from '../wechatpay';

export type ProxyEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

/** The body's bytes exactly as sent: the signature covers them, so nothing is re-encoded. */
export function rawBody(event: ProxyEvent): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** All headers, single- and multi-valued (REST `multiValueHeaders`), for case-insensitive lookup. */
export function eventHeaders(event: ProxyEvent): HeaderBag {
  const multi = 'multiValueHeaders' in event ? event.multiValueHeaders : undefined;
  const bag: Record<string, string | readonly string[] | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) bag[name] = value;
  for (const [name, values] of Object.entries(multi ?? {})) if (values) bag[name] = [...(typeof bag[name] === 'string' ? [bag[name] as string] : []), ...values];
  return bag;
}
