/** Which keys vouch for a platform certificate download, and which key to ask WeChat Pay to sign it with. */
import type { KeyObject } from 'node:crypto';
import type { Clock } from './clock';
import { readCertificateDownload } from './certificate-download';
import { isPublicKeyId, type WechatpayKey } from './keys';
import { Verifier, type ResponseVerifier } from './verifier';

const validAt = (key: WechatpayKey, now: number): boolean => key.notAfter === undefined || now <= key.notAfter;

/** The keys still trusted at `now`: public keys, and certificates before their end of validity. */
export const trustedKeys = (keys: ReadonlyMap<string, WechatpayKey>, now: number): Map<string, KeyObject> =>
  new Map([...keys].filter(([, key]) => validAt(key, now)).map(([id, key]) => [id, key.publicKey]));

/**
 * The id to send as `Wechatpay-Serial` on the download: the trusted certificate
 * valid longest (WeChat Pay signs the answer with the key named, while it still
 * holds it), else a public key; empty when nothing is trusted yet.
 */
export function downloadSigningSerial(keys: ReadonlyMap<string, WechatpayKey>, now: number): string {
  const valid = [...keys].filter(([, key]) => validAt(key, now));
  const certificates = valid.filter(([id]) => !isPublicKeyId(id)).sort(([, a], [, b]) => b.notAfter! - a.notAfter!);
  return (certificates[0] ?? valid[0])?.[0] ?? '';
}

/**
 * Verifies a `GET /v3/certificates` answer. When the secret trusts a key, the
 * answer must verify with one of those: a new certificate is then vouched for
 * by a key already trusted, so the APIv3 key alone cannot introduce one. When
 * nothing is trusted yet (the first download), it must verify with one of the
 * certificates it carries, which only the holder of the APIv3 key could have
 * encrypted: the trust WeChat Pay's own SDKs start from.
 */
export function certificateDownloadVerifier(options: { trusted: ReadonlyMap<string, KeyObject>; apiV3Key: Buffer; clock: Clock }): ResponseVerifier {
  const { clock } = options;
  const verifierFor = (body: Uint8Array): Verifier => {
    if (options.trusted.size > 0) return new Verifier({ publicKeys: options.trusted, clock });
    const { certificates } = readCertificateDownload(body, options.apiV3Key, clock);
    return new Verifier({ publicKeys: new Map(certificates.map((certificate) => [certificate.serial, certificate.publicKey])), clock });
  };
  return {
    knows: (serial) => options.trusted.has(serial.toUpperCase()),
    verify: (headers, body) => verifierFor(body).verify(headers, body),
  };
}
