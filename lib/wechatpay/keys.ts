import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { ConfigurationError } from './errors';

const PUBLIC_KEY_ID_PREFIX = 'PUB_KEY_ID_';
const MIN_RSA_BITS = 2048;

function requireRsa(key: KeyObject, field: string): KeyObject {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    throw new ConfigurationError(field, `must be an RSA key of at least ${MIN_RSA_BITS} bits, as WeChat Pay issues`);
  }
  return key;
}

/** The merchant API private key (`apiclient_key.pem`), PKCS#8 or PKCS#1 PEM, unencrypted. */
export function loadPrivateKey(pem: string, field = 'merchantPrivateKey'): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new ConfigurationError(field, 'is not an unencrypted PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY") PEM', { cause });
  }
  return requireRsa(key, field);
}

/** Certificate serials are hex; compare them without case or leading zeros. */
const normalizeSerial = (serial: string): string => serial.toUpperCase().replace(/^0+(?=.)/, '');

/** An X.509 certificate's public key, after checking that its serial is `serial`. */
export function loadCertificate(pem: string, serial: string, field: string): KeyObject {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (cause) {
    throw new ConfigurationError(field, 'is not an X.509 certificate PEM ("BEGIN CERTIFICATE")', { cause });
  }
  if (normalizeSerial(certificate.serialNumber) !== normalizeSerial(serial)) {
    throw new ConfigurationError(field, `holds the certificate with serial ${certificate.serialNumber}, not ${serial}: store each certificate under its own serial`);
  }
  return requireRsa(certificate.publicKey, field);
}

/** A WeChat Pay public key (SPKI PEM, "BEGIN PUBLIC KEY"). */
export function loadPublicKey(pem: string, field: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new ConfigurationError(field, 'is not an SPKI public key PEM ("BEGIN PUBLIC KEY")', { cause });
  }
  return requireRsa(key, field);
}

/**
 * WeChat Pay's keys by the id it sends in `Wechatpay-Serial`: `PUB_KEY_ID_…` ids
 * hold public keys, hex ids hold platform certificates. Both kinds may be
 * present at once (a migration signs callbacks with each). Ids are stored upper-case.
 */
export function loadWechatpayPublicKeys(keys: Readonly<Record<string, string>>, field = 'wechatpayPublicKeys'): Map<string, KeyObject> {
  const loaded = new Map<string, KeyObject>();
  for (const [id, pem] of Object.entries(keys)) {
    const entryField = `${field}.${id}`;
    if (typeof pem !== 'string') throw new ConfigurationError(entryField, 'must be a PEM string');
    if (id.startsWith(PUBLIC_KEY_ID_PREFIX)) {
      loaded.set(id.toUpperCase(), loadPublicKey(pem, entryField));
    } else if (/^[0-9A-Fa-f]{1,40}$/.test(id)) {
      loaded.set(id.toUpperCase(), loadCertificate(pem, id, entryField));
    } else {
      throw new ConfigurationError(entryField, `id must be a WeChat Pay public key id (${PUBLIC_KEY_ID_PREFIX}…) or a platform certificate serial (hex)`);
    }
  }
  if (loaded.size === 0) throw new ConfigurationError(field, 'holds no key: add the WeChat Pay public key or a platform certificate');
  return loaded;
}
