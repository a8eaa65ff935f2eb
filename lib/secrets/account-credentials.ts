/** The account secret of SPEC "The secret", validated and parsed into key objects once. */
import type { KeyObject } from 'node:crypto';
import { certificateExpiries, isPublicKeyId, loadWechatpayKeys, requirePublicKeys, Verifier, type Clock } from '../wechatpay';
import { accountFields, secretObject, storedWechatpayKeys, type AccountFields } from './secret-fields';

export interface AccountCredentials extends AccountFields {
  /** By upper-case id: `PUB_KEY_ID_…` public keys and platform certificate serials. */
  wechatpayPublicKeys: ReadonlyMap<string, KeyObject>;
  /** The id sent as `Wechatpay-Serial` on requests: the public key when there is one, else a certificate. */
  preferredWechatpaySerial: string;
  verifier: Verifier;
}

/** Parses a SecretString; errors name the bad field, never its value. WeChat Pay's keys must hold at least one. */
export function parseAccountSecret(secretString: string, clock?: Clock): AccountCredentials {
  const secret = secretObject(secretString);
  const keys = loadWechatpayKeys(storedWechatpayKeys(secret));
  const wechatpayPublicKeys = requirePublicKeys(keys);
  const ids = [...wechatpayPublicKeys.keys()];
  return {
    ...accountFields(secret),
    wechatpayPublicKeys,
    preferredWechatpaySerial: ids.find(isPublicKeyId) ?? ids[0]!,
    // Expired platform certificates stop verifying (see VerifierOptions.notAfter).
    verifier: new Verifier({ publicKeys: wechatpayPublicKeys, notAfter: certificateExpiries(keys), ...(clock ? { clock } : {}) }),
  };
}
