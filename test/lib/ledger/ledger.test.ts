/** lib/ledger against dynalite through the real SDK clients: SPEC "The ledger", rule by rule. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intentKey, pendingPartition, serviceOrderKey, unattachedNotificationKey, userSignPlanDetailKey, userSignPlanKey, type ServiceOrderKey, type UserSignPlanKey } from '../../../lib/ledger/keys';
import { Ledger } from '../../../lib/ledger/ledger';
import type { ReceivedNotification } from '../../../lib/ledger/notification-record';
import { PLAN_DETAIL_STATES, USER_SIGN_PLAN_STATES } from '../../../lib/ledger/states';
import { startLocalAws, type LocalAws } from '../../helpers/local-aws';
import { localClientConfig } from '../../dev/aws/local-clients';

const MCHID = '1900000109';
let aws: LocalAws;
let ledger: Ledger;

beforeAll(async () => {
  aws = await startLocalAws({});
  ledger = aws.ledger();
});
afterAll(() => aws.close());

const newOrder = (subMchid?: string): ServiceOrderKey => ({ mchid: MCHID, ...(subMchid === undefined ? {} : { subMchid }), outOrderNo: `OUT${randomUUID().replace(/-/g, '').slice(0, 20)}` });

const paidCollection = { state: 'USER_PAID', total_amount: 40000, paying_amount: 0, paid_amount: 40000, details: [{ seq: 1, amount: 40000, paid_type: 'NEWTON', paid_time: '20091225121210' }] };

interface NotificationInput {
  id?: string;
  eventType?: string;
  createTime?: string;
  receivedAt?: string;
  /** Merged into a USER_PAID plaintext of the order. */
  plaintext?: Record<string, unknown>;
  /** The plaintext text itself, for what JSON.stringify cannot write. */
  text?: string;
}

/** A verified, decrypted notification as the notify handler hands it to the ledger. */
function notification(key: ServiceOrderKey, input: NotificationInput = {}): ReceivedNotification {
  const text =
    input.text ??
    JSON.stringify({ mchid: key.mchid, ...(key.subMchid ? { sub_mchid: key.subMchid } : {}), out_order_no: key.outOrderNo, order_id: 'ORDER-1', state: 'DONE', collection: paidCollection, ...input.plaintext });
  return {
    id: input.id ?? `EV-${randomUUID()}`,
    eventType: input.eventType ?? 'PAYSCORE.USER_PAID',
    createTime: input.createTime ?? '2026-11-22T10:00:00+08:00',
    receivedAt: input.receivedAt ?? new Date().toISOString(),
    plaintext: { text, fields: JSON.parse(text) },
    order: key,
    mchid: key.mchid,
  };
}

const confirm = (key: ServiceOrderKey, input: NotificationInput = {}) =>
  notification(key, { eventType: 'PAYSCORE.USER_CONFIRM', ...input, plaintext: { state: 'DOING', state_description: 'USER_CONFIRM', collection: undefined, ...input.plaintext } });

const createAnswer = (key: ServiceOrderKey, answer: Record<string, unknown>, at = new Date().toISOString()) =>
  ledger.recordCreatedOrder({ key, request: JSON.stringify({ out_trade_no: key.outOrderNo }), response: JSON.stringify({ out_order_no: key.outOrderNo, ...answer }), wechatpayRequestId: 'REQ-1', at });

const orderOf = (key: ServiceOrderKey) => aws.item(serviceOrderKey(key));
const collectionOf = async (key: ServiceOrderKey) => JSON.parse((await orderOf(key))!.collection as string) as Record<string, unknown>;

describe('ledger: what a notification holds', () => {
  it('records a plaintext with 9007199254740993 and 1e400 exactly as received, and its collection with the same numbers', async () => {
    const key = newOrder();
    const text =
      `{"mchid":"${MCHID}","out_order_no":"${key.outOrderNo}","state":"DONE","order_id":"ORDER-BIG",` +
      `"collection":{"state":"USER_PAID","paid_amount":9007199254740993,"future_ratio":1e400,"details":[{"seq":1,"amount":9007199254740993}]},"risk":1E400}`;
    expect(await ledger.recordNotification(notification(key, { text }))).toBe('applied');
    const record = await aws.record(serviceOrderKey(key));
    expect(record.notifications.map((entry) => entry.plaintext)).toEqual([text]);
    expect(record.object).toMatchObject({ state: 'DONE', order_id: 'ORDER-BIG', collection: '{"state":"USER_PAID","paid_amount":9007199254740993,"future_ratio":1e400,"details":[{"seq":1,"amount":9007199254740993}]}' });
  });

  it('records 100 notifications of 30 KiB each for one order, every one its own item', async () => {
    const key = newOrder();
    const padding = 'x'.repeat(30 * 1024);
    const outcomes = [];
    for (let index = 0; index < 100; index += 1) {
      outcomes.push(await ledger.recordNotification(notification(key, { createTime: `2026-11-22T10:${String(index % 60).padStart(2, '0')}:00+08:00`, plaintext: { padding } })));
    }
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toEqual([]);
    const record = await aws.record(serviceOrderKey(key));
    expect(record.notifications).toHaveLength(100);
    expect(record.notifications.every((entry) => String(entry.plaintext).length > 30 * 1024)).toBe(true);
    expect(record.object).toMatchObject({ state: 'DONE' });
  });

  it('records a plaintext of 60 KiB', async () => {
    const key = newOrder();
    const source = notification(key, { plaintext: { padding: '羽'.repeat(20 * 1024) } });
    expect(Buffer.byteLength(source.plaintext.text)).toBeGreaterThan(60 * 1024);
    expect(await ledger.recordNotification(source)).toBe('applied');
    expect((await aws.record(serviceOrderKey(key))).notifications.map((entry) => entry.plaintext)).toEqual([source.plaintext.text]);
  });

  it('stores a lone surrogate of a \\ud800 escape as U+FFFD in the derived fields, and the plaintext as sent', async () => {
    const key = { mchid: MCHID, outOrderNo: 'OUT\ud800X' };
    const text = `{"mchid":"${MCHID}","out_order_no":"OUT\\ud800X","state":"DONE","order_id":"ID\\udc00"}`;
    expect(await ledger.recordNotification(notification(key, { text }))).toBe('applied');
    const record = await aws.record(serviceOrderKey(key));
    expect(record.object).toMatchObject({ out_order_no: 'OUT\ufffdX', order_id: 'ID\ufffd' });
    expect(record.notifications[0]!.plaintext).toBe(text);
  });
});

describe('ledger: states never move backwards, and within a state the newer message wins', () => {
  it('two USER_PAID arriving newest first: the older does not overwrite the newer collection', async () => {
    const key = newOrder();
    const newer = notification(key, { createTime: '2026-11-22T10:05:00+08:00', plaintext: { collection: paidCollection } });
    const older = notification(key, { createTime: '2026-11-22T10:00:00+08:00', plaintext: { collection: { state: 'USER_PAYING', paying_amount: 40000, paid_amount: 0 } } });
    expect(await ledger.recordNotification(newer)).toBe('applied');
    expect(await ledger.recordNotification(older)).toBe('late');
    expect(await collectionOf(key)).toEqual(paidCollection);
    expect(await orderOf(key)).toMatchObject({ source: 'notification', source_id: newer.id });
  });

  it('two USER_PAID in the same collection state: the newer one’s data wins whatever the order of arrival', async () => {
    const [first, second] = [newOrder(), newOrder()];
    const at = (key: ServiceOrderKey, time: string, paid: number) => notification(key, { createTime: time, plaintext: { collection: { ...paidCollection, paid_amount: paid } } });
    expect(await ledger.recordNotification(at(first, '2026-11-22T02:05:00Z', 2))).toBe('applied');
    expect(await ledger.recordNotification(at(first, '2026-11-22T10:00:00+08:00', 1))).toBe('late');
    expect(await ledger.recordNotification(at(second, '2026-11-22T10:00:00+08:00', 1))).toBe('applied');
    expect(await ledger.recordNotification(at(second, '2026-11-22T02:05:00Z', 2))).toBe('applied');
    expect((await collectionOf(first)).paid_amount).toBe(2);
    expect((await collectionOf(second)).paid_amount).toBe(2);
  });

  it('a collection once USER_PAID is never USER_PAYING again, even told later', async () => {
    const key = newOrder();
    expect(await ledger.recordNotification(notification(key, { createTime: '2026-11-22T10:00:00+08:00' }))).toBe('applied');
    expect(await ledger.recordNotification(notification(key, { createTime: '2026-11-22T11:00:00+08:00', plaintext: { collection: { state: 'USER_PAYING' } } }))).toBe('late');
    expect((await collectionOf(key)).state).toBe('USER_PAID');
  });

  it('DONE stays DONE: a later USER_CONFIRM is late, and a terminal state never gives way to another', async () => {
    const key = newOrder();
    expect(await ledger.recordNotification(notification(key))).toBe('applied');
    expect(await ledger.recordNotification(confirm(key, { createTime: '2026-11-23T10:00:00+08:00' }))).toBe('late');
    expect(await ledger.recordNotification(notification(key, { createTime: '2026-11-23T10:00:00+08:00', plaintext: { state: 'REVOKED' } }))).toBe('late');
    expect(await orderOf(key)).toMatchObject({ state: 'DONE' });
    expect(await collectionOf(key)).toEqual(paidCollection);
  });

  it('USER_CONFIRM then USER_PAID moves the order forward, state_description only while DOING', async () => {
    const key = newOrder();
    expect(await ledger.recordNotification(confirm(key))).toBe('applied');
    expect(await orderOf(key)).toMatchObject({ state: 'DOING', state_description: 'USER_CONFIRM' });
    expect(await ledger.recordNotification(notification(key, { plaintext: { state_description: undefined } }))).toBe('applied');
    const order = await orderOf(key);
    expect(order).toMatchObject({ state: 'DONE' });
    expect(order).not.toHaveProperty('state_description');
  });

  it('a state the ledger does not know is recorded, not applied', async () => {
    const key = newOrder();
    expect(await ledger.recordNotification(notification(key, { plaintext: { state: 'SOMETHING_NEW' } }))).toBe('recorded');
    expect(await orderOf(key)).toBeUndefined();
    expect((await aws.record(serviceOrderKey(key))).notifications).toHaveLength(1);
  });
});

describe('ledger: each notification id applied at most once', () => {
  it('the same notification twice: applied, then duplicate; five copies at once: one applied', async () => {
    const key = newOrder();
    const once = notification(key);
    expect(await ledger.recordNotification(once)).toBe('applied');
    expect(await ledger.recordNotification(once)).toBe('duplicate');
    const other = newOrder();
    const copy = notification(other);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => ledger.recordNotification(copy)));
    expect(outcomes.sort()).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect((await aws.record(serviceOrderKey(other))).notifications).toHaveLength(1);
  });

  it('a copy delivered after the first failed between its two writes completes the order', async () => {
    const key = newOrder();
    const direct = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(aws.dynamoDb.url)));
    let sent = 0;
    const failingSecondWrite = new Ledger({
      client: { send: ((command: never, options: never) => (++sent === 2 ? Promise.reject(new Error('lost on the way')) : direct.send(command, options))) as never },
      tableName: aws.dynamoDb.tableName,
    });
    const delivered = notification(key);
    await expect(failingSecondWrite.recordNotification(delivered)).rejects.toThrow('lost on the way');
    expect(await orderOf(key)).toBeUndefined();
    expect(await ledger.recordNotification(delivered)).toBe('applied');
    expect(await orderOf(key)).toMatchObject({ state: 'DONE', source_id: delivered.id });
    expect((await aws.record(serviceOrderKey(key))).notifications).toHaveLength(1);
    direct.destroy();
  });
});

describe('ledger: create answers and notifications in any order', () => {
  it('a create answer, then a repeat of it: new, then existing; the first request and answer kept', async () => {
    const key = newOrder();
    expect(await createAnswer(key, { state: 'CREATED', order_id: 'ORDER-1' }, '2026-11-22T02:00:00.000Z')).toBe('new');
    expect(await createAnswer(key, { state: 'CREATED', order_id: 'ORDER-1', repeat: true }, '2026-11-22T02:01:00.000Z')).toBe('existing');
    expect(await orderOf(key)).toMatchObject({ state: 'CREATED', order_id: 'ORDER-1', created_at: '2026-11-22T02:00:00.000Z', source: 'create', wechatpay_request_id: 'REQ-1' });
    expect(JSON.parse((await orderOf(key))!.create_response as string)).not.toHaveProperty('repeat');
  });

  it('a notification before the create answer: the answer is recorded (new), the state stays DONE', async () => {
    const key = newOrder();
    const paid = notification(key);
    expect(await ledger.recordNotification(paid)).toBe('applied');
    expect(await createAnswer(key, { state: 'CREATED', order_id: 'ORDER-1' })).toBe('new');
    expect(await orderOf(key)).toMatchObject({ state: 'DONE', source: 'notification', source_id: paid.id, create_request: expect.any(String), create_response: expect.any(String) });
    expect(await collectionOf(key)).toEqual(paidCollection);
    expect(await createAnswer(key, { state: 'CREATED', order_id: 'ORDER-1' })).toBe('existing');
  });

  it('a create answer recorded after a notification moved the order to DOING: the state stays DOING', async () => {
    const key = newOrder();
    expect(await ledger.recordNotification(confirm(key))).toBe('applied');
    expect(await createAnswer(key, { state: 'CREATED', order_id: 'ORDER-1' })).toBe('new');
    expect(await orderOf(key)).toMatchObject({ state: 'DOING', state_description: 'USER_CONFIRM', created_at: expect.any(String) });
  });

  it('an answer that is not a JSON object, or names no known state, records the order as CREATED', async () => {
    for (const response of ['not json', '[]', '{"state":"SOMETHING_NEW"}']) {
      const key = newOrder();
      expect(await ledger.recordCreatedOrder({ key, request: '{}', response, wechatpayRequestId: undefined, at: '2026-11-22T02:00:00.000Z' })).toBe('new');
      expect(await orderOf(key)).toMatchObject({ state: 'CREATED', create_response: response, source: 'create' });
      expect(await orderOf(key)).not.toHaveProperty('source_id');
    }
  });

  it("a create answer without order_id does not block a later notification's order_id", async () => {
    const key = newOrder();
    expect(await createAnswer(key, { state: 'CREATED' })).toBe('new');
    expect(await orderOf(key)).not.toHaveProperty('order_id');
    expect(await ledger.recordNotification(confirm(key, { plaintext: { order_id: 'ORDER-LATER' } }))).toBe('applied');
    expect(await orderOf(key)).toMatchObject({ state: 'DOING', order_id: 'ORDER-LATER' });
    expect(await ledger.recordNotification(notification(key, { plaintext: { order_id: 'ORDER-OTHER' } }))).toBe('applied');
    expect(await orderOf(key)).toMatchObject({ state: 'DONE', order_id: 'ORDER-LATER' });
  });
});

describe('ledger: keys that cannot collide', () => {
  it('(sub_mchid S1#X, out_order_no Y) and (S1, X#Y) are two orders, each with its own state', async () => {
    const suffix = randomUUID().slice(0, 8);
    const first = { mchid: MCHID, subMchid: `S1#X${suffix}`, outOrderNo: 'Y' };
    const second = { mchid: MCHID, subMchid: 'S1', outOrderNo: `X${suffix}#Y` };
    expect(await ledger.recordNotification(notification(first))).toBe('applied');
    expect(await ledger.recordNotification(confirm(second))).toBe('applied');
    expect(await orderOf(first)).toMatchObject({ sub_mchid: first.subMchid, out_order_no: 'Y', state: 'DONE' });
    expect(await orderOf(second)).toMatchObject({ sub_mchid: 'S1', out_order_no: second.outOrderNo, state: 'DOING' });
  });
});

describe('ledger: the pending index', () => {
  it('finds open orders of one account by age, oldest first, page by page; a terminal order leaves it', async () => {
    const account = `PENDING${randomUUID().slice(0, 8)}`;
    const orders = [0, 1, 2].map(() => ({ mchid: account, outOrderNo: `OUT${randomUUID().slice(0, 8)}` }));
    for (const [index, key] of orders.entries()) {
      expect(await ledger.recordCreatedOrder({ key, request: '{}', response: '{"state":"CREATED"}', wechatpayRequestId: undefined, at: `2026-11-22T0${index}:00:00.000Z` })).toBe('new');
    }
    const open = async (before: string) => (await ledger.pending({ mchid: account, kind: 'SERVICE_ORDER', before })).items.map((item) => item.out_order_no);
    expect(await open('2026-11-22T01:30:00.000Z')).toEqual([orders[0]!.outOrderNo, orders[1]!.outOrderNo]);
    const page = await ledger.pending({ mchid: account, kind: 'SERVICE_ORDER', before: '2026-11-23T00:00:00.000Z', limit: 2 });
    expect(page.items.map((item) => item.out_order_no)).toEqual([orders[0]!.outOrderNo, orders[1]!.outOrderNo]);
    expect(page.items[0]).toMatchObject({ kind: 'SERVICE_ORDER', mchid: account, state: 'CREATED' });
    const rest = await ledger.pending({ mchid: account, kind: 'SERVICE_ORDER', before: '2026-11-23T00:00:00.000Z', startKey: page.next! });
    expect(rest.items.map((item) => item.out_order_no)).toEqual([orders[2]!.outOrderNo]);

    // A change resets the age; a terminal state removes the order from the index.
    await ledger.recordNotification({ ...confirm(orders[0]!), receivedAt: '2026-11-22T05:00:00.000Z' });
    await ledger.recordNotification(notification(orders[1]!));
    expect(await open('2026-11-23T00:00:00.000Z')).toEqual([orders[2]!.outOrderNo, orders[0]!.outOrderNo]);
    expect(await ledger.pending({ mchid: `${account}X`, kind: 'SERVICE_ORDER', before: '2026-11-23T00:00:00.000Z' })).toEqual({ items: [] });
  });
});

describe('ledger: what the reconciliation writes', () => {
  it('touchPending moves an open item to the back of the index, state and version kept; never back in time, never a closed item', async () => {
    const account = `TOUCH${randomUUID().slice(0, 8)}`;
    const [older, newer] = [0, 1].map(() => ({ mchid: account, outOrderNo: `OUT${randomUUID().slice(0, 8)}` }));
    await ledger.recordCreatedOrder({ key: older!, request: '{}', response: '{"state":"CREATED"}', wechatpayRequestId: undefined, at: '2026-11-22T00:00:00.000Z' });
    await ledger.recordCreatedOrder({ key: newer!, request: '{}', response: '{"state":"CREATED"}', wechatpayRequestId: undefined, at: '2026-11-22T01:00:00.000Z' });
    const before = await aws.item(serviceOrderKey(older!));
    expect(await ledger.touchPending(serviceOrderKey(older!), '2026-11-22T02:00:00.000Z')).toBe(true);
    const open = async () => (await ledger.pending({ mchid: account, kind: 'SERVICE_ORDER', before: '2026-11-23T00:00:00.000Z' })).items.map((item) => item.out_order_no);
    expect(await open()).toEqual([newer!.outOrderNo, older!.outOrderNo]);
    expect(await aws.item(serviceOrderKey(older!))).toEqual({ ...before, pending_since: '2026-11-22T02:00:00.000Z', checked_at: '2026-11-22T02:00:00.000Z' });
    expect(await ledger.touchPending(serviceOrderKey(older!), '2026-11-22T01:30:00.000Z')).toBe(false);
    await ledger.recordNotification(notification(newer!));
    expect(await ledger.touchPending(serviceOrderKey(newer!), '2026-11-22T03:00:00.000Z')).toBe(false);
    expect(await open()).toEqual([older!.outOrderNo]);
  });

  it("details reads a user sign plan's details alone, in order", async () => {
    const key: UserSignPlanKey = { mchid: MCHID, merchantSignPlanNo: `SP${randomUUID().slice(0, 8)}` };
    expect(await ledger.details(userSignPlanKey(key))).toEqual([]);
    await ledger.writeIntent({ object: userSignPlanKey(key), account: { mchid: MCHID }, operation: 'stop', method: 'POST', path: '/stop', request: '{}', at: '2026-11-22T00:00:00.000Z' });
    for (const planDetailNo of [2, 1]) {
      await ledger.applyChange({
        item: userSignPlanDetailKey(key, planDetailNo),
        kind: 'USER_SIGN_PLAN_DETAIL',
        machine: PLAN_DETAIL_STATES,
        order: { state: 'NOT_USED', at: '2026-11-22T00:00:00.000Z', tieBreak: 'sync' },
        identity: { mchid: MCHID, merchant_sign_plan_no: key.merchantSignPlanNo, plan_detail_no: planDetailNo },
        data: {},
        once: {},
        source: 'sync',
        sourceId: undefined,
        receivedAt: '2026-11-22T00:00:00.000Z',
      });
    }
    expect((await ledger.details(userSignPlanKey(key))).map((detail) => [detail.plan_detail_no, detail.state])).toEqual([
      [1, 'NOT_USED'],
      [2, 'NOT_USED'],
    ]);
  });
});

describe('ledger: write-ahead intents', () => {
  it('PENDING before the call, found by the index; completed, it leaves it; FAILED, a retry writes it again', async () => {
    const account = `INTENT${randomUUID().slice(0, 8)}`;
    const object = serviceOrderKey({ mchid: account, outOrderNo: 'OUT1' });
    const intent = { object, account: { mchid: account }, operation: 'create' as const, method: 'POST', path: '/v3/payscore/sign-plan/serviceorder', request: '{"out_trade_no":"OUT1"}', at: '2026-11-22T02:00:00.000Z' };
    expect(await ledger.writeIntent(intent)).toBe(true);
    expect(await ledger.writeIntent(intent)).toBe(false);
    const pending = await ledger.pending({ mchid: account, kind: 'INTENT', before: '2026-11-22T02:01:00.000Z' });
    expect(pending.items).toEqual([expect.objectContaining({ ...intentKey(object, 'create'), kind: 'INTENT', mchid: account, operation: 'create' })]);
    expect(await ledger.completeIntent(object, 'create', { status: 'FAILED', at: '2026-11-22T02:02:00.000Z', source: 'reconciliation' })).toBe(true);
    expect(await ledger.completeIntent(object, 'create', { status: 'DONE', at: '2026-11-22T02:02:00.000Z', source: 'create' })).toBe(false);
    expect((await ledger.pending({ mchid: account, kind: 'INTENT', before: '2026-11-23T00:00:00.000Z' })).items).toEqual([]);
    expect(await ledger.writeIntent({ ...intent, at: '2026-11-22T03:00:00.000Z' })).toBe(true);
    expect(await ledger.completeIntent(object, 'create', { status: 'DONE', at: '2026-11-22T03:00:01.000Z', source: 'create', httpStatus: 200, response: '{"order_id":"1"}', wechatpayRequestId: 'REQ-2' })).toBe(true);
    expect((await aws.record(object)).intents).toEqual([
      expect.objectContaining({ status: 'DONE', request: intent.request, created_at: '2026-11-22T03:00:00.000Z', http_status: 200, response: '{"order_id":"1"}', completed_by: 'create' }),
    ]);
  });
});

describe('ledger: any object kind, by its own state machine', () => {
  it('a user sign plan: SIGNED stays SIGNED when an old UNSIGNED is replayed; cancelled, it stays cancelled', async () => {
    const key = { mchid: MCHID, merchantSignPlanNo: `SP${randomUUID().slice(0, 8)}` };
    const change = (state: string, at: string) => ({
      item: userSignPlanKey(key),
      kind: 'USER_SIGN_PLAN' as const,
      machine: USER_SIGN_PLAN_STATES,
      order: { state, at, tieBreak: `EV-${state}` },
      identity: { mchid: key.mchid, merchant_sign_plan_no: key.merchantSignPlanNo },
      data: {},
      once: { sign_plan_id: 'SIGNPLAN-1' },
      source: 'notification' as const,
      sourceId: `EV-${state}`,
      receivedAt: at,
      pending: { mchid: MCHID, kind: 'USER_SIGN_PLAN' as const },
    });
    expect(await ledger.applyChange(change('SIGNED', '2026-11-22T02:00:00Z'))).toBe(true);
    expect(await ledger.applyChange(change('UNSIGNED', '2026-11-22T01:00:00Z'))).toBe(false);
    expect(await ledger.applyChange(change('SIGN_PLAN_CANCEL', '2026-11-22T03:00:00Z'))).toBe(true);
    expect(await ledger.applyChange(change('SIGNED', '2026-11-22T04:00:00Z'))).toBe(false);
    expect(await ledger.applyChange(change('COMPLETE', '2026-11-22T05:00:00Z'))).toBe(false);
    expect(await ledger.applyChange(change('SOMETHING_NEW', '2026-11-22T06:00:00Z'))).toBe(false);
    const signPlan = await aws.item(userSignPlanKey(key));
    expect(signPlan).toMatchObject({ state: 'SIGN_PLAN_CANCEL', sign_plan_id: 'SIGNPLAN-1', source_id: 'EV-SIGN_PLAN_CANCEL' });
    expect(signPlan).not.toHaveProperty('pending_pk');
  });
});

describe('ledger: user sign plan notifications', () => {
  const newSignPlan = (subMchid?: string): UserSignPlanKey => ({ mchid: MCHID, ...(subMchid === undefined ? {} : { subMchid }), merchantSignPlanNo: `S${randomUUID().replace(/-/g, '').slice(0, 20)}` });

  /** A sign plan's plaintext as USER_SIGN_PLAN carries it, three details NOT_USED unless `details` say otherwise. */
  const signPlanText = (key: UserSignPlanKey, fields: Record<string, unknown> = {}, details: Record<string, unknown>[] = []) =>
    JSON.stringify({
      sign_plan_id: 'SIGNPLAN-1',
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      service_id: 'SERVICE-1',
      mchid: key.mchid,
      ...(key.subMchid ? { sub_mchid: key.subMchid, sub_appid: 'wxSUBAPPID' } : {}),
      appid: 'wxAPPID',
      merchant_sign_plan_no: key.merchantSignPlanNo,
      plan_id: 'PLAN-1',
      going_detail_no: 0,
      sign_state: 'SIGNED',
      cancel_sign_type: 'NOT_CANCEL',
      plan_name: '羽毛球课3节',
      plan_over_time: '2026-12-22T10:00:00+08:00',
      signed_detail_list: [1, 2, 3].map((n) => ({
        plan_detail_no: n,
        original_price: 3000,
        actual_price: 2500,
        plan_detail_state: 'NOT_USED',
        merchant_plan_detail_no: `D-${n}`,
        plan_detail_name: `第${n}节`,
        ...details[n - 1],
      })),
      sign_time: '2026-11-22T10:00:00+08:00',
      ...fields,
    });

  function signPlanNotification(key: UserSignPlanKey, input: { id?: string; eventType?: string; createTime?: string; text?: string } = {}): ReceivedNotification {
    const text = input.text ?? signPlanText(key);
    return {
      id: input.id ?? `EV-${randomUUID()}`,
      eventType: input.eventType ?? 'PAYSCORE.USER_SIGN_PLAN',
      createTime: input.createTime ?? '2026-11-22T10:00:00+08:00',
      receivedAt: '2026-11-22T02:00:01.000Z',
      plaintext: { text, fields: JSON.parse(text) },
      order: undefined,
      signPlan: key,
      mchid: key.mchid,
    };
  }
  const cancel = (key: UserSignPlanKey, createTime = '2026-11-22T11:00:00+08:00', details: Record<string, unknown>[] = []) =>
    signPlanNotification(key, {
      eventType: 'PAYSCORE.USER_CANCEL_SIGN_PLAN',
      createTime,
      text: signPlanText(key, { sign_state: 'SIGN_PLAN_CANCEL', cancel_sign_time: '2026-11-22T11:00:00+08:00', cancel_sign_type: 'USER', cancel_reason: '用户取消' }, details),
    });
  const detailsOf = async (key: UserSignPlanKey) => (await aws.record(userSignPlanKey(key))).details;

  it('a USER_SIGN_PLAN writes the sign plan and each detail, every attribute named', async () => {
    const key = newSignPlan('1900000110');
    const sign = signPlanNotification(key, { id: 'EV-SIGN-1' });
    expect(await ledger.recordNotification(sign)).toBe('applied');
    const common = { mchid: MCHID, sub_mchid: '1900000110', merchant_sign_plan_no: key.merchantSignPlanNo, source: 'notification', source_id: 'EV-SIGN-1', changed_at: '2026-11-22T02:00:01.000Z' };
    const { object, details } = await aws.record(userSignPlanKey(key));
    expect(object).toEqual({
      ...userSignPlanKey(key),
      ...common,
      kind: 'USER_SIGN_PLAN',
      state: 'SIGNED',
      version: '2#0#2026-11-22T02:00:00.000Z#EV-SIGN-1',
      sign_time: '2026-11-22T10:00:00+08:00',
      cancel_sign_type: 'NOT_CANCEL',
      going_detail_no: 0,
      plan_over_time: '2026-12-22T10:00:00+08:00',
      sign_plan_id: 'SIGNPLAN-1',
      plan_id: 'PLAN-1',
      service_id: 'SERVICE-1',
      appid: 'wxAPPID',
      sub_appid: 'wxSUBAPPID',
      pending_pk: pendingPartition(MCHID, 'USER_SIGN_PLAN'),
      pending_since: '2026-11-22T02:00:01.000Z',
    });
    expect(details).toEqual(
      [1, 2, 3].map((n) => ({
        ...userSignPlanDetailKey(key, n),
        ...common,
        kind: 'USER_SIGN_PLAN_DETAIL',
        plan_detail_no: n,
        state: 'NOT_USED',
        version: '1#0#2026-11-22T02:00:00.000Z#EV-SIGN-1',
        merchant_plan_detail_no: `D-${n}`,
        plan_detail_name: `第${n}节`,
        original_price: 3000,
        actual_price: 2500,
      })),
    );
  });

  it('a cancel after the sign is applied and final; the old sign after it is late, a replay of either a duplicate', async () => {
    const key = newSignPlan();
    const sign = signPlanNotification(key);
    expect(await ledger.recordNotification(sign)).toBe('applied');
    const cancelled = cancel(key);
    expect(await ledger.recordNotification(cancelled)).toBe('applied');
    expect(await aws.item(userSignPlanKey(key))).toMatchObject({ state: 'SIGN_PLAN_CANCEL', cancel_sign_time: '2026-11-22T11:00:00+08:00', cancel_sign_type: 'USER', cancel_reason: '用户取消', source_id: cancelled.id });
    // A newer USER_SIGN_PLAN (a later create_time than the cancel) does not leave the terminal state either.
    expect(await ledger.recordNotification(signPlanNotification(key, { createTime: '2026-11-22T12:00:00+08:00' }))).toBe('late');
    expect(await ledger.recordNotification(sign)).toBe('duplicate');
    expect(await ledger.recordNotification(cancelled)).toBe('duplicate');
    expect(await aws.item(userSignPlanKey(key))).toMatchObject({ state: 'SIGN_PLAN_CANCEL', source_id: cancelled.id });
    expect((await aws.record(userSignPlanKey(key))).notifications).toHaveLength(3);
  });

  it('within SIGNED, an older message never overwrites a newer one; COMPLETE and EXPIRE are final too', async () => {
    const key = newSignPlan();
    expect(await ledger.recordNotification(signPlanNotification(key, { createTime: '2026-11-22T10:05:00+08:00', text: signPlanText(key, { going_detail_no: 2 }) }))).toBe('applied');
    expect(await ledger.recordNotification(signPlanNotification(key, { text: signPlanText(key, { going_detail_no: 1 }) }))).toBe('late');
    expect(await aws.item(userSignPlanKey(key))).toMatchObject({ state: 'SIGNED', going_detail_no: 2 });
    for (const final of ['COMPLETE', 'EXPIRE']) {
      const other = newSignPlan();
      expect(await ledger.recordNotification(signPlanNotification(other, { text: signPlanText(other, { sign_state: final }) }))).toBe('applied');
      expect(await ledger.recordNotification(cancel(other))).toBe('late');
      expect(await aws.item(userSignPlanKey(other))).toMatchObject({ state: final });
    }
  });

  it("a detail moves forward only: its state, order_id and actual_pay_price stay when an older message arrives", async () => {
    const key = newSignPlan();
    const using = { plan_detail_state: 'USING', order_id: 'ORDER-1', use_time: '2026-11-22T10:30:00+08:00' };
    const used = { ...using, plan_detail_state: 'USED', actual_pay_price: 2500, complete_time: '2026-11-22T10:50:00+08:00' };
    const cancelledDetail = { plan_detail_state: 'SIGN_PLAN_DETAIL_CANCEL', cancel_time: '2026-11-22T10:55:00+08:00' };
    expect(await ledger.recordNotification(signPlanNotification(key, { createTime: '2026-11-22T10:40:00+08:00', text: signPlanText(key, {}, [using]) }))).toBe('applied');
    expect((await detailsOf(key))[0]).toMatchObject({ state: 'USING', order_id: 'ORDER-1', use_time: '2026-11-22T10:30:00+08:00' });
    expect(await ledger.recordNotification(cancel(key, '2026-11-22T11:00:00+08:00', [used, cancelledDetail]))).toBe('applied');
    // The sign itself, older than both, arrives last.
    expect(await ledger.recordNotification(signPlanNotification(key))).toBe('late');
    const [first, second, third] = await detailsOf(key);
    expect(first).toMatchObject({ state: 'USED', order_id: 'ORDER-1', actual_pay_price: 2500, use_time: '2026-11-22T10:30:00+08:00', complete_time: '2026-11-22T10:50:00+08:00' });
    expect(second).toMatchObject({ state: 'SIGN_PLAN_DETAIL_CANCEL', cancel_time: '2026-11-22T10:55:00+08:00' });
    expect(third).toMatchObject({ state: 'NOT_USED', version: '1#0#2026-11-22T03:00:00.000Z#' + (third!.source_id as string) });
  });

  it('a USING detail told again with a newer order_id takes it; an older one with another order_id does not', async () => {
    const key = newSignPlan();
    const at = (time: string, orderId: string) => signPlanNotification(key, { createTime: time, text: signPlanText(key, {}, [{ plan_detail_state: 'USING', order_id: orderId }]) });
    expect(await ledger.recordNotification(at('2026-11-22T10:10:00+08:00', 'ORDER-2'))).toBe('applied');
    await ledger.recordNotification(at('2026-11-22T10:05:00+08:00', 'ORDER-1'));
    expect((await detailsOf(key))[0]).toMatchObject({ state: 'USING', order_id: 'ORDER-2' });
    await ledger.recordNotification(at('2026-11-22T10:20:00+08:00', 'ORDER-3'));
    expect((await detailsOf(key))[0]).toMatchObject({ state: 'USING', order_id: 'ORDER-3' });
  });

  it('the same notification recorded 3 times concurrently: applied once, the details once', async () => {
    const key = newSignPlan();
    const sign = signPlanNotification(key);
    expect((await Promise.all([1, 2, 3].map(() => ledger.recordNotification(sign)))).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    const record = await aws.record(userSignPlanKey(key));
    expect(record.notifications).toHaveLength(1);
    expect(record.details.map((detail) => detail.source_id)).toEqual([sign.id, sign.id, sign.id]);
  });

  it('no genuine content fails it: details that are not objects, unnumbered or in an unknown state are left out; numbers beyond 2^53 stay in the plaintext only', async () => {
    const key = newSignPlan();
    const text = signPlanText(key, {}, [{ actual_price: 1 }, { plan_detail_no: 0 }, { plan_detail_state: 'PAUSED' }])
      .replace('"actual_price":1,', '"actual_price":9007199254740993,')
      .replace('"signed_detail_list":[', '"signed_detail_list":["x",null,{"plan_detail_no":1.5,"plan_detail_state":"NOT_USED"},');
    const sign = signPlanNotification(key, { text });
    expect(await ledger.recordNotification(sign)).toBe('applied');
    const record = await aws.record(userSignPlanKey(key));
    expect(record.details).toHaveLength(1);
    expect(record.details[0]).toMatchObject({ plan_detail_no: 1, state: 'NOT_USED', original_price: 3000 });
    expect(record.details[0]).not.toHaveProperty('actual_price');
    expect(record.notifications[0]!.plaintext).toBe(text);
    const listless = newSignPlan();
    expect(await ledger.recordNotification(signPlanNotification(listless, { text: signPlanText(listless, { signed_detail_list: 'none' }) }))).toBe('applied');
    expect(await detailsOf(listless)).toEqual([]);
  });

  it('a sign plan notification without a sign_state, or an order event naming a sign plan, moves no sign plan', async () => {
    const key = newSignPlan();
    const stateless = signPlanNotification(key, { text: signPlanText(key, { sign_state: undefined }) });
    expect(await ledger.recordNotification(stateless)).toBe('recorded');
    const paid = signPlanNotification(key, { eventType: 'PAYSCORE.USER_PAID' });
    expect(await ledger.recordNotification(paid)).toBe('recorded');
    const record = await aws.record(userSignPlanKey(key));
    expect(record).toMatchObject({ object: undefined, details: [] });
    // Kept with the sign plan it names; the order event, about no order, on its own.
    expect(record.notifications.map((entry) => entry.id)).toEqual([stateless.id]);
    expect(await aws.item(unattachedNotificationKey(MCHID, paid.id))).toMatchObject({ event_type: 'PAYSCORE.USER_PAID' });
  });
});
