/** Platform certificates and `GET /v3/certificates` answers as WeChat Pay sends them, for tests. */
import { beforeAll } from 'vitest';
import { createPrivateKey } from 'node:crypto';
import { generateKeyPair, type DevKeyPair } from '../../dev/keys';
import { apiV3KeyBytes, createCertificateEntry, signResponse, type Clock } from '../../lib/wechatpay';

export const DAY_MS = 86_400_000;

/** A platform certificate valid from `notBefore` to `notAfter` (ms since the epoch). */
export const platformCertificate = (notBefore: number, notAfter: number): Promise<DevKeyPair> =>
  generateKeyPair({ commonName: 'Tenpay.com Root CA test', notBefore: new Date(notBefore), notAfter: new Date(notAfter) });

/** The body of a download listing `certificates`, each encrypted with `apiV3Key`. */
export function certificateDownloadBody(certificates: readonly DevKeyPair[], apiV3Key: string): string {
  const data = certificates.map((certificate) =>
    createCertificateEntry({ serial: certificate.serial, pem: certificate.certificatePem, effectiveTime: '', expireTime: '', apiV3Key: apiV3KeyBytes(apiV3Key), nonce: 'Kj7QIyUiYx1q' }),
  );
  return JSON.stringify({ data });
}

/** The `Wechatpay-*` headers of `body` signed with `signer`'s key under its serial. */
export const signedBy = (signer: Pick<DevKeyPair, 'serial' | 'privateKeyPem'>, body: string, clock: Clock): Record<string, string> => ({
  ...signResponse({ serial: signer.serial, privateKey: createPrivateKey(signer.privateKeyPem), clock }, body),
});

/** wechatpay-java's APIv3 key (test/fixtures/vectors/README.md). */
export const TEST_API_V3_KEY = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';

export interface CertificateTimeline {
  /** Valid for 30 more days: the certificate being replaced. */
  old: DevKeyPair;
  /** Valid for five years from yesterday: its replacement. */
  next: DevKeyPair;
  /** Expired yesterday. */
  expired: DevKeyPair;
}

export async function certificatesAround(now: number): Promise<CertificateTimeline> {
  const [old, next, expired] = await Promise.all([
    platformCertificate(now - 300 * DAY_MS, now + 30 * DAY_MS),
    platformCertificate(now - DAY_MS, now + 5 * 365 * DAY_MS),
    platformCertificate(now - 400 * DAY_MS, now - DAY_MS),
  ]);
  return { old: old!, next: next!, expired: expired! };
}

/** For the enclosing test file: `certificatesAround(now)`, generated once before its tests. */
export function certificateTimelineFixture(now: number): CertificateTimeline {
  const timeline = {} as CertificateTimeline;
  beforeAll(async () => {
    Object.assign(timeline, await certificatesAround(now));
  });
  return timeline;
}
