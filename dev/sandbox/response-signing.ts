import { randomBytes, type KeyObject } from 'node:crypto';
import { loadPrivateKey, SIGNATURE_PROBE_PREFIX, signResponse, type Body, type Clock } from '../../lib/wechatpay';
import type { DevWechatpayKeys } from '../keys';

/** Which id WeChat Pay names in `Wechatpay-Serial`; `both` alternates, as during a key migration. */
export type SigningMode = 'publicKey' | 'certificate' | 'both';

/** How a signed answer is spoiled on purpose (fault injection). */
export type SignatureFault = 'unsigned' | 'badSignature' | 'staleTimestamp';

/** Beyond the 300 s window that verifiers allow. */
const STALE_MS = 10 * 60_000;

/** Signs answers and notifications with the sandbox's WeChat Pay key, through lib/wechatpay's `signResponse`. */
export class ResponseSigning {
  readonly #privateKey: KeyObject;
  readonly #serials: readonly string[];
  readonly #clock: Clock;
  #turn = 0;

  constructor(keys: DevWechatpayKeys, mode: SigningMode, clock: Clock) {
    this.#privateKey = loadPrivateKey(keys.key.privateKeyPem, 'wechatpay.key.privateKeyPem');
    this.#serials = { publicKey: [keys.publicKeyId], certificate: [keys.key.serial], both: [keys.publicKeyId, keys.key.serial] }[mode];
    this.#clock = clock;
  }

  #nextSerial(): string {
    const serial = this.#serials[this.#turn % this.#serials.length]!;
    this.#turn += 1;
    return serial;
  }

  /** The `Wechatpay-*` headers for `body`, spoiled as `fault` says. */
  headers(body: Body, fault?: SignatureFault): Record<string, string> {
    if (fault === 'unsigned') return {};
    const clock = fault === 'staleTimestamp' ? () => this.#clock() - STALE_MS : this.#clock;
    const options = { serial: this.#nextSerial(), privateKey: this.#privateKey, clock };
    const headers: Record<string, string> = { ...signResponse(options, body) };
    if (fault === 'badSignature') {
      // A genuine signature of other bytes: well-formed base64 that does not verify.
      headers['Wechatpay-Signature'] = signResponse(options, Buffer.concat([Buffer.from(body), Buffer.from(' ')]))['Wechatpay-Signature'];
    }
    return headers;
  }

  /** WeChat Pay's probe of whether the receiver verifies at all: a signature that is no signature. */
  probeHeaders(body: Body): Record<string, string> {
    return { ...this.headers(body), 'Wechatpay-Signature': `${SIGNATURE_PROBE_PREFIX}${randomBytes(32).toString('base64')}` };
  }
}
