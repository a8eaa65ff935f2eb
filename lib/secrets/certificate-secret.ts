/**
 * The account secret as the platform certificate refresher reads and rewrites
 * it. Unlike `parseAccountSecret`, WeChat Pay's keys may be none yet
 * (`wechatpayPublicKeys` empty or absent): the state before the first download.
 */
import { loadWechatpayKeys, type WechatpayKey } from '../wechatpay';
import { accountFields, secretObject, storedWechatpayKeys, type AccountFields } from './secret-fields';

export interface CertificateSecret extends AccountFields {
  /** `wechatpayPublicKeys` as stored (`{}` when absent). */
  storedKeys: Record<string, string>;
  /** The same, loaded: by upper-case id. */
  keys: Map<string, WechatpayKey>;
  /** The secret with other keys, every other field kept as it is. */
  withKeys(keys: Record<string, string>): string;
}

export function parseCertificateSecret(secretString: string): CertificateSecret {
  const secret = secretObject(secretString);
  const storedKeys = storedWechatpayKeys(secret, { allowAbsent: true });
  return {
    ...accountFields(secret),
    storedKeys,
    keys: loadWechatpayKeys(storedKeys),
    withKeys: (keys) => JSON.stringify({ ...secret, wechatpayPublicKeys: keys }),
  };
}
