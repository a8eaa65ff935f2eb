/**
 * The local stack's ledger stream: the real Ledger writing through the proxy, each change a stream
 * record, consumed in order by the real publisher against the local EventBridge.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDynamoDb, type DynamoDbStandIn } from '../../../dev/aws/dynamodb';
import { startLedgerEvents, startLedgerStream, type LedgerEvents } from '../../../dev/stack/ledger-stream';
import type { ServiceOrderKey } from '../../../lib/ledger/keys';
import { Ledger } from '../../../lib/ledger/ledger';
import type { ReceivedNotification } from '../../../lib/ledger/notification-record';
import { localClientConfig } from '../aws/local-clients';

const TABLE = 'payscore-sign-plan-local-ledger';
const BUS = 'payscore-sign-plan-local-events';
let dynamoDb: DynamoDbStandIn;
let events: LedgerEvents;
let documents: DynamoDBDocumentClient;
let ledger: Ledger;
const lines: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  dynamoDb = await startDynamoDb({ tableName: TABLE });
  events = await startLedgerEvents({ dynamoDbUrl: dynamoDb.url, tableName: TABLE, eventBusName: BUS, onEvent: (line) => lines.push(line), onProblem: (line) => problems.push(line) });
  documents = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(events.url, { maxAttempts: 2 })), { marshallOptions: { removeUndefinedValues: true } });
  ledger = new Ledger({ client: documents, tableName: TABLE });
});
afterAll(async () => {
  documents?.destroy();
  await events?.close();
  await dynamoDb?.close();
});
beforeEach(() => {
  lines.length = 0;
  problems.length = 0;
  events.eventBridge.clear();
  events.eventBridge.failEntries(undefined);
});

const newOrder = (): ServiceOrderKey => ({ mchid: '1230000109', subMchid: '1900000109', outOrderNo: `OUT${randomUUID().replace(/-/g, '').slice(0, 16)}` });

function userPaid(key: ServiceOrderKey, id = `EV-${randomUUID()}`): ReceivedNotification {
  const text = JSON.stringify({ mchid: key.mchid, sub_mchid: key.subMchid, out_order_no: key.outOrderNo, order_id: 'ORDER-1', state: 'DONE', collection: { state: 'USER_PAID', total_amount: 2500, paying_amount: 0, paid_amount: 2500 } });
  return { id, eventType: 'PAYSCORE.USER_PAID', createTime: '2026-11-22T10:00:00+08:00', receivedAt: '2026-11-22T02:00:01.000Z', plaintext: { text, fields: JSON.parse(text) }, order: key, mchid: key.mchid };
}

const createOrder = (key: ServiceOrderKey) =>
  ledger.recordCreatedOrder({ key, request: '{}', response: JSON.stringify({ out_order_no: key.outOrderNo, state: 'CREATED' }), wechatpayRequestId: 'REQ-1', at: '2026-11-22T01:59:00.000Z' });

describe('the local ledger stream', () => {
  it("prints one line per event of the functions' writes, none for the notification item or a repeated write", async () => {
    const key = newOrder();
    await createOrder(key);
    const notification = userPaid(key, 'EV-PAID-1');
    await ledger.recordNotification(notification);
    // A second copy: recorded already, applied already: nothing changes, nothing is streamed.
    await ledger.recordNotification(notification);
    await events.drained();
    const [created, paid] = events.eventBridge.events;
    expect(lines).toEqual([
      `Service Order Created: 1230000109/1900000109 ${key.outOrderNo}, new → CREATED; from create REQ-1; event_id ${created!.detail.event_id}`,
      `Service Order Paid: 1230000109/1900000109 ${key.outOrderNo}, CREATED → DONE (collection USER_PAID), total_amount 2500, paying_amount 0, paid_amount 2500; from notification EV-PAID-1; event_id ${paid!.detail.event_id}`,
    ]);
    expect(events.eventBridge.events.map((event) => event.eventBusName)).toEqual([BUS, BUS]);
    expect(problems).toEqual([]);
  });

  it('retries the records the publisher reports, as Lambda does: the event arrives once EventBridge takes it', async () => {
    const key = newOrder();
    let refusals = 2;
    events.eventBridge.failEntries(() => refusals-- > 0);
    await createOrder(key);
    await events.drained();
    expect(events.eventBridge.calls.entries).toEqual([1, 1, 1]);
    expect(events.eventBridge.events.map((event) => [event.detailType, event.detail.out_order_no])).toEqual([['Service Order Created', key.outOrderNo]]);
    expect(problems.map((line) => JSON.parse(line).message)).toEqual([
      'ledger events not published; their records are reported for retry',
      'ledger events not published; their records are reported for retry',
    ]);
  });
});

describe('startLedgerStream', () => {
  it('gives up the records still reported after 10 retries, from the first reported on', async () => {
    const batches: string[][] = [];
    let givenUp: DynamoDBRecord[] = [];
    const stream = await startLedgerStream({
      target: dynamoDb.url,
      tableName: TABLE,
      retryDelayMs: 0,
      consume: async ({ Records }) => {
        batches.push(Records.map((record) => record.dynamodb!.NewImage!.sk!.S!));
        // The order's record is always reported, the notification's never.
        return { batchItemFailures: Records.filter((record) => record.dynamodb!.NewImage!.sk!.S === 'SERVICE_ORDER').map((record) => ({ itemIdentifier: record.dynamodb!.SequenceNumber! })) };
      },
      onGivenUp: (records) => (givenUp = records),
    });
    const client = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(stream.url, { maxAttempts: 2 })), { marshallOptions: { removeUndefinedValues: true } });
    await new Ledger({ client, tableName: TABLE }).recordNotification(userPaid(newOrder()));
    await stream.drained();
    client.destroy();
    await stream.close();
    const deliveries = batches.flat();
    // The order's record: once, then 10 retries; the notification's: once.
    expect(deliveries.filter((sk) => sk === 'SERVICE_ORDER')).toHaveLength(11);
    expect(deliveries.filter((sk) => sk.startsWith('NOTIFICATION#'))).toHaveLength(1);
    expect(givenUp.map((record) => record.dynamodb!.NewImage!.sk!.S)).toEqual(['SERVICE_ORDER']);
  });
});
