/**
 * Reference for the cold-start figure (no target): the secret floor plus the one
 * ledger write SPEC requires before any 2xx, through the same DynamoDB client.
 * Against it, what our own code adds to a cold start shows apart from what the SDK costs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { handler as secretFloor } from './secret-floor';

const ledger = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export async function handler(): Promise<{ statusCode: number }> {
  await secretFloor();
  await ledger.send(new UpdateCommand({ TableName: process.env.LEDGER_TABLE, Key: { pk: `FLOOR#${randomUUID()}` }, UpdateExpression: 'SET received_at = :at', ExpressionAttributeValues: { ':at': new Date().toISOString() } }));
  return { statusCode: 200 };
}
