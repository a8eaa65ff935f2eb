import { DynamoDBClient, InternalServerError } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDynamoDb, type DynamoDbStandIn } from '../../../dev/aws/dynamodb';
import { startFaultProxy, type FaultProxy } from '../../../dev/aws/fault-proxy';
import { localClientConfig } from './local-clients';

const TABLE_NAME = 'ledger';

let dynamoDb: DynamoDbStandIn;
let proxy: FaultProxy;
/** Through the proxy; gives up after 200 ms, as a handler within its budget would. */
let viaProxy: DynamoDBDocumentClient;
/** Straight to dynalite: what the ledger really holds. */
let direct: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamoDb = await startDynamoDb({ tableName: TABLE_NAME });
  proxy = await startFaultProxy({ target: dynamoDb.url });
  viaProxy = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(proxy.url, { requestTimeoutMs: 200 })));
  direct = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(dynamoDb.url)));
});

afterAll(async () => {
  viaProxy?.destroy();
  direct?.destroy();
  await proxy?.close();
  await dynamoDb?.close();
});

beforeEach(() => proxy.set('pass'));

const put = (client: DynamoDBDocumentClient, pk: string) => client.send(new PutCommand({ TableName: TABLE_NAME, Item: { pk, sk: 'ITEM' } }));
const get = async (client: DynamoDBDocumentClient, pk: string) => (await client.send(new GetCommand({ TableName: TABLE_NAME, Key: { pk, sk: 'ITEM' }, ConsistentRead: true }))).Item;

describe('startFaultProxy', () => {
  it("passes requests through in mode 'pass'", async () => {
    expect(proxy.mode).toBe('pass');
    await put(viaProxy, 'pass');
    expect(await get(viaProxy, 'pass')).toEqual({ pk: 'pass', sk: 'ITEM' });
    expect(await get(direct, 'pass')).toEqual({ pk: 'pass', sk: 'ITEM' });
  });

  it("answers 500 InternalServerError in mode 'fail', without reaching the table; after recovery the retry lands", async () => {
    proxy.set('fail');
    expect(proxy.mode).toBe('fail');
    const error = await put(viaProxy, 'fail').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
    expect(await get(direct, 'fail')).toBeUndefined();

    proxy.set('pass');
    await put(viaProxy, 'fail');
    expect(await get(direct, 'fail')).toEqual({ pk: 'fail', sk: 'ITEM' });
  });

  it("never answers in mode 'hang', so the client times out, and forwards nothing", async () => {
    proxy.set('hang');
    await expect(put(viaProxy, 'hang')).rejects.toMatchObject({ name: 'TimeoutError' });
    proxy.set('pass');
    expect(await get(viaProxy, 'hang')).toBeUndefined();
  });

  it("forwards after the delay in mode 'delay'", async () => {
    proxy.set('delay', { delayMs: 20 });
    expect(proxy.mode).toBe('delay');
    await put(direct, 'delay');
    const patient = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(proxy.url)));
    expect(await get(patient, 'delay')).toEqual({ pk: 'delay', sk: 'ITEM' });
    patient.destroy();
  });

  it('lands a delayed write even when the client gave up on it, as DynamoDB may', async () => {
    proxy.set('delay', { delayMs: 1000 });
    await expect(put(viaProxy, 'late')).rejects.toMatchObject({ name: 'TimeoutError' });
    await vi.waitFor(async () => expect(await get(direct, 'late')).toEqual({ pk: 'late', sk: 'ITEM' }), { timeout: 5000, interval: 100 });
  });

  it('closes without waiting for hanging or delayed requests', async () => {
    const doomed = await startFaultProxy({ target: dynamoDb.url });
    const client = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(doomed.url)));
    doomed.set('hang');
    const hanging = put(client, 'closed');
    doomed.set('delay', { delayMs: 60_000 });
    const delayed = put(client, 'closed');
    await doomed.close();
    await expect(hanging).rejects.toThrow();
    await expect(delayed).rejects.toThrow();
    client.destroy();
  });
});
