/**
 * How a (forged or genuine) notification reaches the notify handler: as an
 * API Gateway HTTP API or REST API event, plain or base64-encoded, with header
 * names in any case and irrelevant headers beside: none of which may change a verdict.
 */
import fc from 'fast-check';
import type { ProxyEvent } from '../../../lib/http/event';
import { httpApiEvent, restEvent } from '../../helpers/events';

/** What a sender puts on the wire. */
export interface Delivery {
  headers: Record<string, string>;
  body: string | Buffer;
  /** A header sent a second time with another value. */
  duplicate?: { name: string; value: string };
  /** The body's bytes passed off in another encoding than the event declares. */
  encoding?: EncodingConfusion;
}

export type EncodingConfusion = 'base64-sent-as-text' | 'text-flagged-base64' | 'double-base64';

export interface Transport {
  api: 'http' | 'rest';
  base64: boolean;
}

export interface Noise {
  nameCase: 'as-is' | 'lower' | 'upper' | 'alternating';
  extra: Record<string, string>;
}

export const transportArbitrary: fc.Arbitrary<Transport> = fc.record({ api: fc.constantFrom('http', 'rest'), base64: fc.boolean() });

const headerNameArbitrary = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz-'), minLength: 1, maxLength: 12 }).map((name) => `X-${name}`);

export const noiseArbitrary: fc.Arbitrary<Noise> = fc.record({
  nameCase: fc.constantFrom('as-is', 'lower', 'upper', 'alternating'),
  extra: fc.dictionary(headerNameArbitrary, fc.string({ maxLength: 40 }), { maxKeys: 3 }),
});

const recase = (name: string, nameCase: Noise['nameCase']): string => {
  if (nameCase === 'lower') return name.toLowerCase();
  if (nameCase === 'upper') return name.toUpperCase();
  if (nameCase === 'alternating') return [...name].map((char, index) => (index % 2 ? char.toUpperCase() : char.toLowerCase())).join('');
  return name;
};

export function withNoise(delivery: Delivery, noise: Noise): Delivery {
  const headers = Object.fromEntries(Object.entries(delivery.headers).map(([name, value]) => [recase(name, noise.nameCase), value]));
  return { ...delivery, headers: { ...noise.extra, ...headers } };
}

export function notifyEvent(delivery: Delivery, transport: Transport): ProxyEvent {
  const input = { headers: delivery.headers, body: delivery.body, base64: transport.base64 };
  const event = transport.api === 'http' ? httpApiEvent(input) : restEvent(input);
  if (delivery.duplicate) addDuplicate(event, delivery.duplicate);
  if (delivery.encoding) confuseEncoding(event, Buffer.from(delivery.body), delivery.encoding);
  return event;
}

/** HTTP API joins a repeated header's values with commas; REST API lists them in multiValueHeaders. */
function addDuplicate(event: ProxyEvent, { name, value }: { name: string; value: string }): void {
  const headers = event.headers as Record<string, string>;
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name.toLowerCase()) ?? name;
  if ('multiValueHeaders' in event) event.multiValueHeaders[key] = [headers[key] ?? '', value];
  else headers[key] = headers[key] === undefined ? value : `${headers[key]},${value}`;
}

function confuseEncoding(event: ProxyEvent, bytes: Buffer, encoding: EncodingConfusion): void {
  const base64 = bytes.toString('base64');
  const [body, isBase64Encoded] =
    encoding === 'base64-sent-as-text' ? [base64, false] : encoding === 'text-flagged-base64' ? [bytes.toString('utf8'), true] : [Buffer.from(base64).toString('base64'), true];
  event.body = body;
  event.isBase64Encoded = isBase64Encoded;
}
