/** The one ledger write SPEC requires before any 2xx, through the same DynamoDB client the functions use, and nothing of ours. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';

const ledger = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export async function writeLedgerItem(attributes: Record<string, unknown> = {}): Promise<void> {
  const names = Object.keys(attributes);
  await ledger.send(
    new UpdateCommand({
      TableName: process.env.LEDGER_TABLE,
      Key: { pk: `FLOOR#${randomUUID()}`, sk: 'FLOOR' },
      UpdateExpression: ['SET received_at = :at', ...names.map((_, i) => `#a${i} = :a${i}`)].join(', '),
      ...(names.length ? { ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])) } : {}),
      ExpressionAttributeValues: { ':at': new Date().toISOString(), ...Object.fromEntries(names.map((name, i) => [`:a${i}`, attributes[name]])) },
    }),
  );
}
