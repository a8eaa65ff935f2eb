/**
 * The reconciliation against the sandbox and dynalite through the real SDK clients (issue 18 §4,
 * scenarios 1–4): what an outage of the notify route, a lost answer, a failed ledger write or a
 * request that never arrived leaves in the ledger, and what one run makes of it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WECHATPAY_RETRY_DELAYS_MS, type Sandbox } from '../../../dev/sandbox';
import { deductionNotifyHandler } from '../../../lib/handlers/deduction-notify';
import { operationsHandler, type OperationDependencies } from '../../../lib/handlers/operations';
import { reconcileHandler, type ReconcileDependencies, type ReconcileLimits } from '../../../lib/handlers/reconcile';
import { nodeTransport } from '../../../lib/http/transport';
import { intentKey, serviceOrderKey, userSignPlanDetailKey, userSignPlanKey, type UserSignPlanKey } from '../../../lib/ledger/keys';
import { serviceOrderChange, userSignPlanChange, userSignPlanDetailChanges } from '../../../lib/ledger/ledger';
import { completeServiceOrder } from '../../../lib/operations/service-orders';
import { createServiceOrder } from '../../../lib/operations/service-order-create';
import type { AccountKind, Operation } from '../../../lib/operations/operation';
import type { Transport } from '../../../lib/wechatpay';
import { createTestWorld, type TestWorld } from '../../helpers/accounts';
import { httpApiEvent, lambdaContext } from '../../helpers/events';
import { serveLambda, type LambdaServer } from '../../helpers/lambda-http';
import { ledgerFailsAfter, startLocalAws, type LocalAws } from '../../helpers/local-aws';
import { startWorldSandbox } from '../../reliability/helpers/sandbox-world';
import { recordingLog, type RecordingLog } from '../../helpers/logs';
import { merchantOrder, partnerOrder, SEED_SUB_MCHID } from '../../helpers/orders';
import { recordingMetrics, type RecordingMetrics } from '../../helpers/metrics';

const NOTIFY_URL = 'https://merchant.example/merchant/notify';
let world: TestWorld;
let aws: LocalAws;
let sandbox: Sandbox;
let receiver: LambdaServer;
let log: RecordingLog;
let metrics: RecordingMetrics;
/** The notify route's outage: every delivery answered 503, nothing recorded. */
let outage = false;

beforeAll(async () => {
  world = await createTestWorld();
  aws = await startLocalAws({ merchant: world.secret(world.merchant), partner: world.secret(world.partner) });
  const notify = deductionNotifyHandler(recordingLog(), () => ({ secrets: aws.secretCache('merchant'), ledger: aws.ledger() }), recordingMetrics());
  receiver = await serveLambda(async (event, context) => (outage ? { statusCode: 503, body: '' } : notify(event, context)));
  // WeChat Pay's 24 hours of retries in under a second.
  sandbox = await startWorldSandbox(world, () => ({ 'merchant.example': receiver.url }), { retryTimeScale: 0.00001 });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
  await aws.close();
});
beforeEach(() => {
  log = recordingLog();
  metrics = recordingMetrics();
  outage = false;
  aws.ledgerProxy.set('pass');
  sandbox.clearFaults();
});

const orderKey = (outTradeNo: string) => serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: outTradeNo });

function handler(entries: Operation[] = [createServiceOrder], overrides: Partial<OperationDependencies> = {}, kind: AccountKind = 'merchant') {
  const deps: OperationDependencies = { secrets: aws.secretCache(kind), ledger: aws.ledger(), transport: nodeTransport(), baseUrl: sandbox.url, notifyUrl: undefined, retry: { backoffBaseMs: 1 }, ...overrides };
  return operationsHandler(kind, entries, log, () => deps, recordingMetrics());
}

const create = (order: Record<string, unknown>, overrides: Partial<OperationDependencies> = {}) =>
  handler([createServiceOrder], overrides)(httpApiEvent({ body: JSON.stringify(order) }, '/merchant/service-orders'), lambdaContext());

/** One run, everything open due at once (a fresh order is otherwise an hour from due). */
async function reconcile(limits: Partial<ReconcileLimits> = {}, overrides: Partial<ReconcileDependencies> = {}, kind: AccountKind = 'merchant') {
  const run = reconcileHandler(kind, log, () => ({
    secrets: aws.secretCache(kind),
    ledger: aws.ledger(),
    transport: nodeTransport(),
    baseUrl: sandbox.url,
    limits: { pendingAfterS: 0, openAfterS: 0, ...limits },
    sleep: async () => undefined,
    ...overrides,
  }), metrics);
  return run({}, lambdaContext(60_000));
}

describe('reconciliation: an outage of the notify route longer than WeChat Pay retries', () => {
  it('20 orders paid while every delivery of their USER_PAID got 503: one run records each DONE with its collection, as the notification would; replayed late, they change nothing', async () => {
    const orders: { orderId: string; outTradeNo: string }[] = [];
    for (let index = 0; index < 20; index += 1) {
      const order = merchantOrder({ notify_url: NOTIFY_URL });
      const response = await create(order);
      expect(response.statusCode, response.body).toBe(200);
      orders.push({ orderId: JSON.parse(response.body).order_id, outTradeNo: order.out_trade_no as string });
    }
    outage = true;
    const notifications = orders.map(({ orderId }) => sandbox.completeOrder(orderId).notificationId);
    for (const id of notifications) {
      const [record] = await sandbox.waitForDelivery(id);
      expect(record!.outcome).toBe('failed');
      expect(record!.attempts.map((attempt) => ('statusCode' in attempt ? attempt.statusCode : attempt))).toEqual(Array(WECHATPAY_RETRY_DELAYS_MS.length + 1).fill(503));
    }
    for (const { outTradeNo } of orders) expect(await aws.item(orderKey(outTradeNo))).toMatchObject({ state: 'CREATED' });

    const summary = await reconcile();
    expect(summary.errors).toBe(0);
    expect(summary.stopped).toBe('done');
    const reconciled = await Promise.all(orders.map(({ outTradeNo }) => aws.item(orderKey(outTradeNo))));
    for (const [index, item] of reconciled.entries()) {
      expect(item).toMatchObject({ state: 'DONE', source: 'reconciliation', order_id: orders[index]!.orderId });
      expect(JSON.parse(item!.collection as string)).toMatchObject({ state: 'USER_PAID', paid_amount: expect.any(Number), details: [expect.objectContaining({ transaction_id: expect.any(String) })] });
      // Terminal: out of the pending index.
      expect(item!.pending_pk).toBeUndefined();
    }
    expect(log.lines.filter((line) => line.message.startsWith('reconciliation:'))).toHaveLength(1);

    outage = false;
    for (const id of notifications) sandbox.replayNotification(id);
    for (const id of notifications) expect((await sandbox.waitForDelivery(id)).at(-1)!.outcome).toBe('delivered');
    for (const [index, { outTradeNo }] of orders.entries()) {
      const record = await aws.record(orderKey(outTradeNo));
      // The object exactly as the reconciliation left it; the notification kept once, not applied.
      expect(record.object).toEqual(reconciled[index]);
      expect(record.notifications).toHaveLength(1);
      const plaintext = JSON.parse(record.notifications[0]!.plaintext as string);
      expect(plaintext.state).toBe('DONE');
      expect(JSON.parse(record.object!.collection as string)).toEqual(plaintext.collection);
    }
  });
});

describe('reconciliation: PENDING intents', () => {
  const intentOf = (order: Record<string, unknown>) => aws.item(intentKey(orderKey(order.out_trade_no as string), 'create'));

  it("a create whose answer never came (the sandbox hangs after creating): the caller gets 504, the intent is PENDING, and the run records the order and completes the intent DONE", async () => {
    sandbox.injectFault({ kind: 'hang' });
    const order = merchantOrder();
    const response = await create(order, { deadlineMs: 300 });
    expect(response.statusCode).toBe(504);
    expect(await intentOf(order)).toMatchObject({ status: 'PENDING' });
    expect(await aws.item(orderKey(order.out_trade_no as string))).toBeUndefined();

    const summary = await reconcile();
    expect(summary.repaired.intent_done).toBeGreaterThanOrEqual(1);
    const [created] = sandbox.orders().filter((candidate) => candidate.request.out_trade_no === order.out_trade_no);
    const item = await aws.item(orderKey(order.out_trade_no as string));
    expect(item).toMatchObject({ state: 'CREATED', order_id: created!.orderId, source: 'reconciliation', service_id: order.service_id, appid: order.appid });
    expect(JSON.parse(item!.create_request as string)).toEqual(order);
    const intent = await intentOf(order);
    expect(intent).toMatchObject({ status: 'DONE', completed_by: 'reconciliation', http_status: 200 });
    expect(intent!.pending_pk).toBeUndefined();
    expect(JSON.parse(intent!.response as string)).toMatchObject({ out_order_no: order.out_trade_no, order_id: created!.orderId });

    // The caller's retry is answered from the ledger, nothing sent.
    const calls: string[] = [];
    const again = await create(order, { transport: (url, request) => (calls.push(url), nodeTransport()(url, request)) });
    expect(again.statusCode).toBe(200);
    expect(again.headers!['Idempotent-Replayed']).toBe('true');
    expect(JSON.parse(again.body).order_id).toBe(created!.orderId);
    expect(calls).toEqual([]);
  });

  it('a create answered but not recorded (the ledger failed after WeChat Pay answered): the run records the order and completes the intent DONE', async () => {
    const order = merchantOrder();
    const response = await create(order, { transport: ledgerFailsAfter(aws, nodeTransport()) });
    expect(response.statusCode).toBe(200);
    aws.ledgerProxy.set('pass');
    expect(await intentOf(order)).toMatchObject({ status: 'PENDING' });
    expect(await aws.item(orderKey(order.out_trade_no as string))).toBeUndefined();

    await reconcile();
    expect(await aws.item(orderKey(order.out_trade_no as string))).toMatchObject({ state: 'CREATED', order_id: JSON.parse(response.body).order_id, source: 'reconciliation' });
    expect(await intentOf(order)).toMatchObject({ status: 'DONE', completed_by: 'reconciliation' });
  });

  it('a create that never reached WeChat Pay (dropped on the way out): the run marks it FAILED (404), and a retry with the same out_trade_no creates the order', async () => {
    const dropped: Transport = async () => {
      throw new Error('socket hang up');
    };
    const order = merchantOrder();
    const response = await create(order, { transport: dropped, retry: { maxRetries: 0 } });
    expect(response.statusCode).toBeGreaterThanOrEqual(500);
    expect(await intentOf(order)).toMatchObject({ status: 'PENDING' });
    expect(sandbox.orders().some((candidate) => candidate.request.out_trade_no === order.out_trade_no)).toBe(false);

    const summary = await reconcile();
    expect(summary.repaired.intent_failed).toBeGreaterThanOrEqual(1);
    const intent = await intentOf(order);
    expect(intent).toMatchObject({ status: 'FAILED', completed_by: 'reconciliation', http_status: 404 });
    expect(JSON.parse(intent!.response as string)).toMatchObject({ code: 'NOT_FOUND' });
    expect(await aws.item(orderKey(order.out_trade_no as string))).toBeUndefined();

    const retry = await create(order);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(await aws.item(orderKey(order.out_trade_no as string))).toMatchObject({ state: 'CREATED', order_id: JSON.parse(retry.body).order_id });
    expect(await intentOf(order)).toMatchObject({ status: 'DONE', completed_by: 'create' });
  });

  it("a complete whose answer was lost: the run finds the order MCH_COMPLETE and completes the intent DONE; one that never arrived is FAILED, so it may be sent again", async () => {
    const orders = [merchantOrder(), merchantOrder()];
    const created = [];
    for (const order of orders) created.push(await create(order));
    expect(created.map((response) => response.statusCode)).toEqual([200, 200]);
    // Its deduction fails: the order stays MCH_COMPLETE, USER_PAYING, for the run to find.
    sandbox.stayPaying(JSON.parse(created[0]!.body).order_id);
    const complete = (order: Record<string, unknown>, overrides: Partial<OperationDependencies>) =>
      handler([completeServiceOrder], overrides)(
        httpApiEvent({ body: JSON.stringify({ post_payments: [{ name: 'plan', amount: 1000, count: 1 }], total_amount: 1000 }) }, `/merchant/service-orders/${order.out_trade_no}/complete`),
        lambdaContext(),
      );
    sandbox.injectFault({ kind: 'hang' });
    expect((await complete(orders[0]!, { deadlineMs: 300 })).statusCode).toBe(504);
    expect((await complete(orders[1]!, { transport: async () => Promise.reject(new Error('socket hang up')), retry: { maxRetries: 0 } })).statusCode).toBeGreaterThanOrEqual(500);

    await reconcile();
    const completed = (order: Record<string, unknown>) => aws.item(intentKey(orderKey(order.out_trade_no as string), 'complete'));
    expect(await completed(orders[0]!)).toMatchObject({ status: 'DONE', completed_by: 'reconciliation' });
    expect(await aws.item(orderKey(orders[0]!.out_trade_no as string))).toMatchObject({ state: 'DOING', state_description: 'MCH_COMPLETE', source: 'reconciliation' });
    expect(await completed(orders[1]!)).toMatchObject({ status: 'FAILED', completed_by: 'reconciliation' });
    expect(await aws.item(orderKey(orders[1]!.out_trade_no as string))).toMatchObject({ state: 'CREATED' });
  });

  it("a partner's create whose answer never came: its run records the sub-merchant's order and completes the intent DONE", async () => {
    sandbox.injectFault({ kind: 'hang' });
    const order = partnerOrder();
    const response = await handler([createServiceOrder], { deadlineMs: 300 }, 'partner')(httpApiEvent({ body: JSON.stringify(order) }, '/partner/service-orders'), lambdaContext());
    expect(response.statusCode).toBe(504);
    const key = serviceOrderKey({ mchid: world.partner.mchid, subMchid: SEED_SUB_MCHID, outOrderNo: order.out_trade_no as string });
    // The merchant's run does not see the partner's account.
    await reconcile();
    expect(await aws.item(intentKey(key, 'create'))).toMatchObject({ status: 'PENDING' });
    await reconcile({}, {}, 'partner');
    expect(await aws.item(key)).toMatchObject({ state: 'CREATED', sub_mchid: SEED_SUB_MCHID, source: 'reconciliation' });
    expect(await aws.item(intentKey(key, 'create'))).toMatchObject({ status: 'DONE', completed_by: 'reconciliation' });
  });

  it('an intent younger than RECONCILE_PENDING_AFTER_S is left for a later run', async () => {
    const order = merchantOrder();
    await create(order, { transport: async () => Promise.reject(new Error('socket hang up')), retry: { maxRetries: 0 } });
    await reconcile({ pendingAfterS: 60 });
    expect(await intentOf(order)).toMatchObject({ status: 'PENDING' });
    await reconcile();
    expect(await intentOf(order)).toMatchObject({ status: 'FAILED' });
  });
});

describe('reconciliation: user sign plans', () => {
  const HOUR = 3_600_000;
  /** A sign plan the sandbox holds SIGNED, in the ledger as `change` makes it, last changed `hoursAgo`. */
  async function signPlanInLedger(hoursAgo: number, change: (view: Record<string, unknown>) => Record<string, unknown> = (view) => view) {
    const seeded = sandbox.seedSignPlan({ mchid: world.merchant.mchid, merchant_plan_detail_nos: [1, 2].map((n) => `${Date.now()}${Math.random().toString(36).slice(2, 8)}D${n}`) });
    const key: UserSignPlanKey = { mchid: world.merchant.mchid, merchantSignPlanNo: seeded.merchant_sign_plan_no };
    const fields = change(sandbox.signPlan(seeded.sign_plan_id));
    const at = new Date(Date.now() - hoursAgo * HOUR).toISOString();
    const from = { source: 'notification' as const, sourceId: 'N1', at, tieBreak: 'N1', receivedAt: at };
    const said = { text: JSON.stringify(fields), fields };
    await Promise.all([aws.ledger().applyChange(userSignPlanChange(key, said, from)!), ...userSignPlanDetailChanges(key, said, from).map((detail) => aws.ledger().applyChange(detail))]);
    return { seeded, key, item: await aws.item(userSignPlanKey(key)) };
  }
  const askedFor = (calls: string[], number: string) => calls.filter((url) => url.includes(`/merchant-sign-plan-no/${number}`)).length;
  const counting = (calls: string[]): Transport => (url, request) => (calls.push(url), nodeTransport()(url, request));

  it('SIGNED with no plan detail in service: not asked, moved to the back of the index, its state and version untouched', async () => {
    const { seeded, key, item } = await signPlanInLedger(2);
    const calls: string[] = [];
    await reconcile({}, { transport: counting(calls) });
    expect(askedFor(calls, seeded.merchant_sign_plan_no)).toBe(0);
    const after = await aws.item(userSignPlanKey(key));
    expect(after).toMatchObject({ state: 'SIGNED', version: item!.version, source: 'notification', pending_pk: item!.pending_pk });
    expect(after!.checked_at).toEqual(after!.pending_since);
    expect(Date.parse(after!.pending_since as string)).toBeGreaterThan(Date.parse(item!.pending_since as string) + HOUR);
  });

  it('SIGNED with a plan detail in service: asked, and the detail WeChat Pay since completed is recorded USED', async () => {
    const { seeded, key } = await signPlanInLedger(2, (view) => ({
      ...view,
      signed_detail_list: (view.signed_detail_list as Record<string, unknown>[]).map((detail, index) => (index === 0 ? { ...detail, plan_detail_state: 'USING' } : detail)),
    }));
    const response = await create(merchantOrder({ sign_plan_id: seeded.sign_plan_id, out_trade_no: seeded.details[0]!.merchant_plan_detail_no }));
    expect(response.statusCode, response.body).toBe(200);
    sandbox.completeOrder(JSON.parse(response.body).order_id);
    sandbox.deductNow(JSON.parse(response.body).order_id);
    const calls: string[] = [];
    const summary = await reconcile({}, { transport: counting(calls) });
    expect(askedFor(calls, seeded.merchant_sign_plan_no)).toBe(1);
    expect(summary.errors).toBe(0);
    expect(await aws.item(userSignPlanDetailKey(key, 1))).toMatchObject({ state: 'USED', source: 'reconciliation' });
    expect(await aws.item(userSignPlanKey(key))).toMatchObject({ state: 'SIGNED', source: 'reconciliation' });
  });

  it("UNSIGNED past its package's 2 hours: asked, and the signing whose notification was lost is recorded; within them, left alone", async () => {
    const unsigned = (view: Record<string, unknown>) => ({ ...view, sign_state: 'UNSIGNED', sign_time: undefined });
    const old = await signPlanInLedger(3, unsigned);
    const fresh = await signPlanInLedger(1, unsigned);
    const calls: string[] = [];
    const summary = await reconcile({}, { transport: counting(calls) });
    expect(askedFor(calls, old.seeded.merchant_sign_plan_no)).toBe(1);
    expect(askedFor(calls, fresh.seeded.merchant_sign_plan_no)).toBe(0);
    expect(summary.repaired.user_sign_plan).toBeGreaterThanOrEqual(1);
    expect(await aws.item(userSignPlanKey(old.key))).toMatchObject({ state: 'SIGNED', source: 'reconciliation' });
    expect(await aws.item(userSignPlanKey(fresh.key))).toEqual(fresh.item);
  });
});

describe('reconciliation: open service orders', () => {
  it('an answer older than what the ledger holds changes nothing but the order\'s place: moved to the back, its state and version kept', async () => {
    const order = merchantOrder();
    const response = await create(order);
    const key = { mchid: world.merchant.mchid, outOrderNo: order.out_trade_no as string };
    // A notification stamped an hour ahead of this clock, received two hours ago.
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    const received = new Date(Date.now() - 7_200_000).toISOString();
    const said = { text: response.body, fields: { ...JSON.parse(response.body), state: 'DOING', state_description: 'USER_CONFIRM' } };
    expect(await aws.ledger().applyChange(serviceOrderChange(key, said, { source: 'notification', sourceId: 'N2', at: ahead, tieBreak: 'N2', receivedAt: received })!)).toBe(true);
    const before = await aws.item(orderKey(key.outOrderNo));
    sandbox.confirmOrder(JSON.parse(response.body).order_id);

    const summary = await reconcile();
    expect(summary.errors).toBe(0);
    const after = await aws.item(orderKey(key.outOrderNo));
    expect(after).toMatchObject({ state: 'DOING', version: before!.version, source: 'notification', checked_at: after!.pending_since });
    expect((after!.pending_since as string) > received).toBe(true);
  });

  it('an order WeChat Pay does not know: logged, counted, moved to the back, asked again by a later run', async () => {
    const order = merchantOrder();
    const key = { mchid: world.merchant.mchid, outOrderNo: `${order.out_trade_no as string}X` };
    const at = new Date(Date.now() - 7_200_000).toISOString();
    const said = { text: '{}', fields: { state: 'CREATED', service_id: order.service_id, appid: order.appid } };
    await aws.ledger().applyChange(serviceOrderChange(key, said, { source: 'notification', sourceId: 'N3', at, tieBreak: 'N3', receivedAt: at })!);

    const summary = await reconcile();
    expect(summary.errors).toBeGreaterThanOrEqual(1);
    const warning = log.lines.find((line) => line.level === 'warn' && line.attributes.object === orderKey(key.outOrderNo).pk)!;
    expect(warning.attributes).toMatchObject({ kind: 'service_order', error: expect.objectContaining({ status: 404 }) });
    const after = await aws.item(orderKey(key.outOrderNo));
    expect(after).toMatchObject({ state: 'CREATED', checked_at: after!.pending_since });
    expect((after!.pending_since as string) > at).toBe(true);
  });
});

describe('reconciliation: metrics', () => {
  it('each run emits found, repaired and left for every kind, zeros included, and each call to WeChat Pay by its entry and status', async () => {
    const summary = await reconcile();
    const docs = metrics.emitted();
    const byKind = docs.filter((doc) => 'ReconciliationFound' in doc);
    expect(byKind.map((doc) => doc.kind)).toEqual(['intent', 'service_order', 'user_sign_plan']);
    for (const doc of byKind) {
      const kind = doc.kind as keyof typeof summary.found;
      expect(doc).toEqual({ kind, ReconciliationFound: summary.found[kind], ReconciliationRepaired: expect.any(Number), ReconciliationLeft: summary.left[kind] });
    }
    expect(byKind.find((doc) => doc.kind === 'intent')!.ReconciliationRepaired).toBe(summary.repaired.intent_done + summary.repaired.intent_failed);
    expect(docs.filter((doc) => 'WechatpayCalls' in doc)).toHaveLength(summary.asked);
  });
});
