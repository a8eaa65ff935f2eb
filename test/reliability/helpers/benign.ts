/**
 * Changes to a genuine notification that are not forgeries: the same signed
 * bytes and headers, differently carried. Each must still be accepted, so the
 * forgery corpus cannot pass by rejecting everything.
 */
import fc from 'fast-check';
import type { ProxyEvent } from '../../../lib/http/event';
import { SIGNED_HEADERS, withHeaders, type Genuine, type SignedHeader } from './forgery-context';
import { noiseArbitrary, notifyEvent, transportArbitrary, withNoise, type Noise, type Transport } from './notify-events';

export interface Benign {
  /** The serial as sent, or the other id of the same WeChat Pay key (public key id ↔ certificate serial), in any case. */
  serial: 'as sent' | 'lower case' | 'other id of the same key' | 'other id, lower case';
  keepSignatureType: boolean;
  /** REST only: a signed header repeated with the same value. */
  sameValueTwice: SignedHeader | null;
  transport: Transport;
  noise: Noise;
}

export const benignArbitrary: fc.Arbitrary<Benign> = fc.record({
  serial: fc.constantFrom('as sent', 'lower case', 'other id of the same key', 'other id, lower case'),
  keepSignatureType: fc.boolean(),
  sameValueTwice: fc.option(fc.constantFrom(...SIGNED_HEADERS)),
  transport: transportArbitrary,
  noise: noiseArbitrary,
});

export function benignEvent(genuine: Genuine, benign: Benign, knownSerials: readonly string[]): ProxyEvent {
  const sent = genuine.headers['Wechatpay-Serial']!;
  const other = knownSerials.find((serial) => serial.toUpperCase() !== sent.toUpperCase())!;
  const serial = benign.serial.startsWith('other') ? other : sent;
  const delivery = withHeaders(genuine, {
    'Wechatpay-Serial': benign.serial.endsWith('lower case') ? serial.toLowerCase() : serial,
    ...(benign.keepSignatureType ? {} : { 'Wechatpay-Signature-Type': undefined }),
  });
  const twice = benign.sameValueTwice && benign.transport.api === 'rest' ? { duplicate: { name: benign.sameValueTwice, value: delivery.headers[benign.sameValueTwice]! } } : {};
  return notifyEvent(withNoise({ ...delivery, ...twice }, benign.noise), benign.transport);
}
