/**
 * The ledger calls SPEC requires, through the same DynamoDB client the functions use, and
 * nothing of ours: a notification's one write before its 2xx; a call's write-ahead (the exact
 * request, PENDING, claimed by a conditional put) and the write of its answer on the same item
 * ("the PENDING intent becomes the order"); a create's one read of what the ledger knows of
 * its sign plan (SPEC "Checks before WeChat Pay").
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';

const ledger = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export interface FloorKey {
  pk: string;
  sk: string;
}

export const floorKey = (): FloorKey => ({ pk: `FLOOR#${randomUUID()}`, sk: 'FLOOR' });

export async function writeLedgerItem(attributes: Record<string, unknown> = {}, key: FloorKey = floorKey()): Promise<void> {
  const names = Object.keys(attributes);
  await ledger.send(
    new UpdateCommand({
      TableName: process.env.LEDGER_TABLE,
      Key: key,
      UpdateExpression: ['SET received_at = :at', ...names.map((_, i) => `#a${i} = :a${i}`)].join(', '),
      ...(names.length ? { ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])) } : {}),
      ExpressionAttributeValues: { ':at': new Date().toISOString(), ...Object.fromEntries(names.map((name, i) => [`:a${i}`, attributes[name]])) },
    }),
  );
}

/** The write-ahead: the request as PENDING, only if its number is not taken (a repeat must not send twice). */
export async function writeAhead(key: FloorKey, request: string): Promise<void> {
  await ledger.send(
    new PutCommand({
      TableName: process.env.LEDGER_TABLE,
      Item: { ...key, request, status: 'PENDING', created_at: new Date().toISOString() },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** One consistent read of an item. */
export async function readLedgerItem(key: FloorKey): Promise<Record<string, unknown> | undefined> {
  return (await ledger.send(new GetCommand({ TableName: process.env.LEDGER_TABLE, Key: key, ConsistentRead: true }))).Item;
}
