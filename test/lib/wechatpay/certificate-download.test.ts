import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  apiV3KeyBytes,
  CertificateDownloadError,
  createCertificateEntry,
  DecryptionError,
  readCertificateDownload,
  UnsupportedAlgorithmError,
} from '../../../lib/wechatpay';
import { readJsonVector } from '../../helpers/vectors';
import { thrown } from '../../helpers/errors';

/** wechatpay-java's DOWNLOAD_CERTIFICATE_RESPONSE: valid 2023-09-19 … 2028-09-17. */
const vector = readJsonVector<{ data: [Record<string, unknown> & { encrypt_certificate: Record<string, unknown> }] }>('wechatpay-java/download_certificate_response.json');
const VECTOR_SERIAL = '5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC';
const apiV3Key = Buffer.from('a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb');
const at = (iso: string) => () => Date.parse(iso);
const inValidity = at('2025-01-01T00:00:00Z');

const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const [entry] = vector.data;
const withEntry = (change: Record<string, unknown>, encrypted: Record<string, unknown> = {}) =>
  body({ data: [{ ...entry, ...change, encrypt_certificate: { ...entry.encrypt_certificate, ...encrypted } }] });

const downloadError = (input: Buffer) => thrown(CertificateDownloadError, () => readCertificateDownload(input, apiV3Key, inValidity));

describe('readCertificateDownload', () => {
  it('decrypts the wechatpay-java download to the certificate with serial_no 5DEA10EF…', () => {
    const download = readCertificateDownload(body(vector), apiV3Key, inValidity);
    expect(download.skipped).toEqual([]);
    expect(download.certificates).toHaveLength(1);
    const [certificate] = download.certificates;
    expect(certificate).toMatchObject({ serial: VECTOR_SERIAL, notAfter: Date.parse('2028-09-17T15:15:58Z') });
    expect(certificate!.pem).toContain('BEGIN CERTIFICATE');
    expect(certificate!.publicKey.asymmetricKeyType).toBe('rsa');
  });

  it('trusts a certificate from the first to the last millisecond of its validity, inclusive', () => {
    const notAfter = Date.parse('2028-09-17T15:15:58Z');
    const notBefore = Date.parse(new X509Certificate(readCertificateDownload(body(vector), apiV3Key, inValidity).certificates[0]!.pem).validFrom);
    for (const now of [notBefore, notAfter]) expect(readCertificateDownload(body(vector), apiV3Key, () => now).certificates).toHaveLength(1);
    expect(readCertificateDownload(body(vector), apiV3Key, () => notAfter + 1).skipped).toEqual([{ serial: VECTOR_SERIAL, reason: 'expired' }]);
    expect(readCertificateDownload(body(vector), apiV3Key, () => notBefore - 1).skipped).toEqual([{ serial: VECTOR_SERIAL, reason: 'not yet valid' }]);
  });

  it.each([`${VECTOR_SERIAL}Z`, `Z${VECTOR_SERIAL}`])('refuses the serial_no %s: not hex', (serial) => {
    const error = downloadError(withEntry({ serial_no: serial }));
    expect(error).toMatchObject({ field: 'data[0].serial_no', message: 'certificate download data[0].serial_no must be a hex certificate serial' });
  });

  it('skips a certificate outside its validity period, saying why', () => {
    expect(readCertificateDownload(body(vector), apiV3Key, at('2029-01-01T00:00:00Z'))).toEqual({ certificates: [], skipped: [{ serial: VECTOR_SERIAL, reason: 'expired' }] });
    expect(readCertificateDownload(body(vector), apiV3Key, at('2023-01-01T00:00:00Z')).skipped).toEqual([{ serial: VECTOR_SERIAL, reason: 'not yet valid' }]);
  });

  it('reads an empty list as no certificates', () => {
    expect(readCertificateDownload(body({ data: [] }), apiV3Key)).toEqual({ certificates: [], skipped: [] });
  });

  it.each([
    ['body', 'not JSON', body('<html>')],
    ['data', 'must be an array', body({ data: {} })],
    ['data', 'must be an array', body([])],
    ['data[0]', 'must be an object', body({ data: ['x'] })],
    ['data[0].serial_no', 'must be a non-empty string', withEntry({ serial_no: undefined })],
    ['data[0].serial_no', 'must be a hex certificate serial', withEntry({ serial_no: 'PUB_KEY_ID_01' })],
    ['data[0].encrypt_certificate', 'must be an object', body({ data: [{ ...entry, encrypt_certificate: 'x' }] })],
    ['data[0].encrypt_certificate.algorithm', 'must be a non-empty string', withEntry({}, { algorithm: '' })],
    ['data[0].encrypt_certificate.associated_data', 'must be "certificate"', withEntry({}, { associated_data: 'payscore' })],
    ['data[0].encrypt_certificate.nonce', 'must be a non-empty string', withEntry({}, { nonce: 1 })],
    ['data[0].encrypt_certificate.ciphertext', 'must be a non-empty string', withEntry({}, { ciphertext: undefined })],
  ])('names %s when it %s', (field, problem, input) => {
    const error = downloadError(input);
    expect(error).toMatchObject({ field, code: 'WECHATPAY_CERTIFICATE_DOWNLOAD_INVALID' });
    expect(error.message).toContain(problem);
  });

  it('refuses an algorithm other than AEAD_AES_256_GCM', () => {
    expect(() => readCertificateDownload(withEntry({}, { algorithm: 'AEAD_SM4_GCM' }), apiV3Key)).toThrow(UnsupportedAlgorithmError);
  });

  it('refuses a ciphertext altered or encrypted with another APIv3 key', () => {
    const ciphertext = entry.encrypt_certificate.ciphertext as string;
    const altered = `${ciphertext.slice(0, 10)}${ciphertext[10] === 'A' ? 'B' : 'A'}${ciphertext.slice(11)}`;
    expect(() => readCertificateDownload(withEntry({}, { ciphertext: altered }), apiV3Key)).toThrow(DecryptionError);
    expect(() => readCertificateDownload(body(vector), apiV3KeyBytes('b'.repeat(32)))).toThrow(DecryptionError);
  });

  it('refuses the whole download when a certificate is not the one its serial_no names', () => {
    const error = downloadError(withEntry({ serial_no: '440024045C4A427599D09BB4E3DE0279F2E813FD' }));
    expect(error.field).toBe('data[0]');
    expect((error.cause as Error).message).toContain(VECTOR_SERIAL);
  });

  it('refuses a ciphertext that decrypts to no certificate', () => {
    const garbage = createCertificateEntry({ serial: VECTOR_SERIAL, pem: 'not a certificate', effectiveTime: '', expireTime: '', apiV3Key, nonce: '14b16c03dc1b' });
    expect(downloadError(body({ data: [garbage] })).message).toContain('does not decrypt to a usable RSA certificate');
  });

  it('createCertificateEntry encrypts as WeChat Pay does: the vector round-trips', () => {
    const { certificates } = readCertificateDownload(body(vector), apiV3Key, inValidity);
    const rebuilt = createCertificateEntry({
      serial: VECTOR_SERIAL,
      pem: certificates[0]!.pem,
      effectiveTime: entry.effective_time as string,
      expireTime: entry.expire_time as string,
      apiV3Key,
      nonce: entry.encrypt_certificate.nonce as string,
    });
    expect(rebuilt).toEqual(entry);
  });
});
