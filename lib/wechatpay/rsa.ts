import { sign, verify, type KeyObject } from 'node:crypto';

/** SHA256withRSA (PKCS#1 v1.5), base64: the only signature scheme of APIv3. */
export const signSha256WithRsa = (message: Buffer, privateKey: KeyObject): string => sign('sha256', message, privateKey).toString('base64');

export const verifySha256WithRsa = (message: Buffer, signature: Buffer, publicKey: KeyObject): boolean =>
  verify('sha256', message, publicKey, signature);
