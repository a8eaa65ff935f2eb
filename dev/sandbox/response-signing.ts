import { randomBytes, type KeyObject } from 'node:crypto';
import { loadPrivateKey, SIGNATURE_PROBE_PREFIX, signResponse, type Body, type Clock } from '../../lib/wechatpay';
import type { DevWechatpayKeys } from '../keys';
import type { PlatformCertificates } from './platform-certificates';

/** Which id WeChat Pay names in `Wechatpay-Serial`; `both` alternates, as during a key migration. */
export type SigningMode = 'publicKey' | 'certificate' | 'both';

/** How a signed answer is spoiled on purpose (fault injection). */
export type SignatureFault = 'unsigned' | 'badSignature' | 'staleTimestamp';

/** Beyond the 300 s window that verifiers allow. */
const STALE_MS = 10 * 60_000;

interface SigningKey {
  serial: string;
  privateKey: KeyObject;
}

/**
 * Signs answers and notifications with the sandbox's WeChat Pay keys, through
 * lib/wechatpay's `signResponse`: the public key (its id), and in certificate
 * mode the newest platform certificate (see PlatformCertificates).
 */
export class ResponseSigning {
  readonly #publicKey: SigningKey;
  readonly #certificates: PlatformCertificates;
  readonly #kinds: readonly ('publicKey' | 'certificate')[];
  readonly #clock: Clock;
  #turn = 0;

  constructor(keys: DevWechatpayKeys, mode: SigningMode, clock: Clock, certificates: PlatformCertificates) {
    this.#publicKey = { serial: keys.publicKeyId, privateKey: loadPrivateKey(keys.key.privateKeyPem, 'wechatpay.key.privateKeyPem') };
    this.#certificates = certificates;
    this.#kinds = mode === 'both' ? ['publicKey', 'certificate'] : [mode];
    this.#clock = clock;
  }

  #nextKey(): SigningKey {
    const kind = this.#kinds[this.#turn % this.#kinds.length]!;
    this.#turn += 1;
    return kind === 'publicKey' ? this.#publicKey : this.#certificates.current();
  }

  /**
   * Signed with the key `requestedSerial` names (a request's `Wechatpay-Serial`)
   * while WeChat Pay still holds it, as WeChat Pay answers; otherwise as `headers` signs.
   */
  headersFor(requestedSerial: string | undefined, body: Body): Record<string, string> {
    const requested = requestedSerial === this.#publicKey.serial ? this.#publicKey : this.#certificates.find(requestedSerial ?? '');
    return requested ? { ...signResponse({ ...requested, clock: this.#clock }, body) } : this.headers(body);
  }

  /** The `Wechatpay-*` headers for `body`, spoiled as `fault` says. */
  headers(body: Body, fault?: SignatureFault): Record<string, string> {
    if (fault === 'unsigned') return {};
    const clock = fault === 'staleTimestamp' ? () => this.#clock() - STALE_MS : this.#clock;
    const { serial, privateKey } = this.#nextKey();
    const options = { serial, privateKey, clock };
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
