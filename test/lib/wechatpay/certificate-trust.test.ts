import { describe, expect, it } from 'vitest';
import type { DevKeyPair } from '../../../dev/keys';
import {
  certificateDownloadVerifier,
  downloadSigningSerial,
  loadWechatpayKeys,
  SignatureMismatchError,
  trustedKeys,
  UnknownSerialError,
  type WechatpayKey,
} from '../../../lib/wechatpay';
import { certificateDownloadBody, certificateTimelineFixture, signedBy, TEST_API_V3_KEY } from '../../helpers/certificates';
import { fixedClock, WECHATPAY_KEY_ID, wechatpayKey } from '../../helpers/wechatpay';

const clock = fixedClock();
const now = clock();
const publicKeyPem = wechatpayKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const certs = certificateTimelineFixture(now);

const keys = (...certificates: DevKeyPair[]): Map<string, WechatpayKey> =>
  loadWechatpayKeys(Object.fromEntries(certificates.map((certificate) => [certificate.serial, certificate.certificatePem])));

describe('trustedKeys', () => {
  it('keeps public keys and certificates up to their end of validity, inclusive', () => {
    const all = loadWechatpayKeys({ [WECHATPAY_KEY_ID]: publicKeyPem, [certs.old.serial]: certs.old.certificatePem, [certs.expired.serial]: certs.expired.certificatePem });
    expect([...trustedKeys(all, now).keys()]).toEqual([WECHATPAY_KEY_ID, certs.old.serial]);
    const oldEnd = all.get(certs.old.serial)!.notAfter!;
    expect([...trustedKeys(all, oldEnd).keys()]).toContain(certs.old.serial);
    expect([...trustedKeys(all, oldEnd + 1).keys()]).not.toContain(certs.old.serial);
  });
});

describe('downloadSigningSerial', () => {
  it('names the trusted certificate valid longest', () => {
    expect(downloadSigningSerial(keys(certs.old, certs.next, certs.expired), now)).toBe(certs.next.serial);
    expect(downloadSigningSerial(keys(certs.next, certs.old), now)).toBe(certs.next.serial);
  });

  it('names a valid certificate before a public key listed first', () => {
    expect(downloadSigningSerial(loadWechatpayKeys({ [WECHATPAY_KEY_ID]: publicKeyPem, [certs.old.serial]: certs.old.certificatePem }), now)).toBe(certs.old.serial);
  });

  it('names a public key when no certificate is valid, and nothing when nothing is trusted', () => {
    expect(downloadSigningSerial(loadWechatpayKeys({ [certs.expired.serial]: certs.expired.certificatePem, [WECHATPAY_KEY_ID]: publicKeyPem }), now)).toBe(WECHATPAY_KEY_ID);
    expect(downloadSigningSerial(keys(certs.expired), now)).toBe('');
    expect(downloadSigningSerial(new Map(), now)).toBe('');
  });
});

describe('certificateDownloadVerifier', () => {
  const verifier = (trustedCertificates: DevKeyPair[]) =>
    certificateDownloadVerifier({ trusted: trustedKeys(keys(...trustedCertificates), now), apiV3Key: Buffer.from(TEST_API_V3_KEY), clock });

  it('first download: verifies with the certificate the answer carries', () => {
    const body = certificateDownloadBody([certs.next], TEST_API_V3_KEY);
    expect(verifier([]).verify(signedBy(certs.next, body, clock), Buffer.from(body))).toMatchObject({ serial: certs.next.serial });
  });

  it('first download: refuses a signature by a key the answer does not carry', () => {
    const body = certificateDownloadBody([certs.next], TEST_API_V3_KEY);
    expect(() => verifier([]).verify(signedBy(certs.old, body, clock), Buffer.from(body))).toThrow(UnknownSerialError);
  });

  it('with a trusted key: verifies with it, and the new certificate rides along', () => {
    const body = certificateDownloadBody([certs.old, certs.next], TEST_API_V3_KEY);
    expect(verifier([certs.old]).verify(signedBy(certs.old, body, clock), Buffer.from(body))).toMatchObject({ serial: certs.old.serial });
  });

  it('with a trusted key: a certificate the answer carries does not vouch for itself', () => {
    const body = certificateDownloadBody([certs.old, certs.next], TEST_API_V3_KEY);
    expect(() => verifier([certs.old]).verify(signedBy(certs.next, body, clock), Buffer.from(body))).toThrow(UnknownSerialError);
  });

  it('refuses a body altered after signing', () => {
    const body = certificateDownloadBody([certs.next], TEST_API_V3_KEY);
    const headers = signedBy(certs.next, body, clock);
    const altered = certificateDownloadBody([certs.next, certs.old], TEST_API_V3_KEY);
    expect(() => verifier([certs.next]).verify(headers, Buffer.from(altered))).toThrow(SignatureMismatchError);
  });

  it('knows the trusted serials only, in any case', () => {
    expect(verifier([certs.old]).knows(certs.old.serial.toLowerCase())).toBe(true);
    expect(verifier([certs.old]).knows(certs.next.serial)).toBe(false);
  });

  it('only expired certificates: as a first download, vouched for by a certificate the answer carries', () => {
    const body = certificateDownloadBody([certs.next], TEST_API_V3_KEY);
    expect(() => verifier([certs.expired]).verify(signedBy(certs.expired, body, clock), Buffer.from(body))).toThrow(UnknownSerialError);
    expect(verifier([certs.expired]).verify(signedBy(certs.next, body, clock), Buffer.from(body))).toMatchObject({ serial: certs.next.serial });
  });
});
