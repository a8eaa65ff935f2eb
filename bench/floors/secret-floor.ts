/**
 * Cold-start floor, bundled like a function: import only the Secrets Manager
 * client, fetch the account secret, parse its keys. Exports `handler` so the
 * same driver starts it as it starts ours.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createPrivateKey, createPublicKey } from 'node:crypto';

const client = new SecretsManagerClient({});

export async function handler(): Promise<{ statusCode: number }> {
  const output = await client.send(new GetSecretValueCommand({ SecretId: process.env.WECHATPAY_SECRET_ID }));
  const secret = JSON.parse(output.SecretString!) as { merchantPrivateKey: string; wechatpayPublicKeys: Record<string, string> };
  createPrivateKey(secret.merchantPrivateKey);
  // A certificate PEM yields its public key here too.
  for (const pem of Object.values(secret.wechatpayPublicKeys)) createPublicKey(pem);
  return { statusCode: 200 };
}
