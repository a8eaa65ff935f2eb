/**
 * Reference for the cold-start figure (no target): the secret floor plus the one
 * ledger write SPEC requires before any 2xx, through the same DynamoDB client.
 * Against it, what our own code adds to a cold start shows apart from what the SDK costs.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';

const secrets = new SecretsManagerClient({});
const ledger = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export async function handler(): Promise<{ statusCode: number }> {
  const output = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.WECHATPAY_SECRET_ID }));
  const secret = JSON.parse(output.SecretString!) as { merchantPrivateKey: string; wechatpayPublicKeys: Record<string, string> };
  createPrivateKey(secret.merchantPrivateKey);
  for (const pem of Object.values(secret.wechatpayPublicKeys)) createPublicKey(pem);
  await ledger.send(new UpdateCommand({ TableName: process.env.LEDGER_TABLE, Key: { pk: `FLOOR#${randomUUID()}` }, UpdateExpression: 'SET received_at = :at', ExpressionAttributeValues: { ':at': new Date().toISOString() } }));
  return { statusCode: 200 };
}
