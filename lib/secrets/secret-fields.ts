/** Reading the fields of the account secret (SPEC "The secret"); errors name the bad field, never its value. */
import type { KeyObject } from 'node:crypto';
import { apiV3KeyBytes, CERTIFICATE_SERIAL, ConfigurationError, isJsonObject, loadPrivateKey, parseJsonObject } from '../wechatpay';

/** What signs and decrypts for the account: everything in the secret but WeChat Pay's keys. */
export interface AccountFields {
  mchid: string;
  merchantSerialNo: string;
  merchantPrivateKey: KeyObject;
  apiV3Key: Buffer;
}

/** The SecretString as the JSON object it must be. */
export const secretObject = (secretString: string): Record<string, unknown> =>
  parseJsonObject(secretString, {
    notJson: () => new ConfigurationError('SecretString', 'is not JSON: store the object of SPEC "The secret"'),
    notObject: () => new ConfigurationError('SecretString', 'is not a JSON object'),
  });

function requiredString(secret: Record<string, unknown>, field: string, pattern?: RegExp, shape?: string): string {
  const value = secret[field];
  if (typeof value !== 'string' || value.length === 0) throw new ConfigurationError(field, 'is missing or not a string');
  if (pattern && !pattern.test(value)) throw new ConfigurationError(field, `must be ${shape}`);
  return value;
}

export function accountFields(secret: Record<string, unknown>): AccountFields {
  return {
    mchid: requiredString(secret, 'mchid', /^\d{1,32}$/, 'the digits of the merchant id'),
    merchantSerialNo: requiredString(secret, 'merchantSerialNo', CERTIFICATE_SERIAL, 'the hex serial number of the merchant API certificate'),
    merchantPrivateKey: loadPrivateKey(requiredString(secret, 'merchantPrivateKey')),
    apiV3Key: apiV3KeyBytes(requiredString(secret, 'apiV3Key')),
  };
}

/** `wechatpayPublicKeys` as stored: an object of key id → PEM; absent reads as none when `allowAbsent`. */
export function storedWechatpayKeys(secret: Record<string, unknown>, { allowAbsent = false } = {}): Record<string, string> {
  const keys = secret.wechatpayPublicKeys;
  if (keys === undefined && allowAbsent) return {};
  if (!isJsonObject(keys)) throw new ConfigurationError('wechatpayPublicKeys', 'must be an object of key id → PEM');
  return keys as Record<string, string>;
}
