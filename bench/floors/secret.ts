/** What every contract floor starts with: the account secret from Secrets Manager, its keys parsed, and nothing of ours. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

const client = new SecretsManagerClient({});

export interface FloorSecret {
  mchid: string;
  merchantSerialNo: string;
  privateKey: KeyObject;
  /** WeChat Pay's keys by id, in the secret's order. */
  publicKeys: Array<[string, KeyObject]>;
}

export async function loadSecret(): Promise<FloorSecret> {
  const output = await client.send(new GetSecretValueCommand({ SecretId: process.env.WECHATPAY_SECRET_ID }));
  const secret = JSON.parse(output.SecretString!) as { mchid: string; merchantSerialNo: string; merchantPrivateKey: string; wechatpayPublicKeys: Record<string, string> };
  return {
    mchid: secret.mchid,
    merchantSerialNo: secret.merchantSerialNo,
    privateKey: createPrivateKey(secret.merchantPrivateKey),
    // A certificate PEM yields its public key here too.
    publicKeys: Object.entries(secret.wechatpayPublicKeys).map(([id, pem]) => [id, createPublicKey(pem)]),
  };
}
