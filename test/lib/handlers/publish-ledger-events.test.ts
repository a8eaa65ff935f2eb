/**
 * The ledger events publisher (SPEC "Events") on stream records made from real ledger writes: each
 * item written by the real Ledger on dynalite, its images before and after read back and streamed
 * as DynamoDB would (dynalite has no streams), published through the real EventBridge client to
 * the local EventBridge.
 */
import { EventBridgeClient, type PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsEnvironment } from '../../../dev/aws/environment';
import { EventBus } from '../../../lib/event-bus/event-bus';
import { eventId, ledgerEvent } from '../../../lib/events/ledger-events';
import { CALL_BUDGET_MS, publishLedgerEventsHandler } from '../../../lib/handlers/publish-ledger-events';
import { intentKey, notificationKey, planKey, serviceOrderKey, userSignPlanDetailKey, userSignPlanKey, type ServiceOrderKey, type UserSignPlanKey } from '../../../lib/ledger/keys';
import { Ledger, serviceOrderChange, userSignPlanChange, type StateChange } from '../../../lib/ledger/ledger';
import type { ReceivedNotification } from '../../../lib/ledger/notification-record';
import { PLAN_STATES, type ChangeSource } from '../../../lib/ledger/states';
import { lambdaContext } from '../../helpers/events';
import { EVENT_BUS_NAME, startLocalAws, type LocalAws } from '../../helpers/local-aws';
import { recordingLog, type RecordingLog } from '../../helpers/logs';
import { localClientConfig } from '../../dev/aws/local-clients';

const MCHID = '1230000109';
const SUB_MCHID = '1900000109';
let aws: LocalAws;
let ledger: Ledger;
let log: RecordingLog;
let handler: ReturnType<typeof publishLedgerEventsHandler>;

beforeAll(async () => {
  aws = await startLocalAws({});
  ledger = aws.ledger();
});
afterAll(() => aws.close());
beforeEach(() => {
  aws.eventBridge.clear();
  aws.eventBridge.failEntries(undefined);
  aws.eventBridge.fail(0);
  log = recordingLog();
  const bus = aws.eventBus();
  handler = publishLedgerEventsHandler(log, () => ({ bus }));
});

const unique = () => randomUUID().replace(/-/g, '').slice(0, 20);
const newOrder = (subMchid?: string): ServiceOrderKey => ({ mchid: MCHID, ...(subMchid === undefined ? {} : { subMchid }), outOrderNo: `OUT${unique()}` });
const newSignPlan = (): UserSignPlanKey => ({ mchid: MCHID, subMchid: SUB_MCHID, merchantSignPlanNo: `SP${unique()}` });

const paid = { state: 'USER_PAID', total_amount: 40000, paying_amount: 0, paid_amount: 40000, details: [{ seq: 1, amount: 40000, paid_type: 'NEWTON', paid_time: '20261122101010' }] };

function orderNotification(key: ServiceOrderKey, eventType: string, fields: Record<string, unknown>, createTime = '2026-11-22T10:00:00+08:00'): ReceivedNotification {
  const text = JSON.stringify({ mchid: key.mchid, ...(key.subMchid ? { sub_mchid: key.subMchid } : {}), out_order_no: key.outOrderNo, order_id: `ORDER-${key.outOrderNo}`, service_id: 'SERVICE-1', ...fields });
  return { id: `EV-${randomUUID()}`, eventType, createTime, receivedAt: '2026-11-22T02:00:01.000Z', plaintext: { text, fields: JSON.parse(text) }, order: key, mchid: key.mchid };
}
const confirmed = (key: ServiceOrderKey) => orderNotification(key, 'PAYSCORE.USER_CONFIRM', { state: 'DOING', state_description: 'USER_CONFIRM' });
const userPaid = (key: ServiceOrderKey, createTime?: string) => orderNotification(key, 'PAYSCORE.USER_PAID', { state: 'DONE', state_description: 'MCH_COMPLETE', collection: paid }, createTime);

/** What WeChat Pay answered a call (complete, cancel) or a query (sync, reconciliation), applied as the ledger does. */
function orderAnswer(key: ServiceOrderKey, fields: Record<string, unknown>, source: ChangeSource, at: string): StateChange {
  const text = JSON.stringify({ out_order_no: key.outOrderNo, ...fields });
  return serviceOrderChange(key, { text, fields: JSON.parse(text) }, { source, sourceId: `REQ-${source}`, at, tieBreak: source, receivedAt: at })!;
}

const createOrder = (key: ServiceOrderKey) =>
  ledger.recordCreatedOrder({
    key,
    request: JSON.stringify({ out_order_no: key.outOrderNo }),
    response: JSON.stringify({ out_order_no: key.outOrderNo, order_id: `ORDER-${key.outOrderNo}`, service_id: 'SERVICE-1', state: 'CREATED' }),
    wechatpayRequestId: 'REQ-create',
    at: '2026-11-22T01:59:00.000Z',
  });

/** The stream record of what `write` does to the order. */
const orderRecord = (key: ServiceOrderKey, write: () => Promise<unknown>) => aws.streamRecord(serviceOrderKey(key), write);

/** An invocation with a minute left, as the deployed function's timeout gives it. */
async function publish(records: DynamoDBRecord[]) {
  return handler({ Records: records }, lambdaContext(60_000));
}

/** The events published on the bus, as a consumer's rule receives them. */
const published = () => aws.eventBridge.events.map((event) => ({ source: event.source, detailType: event.detailType, detail: event.detail, eventBusName: event.eventBusName }));

describe('service order events', () => {
  it('Service Order Paid: the account, numbers, previous and new status, amounts, source and id, on the stack bus', async () => {
    const key = newOrder(SUB_MCHID);
    await createOrder(key);
    await ledger.recordNotification(confirmed(key));
    const notification = userPaid(key);
    const record = await orderRecord(key, () => ledger.recordNotification(notification));
    expect(await publish([record])).toEqual({ batchItemFailures: [] });
    const item = await aws.item(serviceOrderKey(key));
    expect(published()).toEqual([
      {
        source: 'payscore.sign-plan',
        detailType: 'Service Order Paid',
        eventBusName: EVENT_BUS_NAME,
        detail: {
          event_id: eventId(serviceOrderKey(key).pk, 'SERVICE_ORDER', item!.version as string),
          object: 'SERVICE_ORDER',
          account: { mchid: MCHID, sub_mchid: SUB_MCHID },
          out_order_no: key.outOrderNo,
          order_id: `ORDER-${key.outOrderNo}`,
          service_id: 'SERVICE-1',
          state: 'DONE',
          state_description: null,
          collection_state: 'USER_PAID',
          previous_state: 'DOING',
          previous_state_description: 'USER_CONFIRM',
          previous_collection_state: null,
          amounts: { total_amount: 40000, paying_amount: 0, paid_amount: 40000 },
          change: { source: 'notification', source_id: notification.id, changed_at: '2026-11-22T02:00:01.000Z' },
        },
      },
    ]);
    // EventBridge's own time is when the ledger recorded the change.
    expect(aws.eventBridge.events[0]!.time).toBe('2026-11-22T02:00:01.000Z');
  });

  it('each stage of an order, in order: Created, Confirmed, Completed, Paid', async () => {
    const key = newOrder();
    const records = [
      await orderRecord(key, () => createOrder(key)),
      await orderRecord(key, () => ledger.recordNotification(confirmed(key))),
      await orderRecord(key, () =>
        ledger.applyChange(orderAnswer(key, { state: 'DOING', state_description: 'MCH_COMPLETE', collection: { state: 'USER_PAYING', total_amount: 40000, paying_amount: 40000, paid_amount: 0 } }, 'complete', '2026-11-22T02:00:00.500Z')),
      ),
      await orderRecord(key, () => ledger.recordNotification(userPaid(key))),
    ];
    expect(await publish(records)).toEqual({ batchItemFailures: [] });
    expect(published().map(({ detailType, detail }) => [detailType, detail.previous_state, detail.state, detail.state_description, detail.collection_state, detail.change])).toEqual([
      ['Service Order Created', null, 'CREATED', null, null, { source: 'create', source_id: 'REQ-create', changed_at: '2026-11-22T01:59:00.000Z' }],
      ['Service Order Confirmed', 'CREATED', 'DOING', 'USER_CONFIRM', null, expect.objectContaining({ source: 'notification' })],
      ['Service Order Completed', 'DOING', 'DOING', 'MCH_COMPLETE', 'USER_PAYING', { source: 'complete', source_id: 'REQ-complete', changed_at: '2026-11-22T02:00:00.500Z' }],
      ['Service Order Paid', 'DOING', 'DONE', null, 'USER_PAID', expect.objectContaining({ source: 'notification' })],
    ]);
    expect(aws.eventBridge.events[2]!.detail.amounts).toEqual({ total_amount: 40000, paying_amount: 40000, paid_amount: 0 });
    expect(aws.eventBridge.calls.entries).toEqual([4]);
  });

  it.each([
    ['Service Order Cancelled', { state: 'REVOKED' }, 'cancel'],
    ['Service Order Expired', { state: 'EXPIRED' }, 'reconciliation'],
    ['Service Order Done', { state: 'DONE', need_collection: false }, 'sync'],
    ['Service Order In Progress', { state: 'DOING' }, 'sync'],
  ] as const)('%s', async (detailType, answer, source) => {
    const key = newOrder();
    await createOrder(key);
    const record = await orderRecord(key, () => ledger.applyChange(orderAnswer(key, answer, source, '2026-11-22T03:00:00.000Z')));
    await publish([record]);
    expect(published().map(({ detailType: type, detail }) => [type, detail.previous_state, detail.state, detail.change])).toEqual([
      [detailType, 'CREATED', answer.state, { source, source_id: `REQ-${source}`, changed_at: '2026-11-22T03:00:00.000Z' }],
    ]);
  });

  it('an order this system did not create: its first notification is its first event, previous state null', async () => {
    const key = newOrder();
    await publish([await orderRecord(key, () => ledger.recordNotification(userPaid(key)))]);
    expect(published().map(({ detailType, detail }) => [detailType, detail.previous_state, detail.previous_collection_state])).toEqual([['Service Order Paid', null, null]]);
  });

  it('amounts beyond 2^53 are published exactly as WeChat Pay wrote them', async () => {
    const key = newOrder();
    const text = `{"mchid":"${MCHID}","out_order_no":"${key.outOrderNo}","state":"DONE","collection":{"state":"USER_PAID","paid_amount":9007199254740993}}`;
    const notification: ReceivedNotification = { ...userPaid(key), plaintext: { text, fields: JSON.parse(text) } };
    const record = await orderRecord(key, () => ledger.recordNotification(notification));
    const event = ledgerEvent(record)!;
    expect(JSON.stringify(event.detail)).toContain('"amounts":{"paid_amount":9007199254740993}');
  });
});

describe('user sign plan and plan events', () => {
  const signPlanText = (key: UserSignPlanKey, signState: string, detailStates: string[]) =>
    JSON.stringify({
      mchid: key.mchid,
      sub_mchid: key.subMchid,
      merchant_sign_plan_no: key.merchantSignPlanNo,
      sign_plan_id: 'SIGNPLAN-1',
      plan_id: 'PLAN-1',
      service_id: 'SERVICE-1',
      going_detail_no: 1,
      sign_state: signState,
      signed_detail_list: detailStates.map((state, n) => ({
        plan_detail_no: n + 1,
        plan_detail_state: state,
        merchant_plan_detail_no: `D-${n + 1}`,
        original_price: 3000,
        actual_price: 2500,
        ...(state === 'USED' ? { order_id: 'ORDER-D1', actual_pay_price: 2500 } : {}),
      })),
    });
  const signPlanNotification = (key: UserSignPlanKey, eventType: string, signState: string, detailStates: string[], createTime: string): ReceivedNotification => {
    const text = signPlanText(key, signState, detailStates);
    return { id: `EV-${randomUUID()}`, eventType, createTime, receivedAt: '2026-11-22T02:00:01.000Z', plaintext: { text, fields: JSON.parse(text) }, order: undefined, signPlan: key, mchid: key.mchid };
  };
  const answered = (key: UserSignPlanKey, signState: string, source: ChangeSource, at: string) => {
    const text = signPlanText(key, signState, []);
    return userSignPlanChange(key, { text, fields: JSON.parse(text) }, { source, sourceId: `REQ-${source}`, at, tieBreak: source, receivedAt: at })!;
  };

  it('a user sign plan: Created, Signed, Cancelled; its details: none when NOT_USED, then Using, Used, Cancelled', async () => {
    const key = newSignPlan();
    const plan = userSignPlanKey(key);
    const detail = (n: number) => userSignPlanDetailKey(key, n);
    const items = [plan, detail(1), detail(2)];
    const records = [await aws.streamRecord(plan, () => ledger.applyChange(answered(key, 'UNSIGNED', 'create', '2026-11-22T01:00:00.000Z')))];
    // The sign plan and both its details, by one notification each: the details' first images are NOT_USED.
    const signing = signPlanNotification(key, 'PAYSCORE.USER_SIGN_PLAN', 'SIGNED', ['NOT_USED', 'NOT_USED'], '2026-11-22T10:00:00+08:00');
    records.push(...(await aws.streamRecords(items, () => ledger.recordNotification(signing))));
    // A newer USER_SIGN_PLAN: the sign plan stays SIGNED (no event), detail 1's order is open.
    const using = signPlanNotification(key, 'PAYSCORE.USER_SIGN_PLAN', 'SIGNED', ['USING', 'NOT_USED'], '2026-11-22T10:30:00+08:00');
    records.push(...(await aws.streamRecords(items, () => ledger.recordNotification(using))));
    const cancelling = signPlanNotification(key, 'PAYSCORE.USER_CANCEL_SIGN_PLAN', 'SIGN_PLAN_CANCEL', ['USED', 'SIGN_PLAN_DETAIL_CANCEL'], '2026-11-22T11:00:00+08:00');
    records.push(...(await aws.streamRecords(items, () => ledger.recordNotification(cancelling))));
    expect(records.map((record) => [record.eventName, record.dynamodb!.Keys!.sk!.S])).toEqual([
      ['INSERT', 'USER_SIGN_PLAN'],
      ['MODIFY', 'USER_SIGN_PLAN'],
      ['INSERT', 'DETAIL#0001'],
      ['INSERT', 'DETAIL#0002'],
      ['MODIFY', 'USER_SIGN_PLAN'],
      ['MODIFY', 'DETAIL#0001'],
      // Newer data, the same NOT_USED: a record, no event.
      ['MODIFY', 'DETAIL#0002'],
      ['MODIFY', 'USER_SIGN_PLAN'],
      ['MODIFY', 'DETAIL#0001'],
      ['MODIFY', 'DETAIL#0002'],
    ]);
    expect(await publish(records)).toEqual({ batchItemFailures: [] });
    expect(published().map(({ detailType, detail: body }) => [detailType, body.previous_state, body.state])).toEqual([
      ['User Sign Plan Created', null, 'UNSIGNED'],
      ['User Sign Plan Signed', 'UNSIGNED', 'SIGNED'],
      ['User Sign Plan Detail Using', 'NOT_USED', 'USING'],
      ['User Sign Plan Cancelled', 'SIGNED', 'SIGN_PLAN_CANCEL'],
      ['User Sign Plan Detail Used', 'USING', 'USED'],
      ['User Sign Plan Detail Cancelled', 'NOT_USED', 'SIGN_PLAN_DETAIL_CANCEL'],
    ]);
    const [created, , , cancelled, used] = aws.eventBridge.events;
    expect(created!.detail).toMatchObject({
      object: 'USER_SIGN_PLAN',
      account: { mchid: MCHID, sub_mchid: SUB_MCHID },
      merchant_sign_plan_no: key.merchantSignPlanNo,
      sign_plan_id: 'SIGNPLAN-1',
      plan_id: 'PLAN-1',
      change: { source: 'create', source_id: 'REQ-create' },
    });
    expect(cancelled!.detail.change).toEqual({ source: 'notification', source_id: cancelling.id, changed_at: '2026-11-22T02:00:01.000Z' });
    expect(used!.detail).toMatchObject({
      object: 'USER_SIGN_PLAN_DETAIL',
      merchant_sign_plan_no: key.merchantSignPlanNo,
      plan_detail_no: 1,
      merchant_plan_detail_no: 'D-1',
      order_id: 'ORDER-D1',
      amounts: { original_price: 3000, actual_price: 2500, actual_pay_price: 2500 },
    });
  });

  it.each([
    ['User Sign Plan Completed', 'COMPLETE'],
    ['User Sign Plan Expired', 'EXPIRE'],
  ])('%s', async (detailType, state) => {
    const key = newSignPlan();
    await ledger.applyChange(answered(key, 'SIGNED', 'create', '2026-11-22T01:00:00.000Z'));
    await publish([await aws.streamRecord(userSignPlanKey(key), () => ledger.applyChange(answered(key, state, 'reconciliation', '2026-11-22T05:00:00.000Z')))]);
    expect(published().map(({ detailType: type, detail }) => [type, detail.previous_state, detail.state, detail.change])).toEqual([
      [detailType, 'SIGNED', state, { source: 'reconciliation', source_id: 'REQ-reconciliation', changed_at: '2026-11-22T05:00:00.000Z' }],
    ]);
  });

  it('a plan: Plan Created, then Plan Stopped, with its prices', async () => {
    const key = { mchid: MCHID, merchantPlanNo: `PLAN${unique()}` };
    const change = (state: string, source: ChangeSource, at: string): StateChange => ({
      item: planKey(key),
      kind: 'PLAN',
      machine: PLAN_STATES,
      order: { state, at, tieBreak: source },
      identity: { mchid: MCHID, merchant_plan_no: key.merchantPlanNo },
      data: {},
      once: { plan_id: 'PLAN-ID-1', total_original_price: 9000, total_actual_price: 7500 },
      source,
      sourceId: `REQ-${source}`,
      receivedAt: at,
    });
    const records = [
      await aws.streamRecord(planKey(key), () => ledger.applyChange(change('NORMAL', 'create', '2026-11-22T01:00:00.000Z'))),
      await aws.streamRecord(planKey(key), () => ledger.applyChange(change('STOP', 'stop', '2026-11-22T02:00:00.000Z'))),
    ];
    await publish(records);
    expect(published().map(({ detailType, detail }) => [detailType, detail.previous_state, detail.state, detail.merchant_plan_no, detail.plan_id, detail.account])).toEqual([
      ['Plan Created', null, 'NORMAL', key.merchantPlanNo, 'PLAN-ID-1', { mchid: MCHID }],
      ['Plan Stopped', 'NORMAL', 'STOP', key.merchantPlanNo, 'PLAN-ID-1', { mchid: MCHID }],
    ]);
    expect(aws.eventBridge.events[1]!.detail.amounts).toEqual({ total_original_price: 9000, total_actual_price: 7500 });
  });
});

describe('what publishes nothing', () => {
  it('a notification item, an intent, a newer message in the same status, a late create answer: no event, nothing reported', async () => {
    const key = newOrder();
    const first = userPaid(key, '2026-11-22T10:00:00+08:00');
    const records = [
      await aws.streamRecord(notificationKey(serviceOrderKey(key), first.id), () => ledger.recordNotification(first)),
      await aws.streamRecord(intentKey(serviceOrderKey(key), 'cancel'), () =>
        ledger.writeIntent({ object: serviceOrderKey(key), account: key, operation: 'cancel', method: 'POST', path: '/v3/payscore/serviceorder/x/cancel', request: '{}', at: '2026-11-22T02:10:00.000Z' }),
      ),
      // A later USER_PAID copy in the same DONE / USER_PAID: the ledger moves its version, not its status.
      await orderRecord(key, () => ledger.recordNotification(userPaid(key, '2026-11-22T10:30:00+08:00'))),
      // The create answer after the notification: it adds what only it knows, the state stays.
      await orderRecord(key, () => createOrder(key)),
    ];
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'INSERT', 'MODIFY', 'MODIFY']);
    expect(records[2]!.dynamodb!.NewImage!.version).not.toEqual(records[2]!.dynamodb!.OldImage!.version);
    expect(await publish(records)).toEqual({ batchItemFailures: [] });
    expect(aws.eventBridge.calls.PutEvents).toBe(0);
    expect(log.lines.find((line) => line.message === 'ledger events published')?.attributes).toMatchObject({ records: 4, events: 0, put_events_calls: 0 });
  });
});

describe('the event id', () => {
  it('is the same on every delivery of a change (a retried batch), and differs between changes', async () => {
    const key = newOrder();
    const created = await orderRecord(key, () => createOrder(key));
    const paidRecord = await orderRecord(key, () => ledger.recordNotification(userPaid(key)));
    await publish([created, paidRecord]);
    await publish([created, paidRecord]);
    const ids = aws.eventBridge.events.map((event) => event.detail.event_id);
    expect(ids).toHaveLength(4);
    expect(ids[2]).toBe(ids[0]);
    expect(ids[3]).toBe(ids[1]);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    // EventBridge's own ids are new each time: only event_id tells a duplicate.
    expect(aws.eventBridge.events[2]!.id).not.toBe(aws.eventBridge.events[0]!.id);
  });
});

describe('failures: reported records are retried, the others are not sent again', () => {
  /** `count` orders' Paid changes, each the notification item's record and its order's, as the stream has them. */
  async function paidBatch(count: number) {
    const keys = Array.from({ length: count }, () => newOrder());
    const records: DynamoDBRecord[] = [];
    for (const key of keys) {
      const notification = userPaid(key);
      records.push(...(await aws.streamRecords([notificationKey(serviceOrderKey(key), notification.id), serviceOrderKey(key)], () => ledger.recordNotification(notification))));
    }
    return { keys, records, orders: records.filter((record) => record.dynamodb!.Keys!.sk!.S === 'SERVICE_ORDER') };
  }
  const sequenceNumbers = (records: DynamoDBRecord[]) => records.map((record) => ({ itemIdentifier: record.dynamodb!.SequenceNumber! }));

  it('an entry that fails: its record and every later one are reported, the earlier ones not', async () => {
    const { keys, records } = await paidBatch(5);
    aws.eventBridge.failEntries((entry) => entry.detail.out_order_no === keys[2]!.outOrderNo);
    const answer = await publish(records);
    // Records 0–4 (orders 1 and 2, each a notification and its order) are done; from order 3's order record on, all are reported.
    expect(answer).toEqual({ batchItemFailures: sequenceNumbers(records.slice(5)) });
    expect(aws.eventBridge.calls.entries).toEqual([5]);
    expect(log.lines.find((line) => line.level === 'warn')).toMatchObject({ attributes: { error_code: 'InternalFailure', first_sequence_number: records[5]!.dynamodb!.SequenceNumber } });

    // Lambda retries from the first reported record: order 3 is published, 4 and 5 again, with the same ids.
    aws.eventBridge.failEntries(undefined);
    expect(await publish(records.slice(5))).toEqual({ batchItemFailures: [] });
    const received = aws.eventBridge.events.map((event) => [event.detail.out_order_no, event.detail.event_id]);
    expect(received.map(([order]) => order)).toEqual([1, 2, 4, 5, 3, 4, 5].map((n) => keys[n - 1]!.outOrderNo));
    expect(new Set(received.map(([, id]) => id)).size).toBe(5);
  });

  it('publishes 10 entries per PutEvents call; a call failing stops the batch there, later calls are not made', async () => {
    const { keys, orders } = await paidBatch(25);
    expect(await publish(orders)).toEqual({ batchItemFailures: [] });
    expect(aws.eventBridge.calls.entries).toEqual([10, 10, 5]);

    aws.eventBridge.clear();
    aws.eventBridge.failEntries((entry) => entry.detail.out_order_no === keys[13]!.outOrderNo);
    expect(await publish(orders)).toEqual({ batchItemFailures: sequenceNumbers(orders.slice(13)) });
    expect(aws.eventBridge.calls.entries).toEqual([10, 10]);
  });

  it('a whole call that fails (EventBridge unavailable): every record from that call on is reported', async () => {
    const { orders } = await paidBatch(12);
    aws.eventBridge.fail(1);
    expect(await publish(orders)).toEqual({ batchItemFailures: sequenceNumbers(orders) });
    expect(aws.eventBridge.events).toEqual([]);
    expect(log.lines.find((line) => line.level === 'warn')).toMatchObject({ attributes: { error_code: 'InternalException' } });

  });

  it('a later call that fails: the entries of the calls before it are published and not reported', async () => {
    const { orders } = await paidBatch(12);
    const client = new EventBridgeClient(localClientConfig(aws.eventBridge.url));
    // One healthy call, then EventBridge is unavailable.
    const failingAfterOne = { send: async (command: PutEventsCommand) => client.send(command).finally(() => aws.eventBridge.fail(1)) };
    const bus = new EventBus({ client: failingAfterOne as unknown as EventBridgeClient, eventBusName: EVENT_BUS_NAME });
    handler = publishLedgerEventsHandler(log, () => ({ bus }));
    expect(await publish(orders)).toEqual({ batchItemFailures: sequenceNumbers(orders.slice(10)) });
    expect(aws.eventBridge.events).toHaveLength(10);
    expect(aws.eventBridge.calls.entries).toEqual([10, 2]);
    client.destroy();
  });

  it('with too little of the invocation left for another call, stops there: the rest is reported, not cut off by the timeout', async () => {
    const { orders } = await paidBatch(12);
    // A minute left at first; after the first call, only CALL_BUDGET_MS.
    const context = { ...lambdaContext(), getRemainingTimeInMillis: () => (aws.eventBridge.calls.PutEvents === 0 ? 60_000 : CALL_BUDGET_MS) };
    expect(await handler({ Records: orders }, context)).toEqual({ batchItemFailures: sequenceNumbers(orders.slice(10)) });
    expect(aws.eventBridge.calls.entries).toEqual([10]);
    expect(log.lines.find((line) => line.level === 'warn')).toMatchObject({ attributes: { error_code: 'OUT_OF_TIME' } });
  });

  it('a record that cannot be read is reported with every one after it', async () => {
    const { orders } = await paidBatch(3);
    const unreadable = { ...orders[1]!, dynamodb: { ...orders[1]!.dynamodb, NewImage: { ...orders[1]!.dynamodb!.NewImage, collection: { X: 'not a type' } as never } } };
    expect(await publish([orders[0]!, unreadable, orders[2]!])).toEqual({ batchItemFailures: sequenceNumbers([unreadable, orders[2]!]) });
    expect(aws.eventBridge.events).toHaveLength(1);
    expect(log.lines.find((line) => line.level === 'error')?.message).toBe('ledger stream record unreadable; reported as failed');
  });
});

describe('functions/publish-ledger-events as deployed', () => {
  const saved = { ...process.env };
  afterAll(() => void (process.env = saved));

  it('publishes to EVENT_BUS_NAME through AWS_ENDPOINT_URL_EVENTBRIDGE', async () => {
    Object.assign(process.env, awsEnvironment({ secretsManagerUrl: aws.secretsManager.url, dynamoDbUrl: aws.dynamoDb.url, eventBridgeUrl: aws.eventBridge.url }), {
      EVENT_BUS_NAME,
      LOG_LEVEL: 'SILENT',
    });
    vi.resetModules();
    const { handler: deployed } = (await import('../../../functions/publish-ledger-events')) as { handler: typeof handler };
    const key = newOrder();
    expect(await deployed({ Records: [await orderRecord(key, () => createOrder(key))] }, lambdaContext(60_000))).toEqual({ batchItemFailures: [] });
    expect(aws.eventBridge.events.map((event) => [event.eventBusName, event.detailType, event.detail.out_order_no])).toEqual([[EVENT_BUS_NAME, 'Service Order Created', key.outOrderNo]]);
  });

  it('without EVENT_BUS_NAME, fails the invocation naming the variable (Lambda retries the batch)', async () => {
    delete process.env.EVENT_BUS_NAME;
    vi.resetModules();
    const { handler: deployed } = (await import('../../../functions/publish-ledger-events')) as { handler: typeof handler };
    const key = newOrder();
    await expect(deployed({ Records: [await orderRecord(key, () => createOrder(key))] }, lambdaContext())).rejects.toMatchObject({ code: 'ENVIRONMENT_INVALID', variable: 'EVENT_BUS_NAME' });
  });
});
