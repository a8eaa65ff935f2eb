import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { ConfigurationError } from './errors';

export const PUBLIC_KEY_ID_PREFIX = 'PUB_KEY_ID_';

/** Whether a `Wechatpay-Serial` id names a WeChat Pay public key rather than a platform certificate. */
export const isPublicKeyId = (id: string): boolean => id.startsWith(PUBLIC_KEY_ID_PREFIX);
const MIN_RSA_BITS = 2048;

function requireRsa(key: KeyObject, field: string): KeyObject {
  // Stryker disable next-line OptionalChaining: Node gives every asymmetric key its details; only `modulusLength` may be absent (not RSA).
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    throw new ConfigurationError(field, `must be an RSA key of at least ${MIN_RSA_BITS} bits, as WeChat Pay issues`);
  }
  return key;
}

/** A PEM key read by `create`, which must be RSA; `problem` says what the PEM must be when `create` cannot read it. */
function loadRsaKey(create: (input: { key: string; format: 'pem' }) => KeyObject, pem: string, field: string, problem: string): KeyObject {
  let key: KeyObject;
  try {
    key = create({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new ConfigurationError(field, problem, { cause });
  }
  return requireRsa(key, field);
}

/** The merchant API private key (`apiclient_key.pem`), PKCS#8 or PKCS#1 PEM, unencrypted. */
export const loadPrivateKey = (pem: string, field = 'merchantPrivateKey'): KeyObject =>
  loadRsaKey(createPrivateKey, pem, field, 'is not an unencrypted PKCS#8 or PKCS#1 private key in PEM form: use apiclient_key.pem as downloaded');

/** A certificate serial as WeChat Pay and the merchant API certificate spell it: up to 40 hex digits. */
export const CERTIFICATE_SERIAL = /^[0-9A-Fa-f]{1,40}$/;

/** Certificate serials are hex; compare them without case or leading zeros. */
export const normalizeSerial = (serial: string): string => serial.toUpperCase().replace(/^0+(?=.)/, '');

/** An X.509 certificate's public key and validity period (ms since the epoch). */
export interface CertificateKey {
  publicKey: KeyObject;
  notBefore: number;
  notAfter: number;
}

/** Reads a certificate after checking that its serial is `serial`. */
export function readCertificate(pem: string, serial: string, field: string): CertificateKey {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (cause) {
    throw new ConfigurationError(field, 'is not an X.509 certificate PEM ("BEGIN CERTIFICATE")', { cause });
  }
  if (normalizeSerial(certificate.serialNumber) !== normalizeSerial(serial)) {
    throw new ConfigurationError(field, `holds the certificate with serial ${certificate.serialNumber}, not ${serial}: store each certificate under its own serial`);
  }
  return { publicKey: requireRsa(certificate.publicKey, field), notBefore: Date.parse(certificate.validFrom), notAfter: Date.parse(certificate.validTo) };
}

/** An X.509 certificate's public key, after checking that its serial is `serial`. */
export const loadCertificate = (pem: string, serial: string, field: string): KeyObject => readCertificate(pem, serial, field).publicKey;

/** A WeChat Pay public key (SPKI PEM, "BEGIN PUBLIC KEY"). */
export const loadPublicKey = (pem: string, field: string): KeyObject =>
  loadRsaKey(createPublicKey, pem, field, 'is not an SPKI public key PEM ("BEGIN PUBLIC KEY")');

/** One of WeChat Pay's keys; a platform certificate also says until when it is valid. */
export interface WechatpayKey {
  publicKey: KeyObject;
  /** Platform certificates only: end of validity, ms since the epoch. */
  notAfter?: number;
}

/**
 * WeChat Pay's keys by the id it sends in `Wechatpay-Serial`: `PUB_KEY_ID_…` ids
 * hold public keys, hex ids hold platform certificates. Both kinds may be
 * present at once (a migration signs callbacks with each). Ids are stored
 * upper-case. The set may be empty: see `loadWechatpayPublicKeys` for one that may not.
 */
export function loadWechatpayKeys(keys: Readonly<Record<string, string>>, field = 'wechatpayPublicKeys'): Map<string, WechatpayKey> {
  const loaded = new Map<string, WechatpayKey>();
  for (const [id, pem] of Object.entries(keys)) {
    const entryField = `${field}.${id}`;
    if (typeof pem !== 'string') throw new ConfigurationError(entryField, 'must be a PEM string');
    if (isPublicKeyId(id)) {
      loaded.set(id.toUpperCase(), { publicKey: loadPublicKey(pem, entryField) });
    } else if (CERTIFICATE_SERIAL.test(id)) {
      const { publicKey, notAfter } = readCertificate(pem, id, entryField);
      loaded.set(id.toUpperCase(), { publicKey, notAfter });
    } else {
      throw new ConfigurationError(entryField, `id must be a WeChat Pay public key id (${PUBLIC_KEY_ID_PREFIX}…) or a platform certificate serial (hex)`);
    }
  }
  return loaded;
}

/** The keys' end of validity by id, for the `Verifier`: certificates only. */
export const certificateExpiries = (keys: ReadonlyMap<string, WechatpayKey>): Map<string, number> =>
  new Map([...keys].flatMap(([id, key]) => (key.notAfter === undefined ? [] : [[id, key.notAfter] as const])));

/** The public keys by id. Throws unless there is at least one: a verifier without keys trusts nothing. */
export function requirePublicKeys(keys: ReadonlyMap<string, WechatpayKey>, field = 'wechatpayPublicKeys'): Map<string, KeyObject> {
  if (keys.size === 0) throw new ConfigurationError(field, 'holds no key: add the WeChat Pay public key or a platform certificate');
  return new Map([...keys].map(([id, key]) => [id, key.publicKey]));
}

/** `loadWechatpayKeys` reduced to the public keys, refusing an empty set. */
export const loadWechatpayPublicKeys = (keys: Readonly<Record<string, string>>, field = 'wechatpayPublicKeys'): Map<string, KeyObject> =>
  requirePublicKeys(loadWechatpayKeys(keys, field), field);
