import { describe, expect, it } from 'vitest';
import type { DevKeyPair } from '../../../dev/keys';
import { loadWechatpayKeys, mergePlatformCertificates, readCertificateDownload } from '../../../lib/wechatpay';
import { certificateDownloadBody, certificateTimelineFixture, TEST_API_V3_KEY } from '../../helpers/certificates';
import { fixedClock, WECHATPAY_KEY_ID, wechatpayKey } from '../../helpers/wechatpay';

const clock = fixedClock();
const now = clock();
const publicKeyPem = wechatpayKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const certs = certificateTimelineFixture(now);

const downloaded = (...certificates: DevKeyPair[]) => readCertificateDownload(Buffer.from(certificateDownloadBody(certificates, TEST_API_V3_KEY)), Buffer.from(TEST_API_V3_KEY), clock).certificates;
const merge = (stored: Record<string, string>, ...certificates: DevKeyPair[]) => mergePlatformCertificates(stored, loadWechatpayKeys(stored), downloaded(...certificates), now);

describe('mergePlatformCertificates', () => {
  it('first download into an empty key set adds every certificate', () => {
    expect(merge({}, certs.old, certs.next)).toEqual({ keys: { [certs.old.serial]: certs.old.certificatePem, [certs.next.serial]: certs.next.certificatePem }, added: [certs.old.serial, certs.next.serial], removed: [] });
  });

  it('changes nothing when the download brings nothing new', () => {
    const stored = { [WECHATPAY_KEY_ID]: publicKeyPem, [certs.old.serial]: certs.old.certificatePem };
    expect(merge(stored, certs.old)).toEqual({ keys: stored, added: [], removed: [] });
  });

  it('a rotation adds the new certificate and keeps the old one while it is valid', () => {
    const merged = merge({ [certs.old.serial]: certs.old.certificatePem }, certs.old, certs.next);
    expect(merged.keys).toEqual({ [certs.old.serial]: certs.old.certificatePem, [certs.next.serial]: certs.next.certificatePem });
    expect(merged).toMatchObject({ added: [certs.next.serial], removed: [] });
  });

  it('drops expired certificates, keeps PUB_KEY_ID_ keys untouched, even when the download lists nothing', () => {
    const merged = merge({ [WECHATPAY_KEY_ID]: publicKeyPem, [certs.expired.serial]: certs.expired.certificatePem, [certs.old.serial]: certs.old.certificatePem });
    expect(merged).toEqual({ keys: { [WECHATPAY_KEY_ID]: publicKeyPem, [certs.old.serial]: certs.old.certificatePem }, added: [], removed: [certs.expired.serial] });
  });

  it('knows a stored certificate under a lower-case id, and keeps its id as stored', () => {
    const stored = { [certs.old.serial.toLowerCase()]: certs.old.certificatePem };
    expect(merge(stored, certs.old)).toEqual({ keys: stored, added: [], removed: [] });
  });

  it('keeps a stored certificate at the very millisecond its validity ends, drops it the next', () => {
    const stored = { [certs.old.serial]: certs.old.certificatePem };
    const end = loadWechatpayKeys(stored).get(certs.old.serial)!.notAfter!;
    expect(mergePlatformCertificates(stored, loadWechatpayKeys(stored), [], end)).toEqual({ keys: stored, added: [], removed: [] });
    expect(mergePlatformCertificates(stored, loadWechatpayKeys(stored), [], end + 1)).toEqual({ keys: {}, added: [], removed: [certs.old.serial] });
  });

  it('adds a certificate listed twice once', () => {
    expect(merge({}, certs.next, certs.next).added).toEqual([certs.next.serial]);
  });
});
