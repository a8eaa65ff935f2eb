/** The account secret of SPEC "The secret", validated and parsed into key objects once. */
import type { KeyObject } from 'node:crypto';
import { apiV3KeyBytes, ConfigurationError, loadPrivateKey, loadWechatpayPublicKeys, Verifier, type Clock } from '../wechatpay';

export interface AccountCredentials {
  mchid: string;
  merchantSerialNo: string;
  merchantPrivateKey: KeyObject;
  apiV3Key: Buffer;
  /** By upper-case id: `PUB_KEY_ID_…` public keys and platform certificate serials. */
  wechatpayPublicKeys: ReadonlyMap<string, KeyObject>;
  /** The id sent as `Wechatpay-Serial` on requests: the public key when there is one, else a certificate. */
  preferredWechatpaySerial: string;
  verifier: Verifier;
}

function requiredString(secret: Record<string, unknown>, field: string, pattern?: RegExp, shape?: string): string {
  const value = secret[field];
  if (typeof value !== 'string' || value.length === 0) throw new ConfigurationError(field, 'is missing or not a string');
  if (pattern && !pattern.test(value)) throw new ConfigurationError(field, `must be ${shape}`);
  return value;
}

/** Parses a SecretString; errors name the bad field, never its value. */
export function parseAccountSecret(secretString: string, clock?: Clock): AccountCredentials {
  let secret: unknown;
  try {
    secret = JSON.parse(secretString);
  } catch {
    throw new ConfigurationError('SecretString', 'is not JSON: store the object of SPEC "The secret"');
  }
  if (typeof secret !== 'object' || secret === null || Array.isArray(secret)) {
    throw new ConfigurationError('SecretString', 'is not a JSON object');
  }
  const record = secret as Record<string, unknown>;
  const keys = record.wechatpayPublicKeys;
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
    throw new ConfigurationError('wechatpayPublicKeys', 'must be an object of key id → PEM');
  }
  const wechatpayPublicKeys = loadWechatpayPublicKeys(keys as Record<string, string>);
  const ids = [...wechatpayPublicKeys.keys()];
  return {
    mchid: requiredString(record, 'mchid', /^\d{1,32}$/, 'the digits of the merchant id'),
    merchantSerialNo: requiredString(record, 'merchantSerialNo', /^[0-9A-Fa-f]{1,40}$/, 'the hex serial number of the merchant API certificate'),
    merchantPrivateKey: loadPrivateKey(requiredString(record, 'merchantPrivateKey')),
    apiV3Key: apiV3KeyBytes(requiredString(record, 'apiV3Key')),
    wechatpayPublicKeys,
    preferredWechatpaySerial: ids.find((id) => id.startsWith('PUB_KEY_ID_')) ?? ids[0]!,
    verifier: new Verifier({ publicKeys: wechatpayPublicKeys, ...(clock ? { clock } : {}) }),
  };
}
