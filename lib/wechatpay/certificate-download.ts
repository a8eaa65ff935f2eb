/** `GET /v3/certificates`: WeChat Pay's platform certificates, each encrypted with the APIv3 key. */
import type { KeyObject } from 'node:crypto';
import { decryptAeadAes256Gcm, encryptAeadAes256Gcm } from './aead';
import { systemClock, type Clock } from './clock';
import { CertificateDownloadError, UnsupportedAlgorithmError } from './errors';
import { CERTIFICATE_SERIAL, readCertificate } from './keys';
import { NOTIFICATION_ALGORITHM } from './notification';
import { isJsonObject, parseJsonObject } from './json';

export const CERTIFICATES_PATH = '/v3/certificates';
/** The associated data WeChat Pay encrypts every platform certificate with. */
export const CERTIFICATE_ASSOCIATED_DATA = 'certificate';

/** A platform certificate from a download: decrypted, its serial checked, valid now. */
export interface DownloadedCertificate {
  /** As WeChat Pay lists it in `serial_no`: the id it sends in `Wechatpay-Serial`. */
  serial: string;
  pem: string;
  publicKey: KeyObject;
  /** Milliseconds since the epoch. */
  notAfter: number;
}

export interface CertificateDownload {
  certificates: DownloadedCertificate[];
  /** Listed, but outside their validity period now: not trusted. */
  skipped: { serial: string; reason: 'expired' | 'not yet valid' }[];
}

type Json = Record<string, unknown>;

function member(object: Json, name: string, path: string): string {
  const value = object[name];
  if (typeof value !== 'string' || value.length === 0) throw new CertificateDownloadError(`${path}.${name}`, 'must be a non-empty string');
  return value;
}

function entries(body: Uint8Array): unknown[] {
  const noData = () => new CertificateDownloadError('data', 'must be an array');
  const parsed = parseJsonObject(Buffer.from(body).toString('utf8'), { notJson: () => new CertificateDownloadError('body', 'is not JSON'), notObject: noData });
  if (!Array.isArray(parsed.data)) throw noData();
  return parsed.data;
}

function decryptEntry(entry: unknown, path: string, apiV3Key: Buffer): { serial: string; pem: string } {
  if (!isJsonObject(entry)) throw new CertificateDownloadError(path, 'must be an object');
  const serial = member(entry, 'serial_no', path);
  if (!CERTIFICATE_SERIAL.test(serial)) throw new CertificateDownloadError(`${path}.serial_no`, 'must be a hex certificate serial');
  const encrypted = entry.encrypt_certificate;
  const encryptedPath = `${path}.encrypt_certificate`;
  if (!isJsonObject(encrypted)) throw new CertificateDownloadError(encryptedPath, 'must be an object');
  const algorithm = member(encrypted, 'algorithm', encryptedPath);
  if (algorithm !== NOTIFICATION_ALGORITHM) throw new UnsupportedAlgorithmError(algorithm);
  if (encrypted.associated_data !== CERTIFICATE_ASSOCIATED_DATA) {
    throw new CertificateDownloadError(`${encryptedPath}.associated_data`, `must be "${CERTIFICATE_ASSOCIATED_DATA}"`);
  }
  const pem = decryptAeadAes256Gcm({
    key: apiV3Key,
    nonce: member(encrypted, 'nonce', encryptedPath),
    associatedData: CERTIFICATE_ASSOCIATED_DATA,
    ciphertext: member(encrypted, 'ciphertext', encryptedPath),
  }).toString('utf8');
  return { serial, pem };
}

/**
 * Decrypts and checks every certificate of a download: a certificate that is not
 * the one its `serial_no` names fails the whole download (it was altered, or is
 * not from WeChat Pay); one outside its validity period now is skipped. This
 * does not verify the answer's signature: see `certificateDownloadVerifier`.
 */
export function readCertificateDownload(body: Uint8Array, apiV3Key: Buffer, clock: Clock = systemClock): CertificateDownload {
  const now = clock();
  const download: CertificateDownload = { certificates: [], skipped: [] };
  entries(body).forEach((entry, index) => {
    const path = `data[${index}]`;
    const { serial, pem } = decryptEntry(entry, path, apiV3Key);
    let certificate;
    try {
      certificate = readCertificate(pem, serial, path);
    } catch (cause) {
      // readCertificate throws ConfigurationError only; here it is WeChat Pay's answer that is wrong.
      throw new CertificateDownloadError(path, `does not decrypt to a usable RSA certificate with serial ${serial}: altered, or not from WeChat Pay`, { cause });
    }
    if (now > certificate.notAfter) download.skipped.push({ serial, reason: 'expired' });
    else if (now < certificate.notBefore) download.skipped.push({ serial, reason: 'not yet valid' });
    else download.certificates.push({ serial: serial.toUpperCase(), pem, publicKey: certificate.publicKey, notAfter: certificate.notAfter });
  });
  return download;
}

export interface CertificateEntryContent {
  serial: string;
  pem: string;
  /** RFC 3339, as WeChat Pay writes them; informative (the certificate's own dates are what count). */
  effectiveTime: string;
  expireTime: string;
  apiV3Key: Buffer;
  /** 12 characters. */
  nonce: string;
}

/** One `data` entry as WeChat Pay sends it: for the sandbox and test helpers. */
export function createCertificateEntry(content: CertificateEntryContent): Record<string, unknown> {
  return {
    serial_no: content.serial,
    effective_time: content.effectiveTime,
    expire_time: content.expireTime,
    encrypt_certificate: {
      algorithm: NOTIFICATION_ALGORITHM,
      nonce: content.nonce,
      associated_data: CERTIFICATE_ASSOCIATED_DATA,
      ciphertext: encryptAeadAes256Gcm({ key: content.apiV3Key, nonce: content.nonce, associatedData: CERTIFICATE_ASSOCIATED_DATA, plaintext: content.pem }),
    },
  };
}
