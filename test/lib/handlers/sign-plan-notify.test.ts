/**
 * PAYSCORE.USER_SIGN_PLAN and PAYSCORE.USER_CANCEL_SIGN_PLAN at the notify handler, sent and retried by the
 * sandbox as WeChat Pay sends them, landing in the ledger on dynalite: the user sign plan and each of its details.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAccountsFromDevKeys, startSandbox, type Sandbox } from '../../../dev/sandbox';
import type { DevAccount } from '../../../dev/keys';
import { deductionNotifyHandler } from '../../../lib/handlers/deduction-notify';
import { pendingPartition, userSignPlanDetailKey, userSignPlanKey, type UserSignPlanKey } from '../../../lib/ledger/keys';
import { call, MERCHANT_PATH, merchantOrder, startReceiver } from '../../dev/sandbox/helpers';
import { createTestWorld, type TestWorld } from '../../helpers/accounts';
import { httpApiEvent, lambdaContext } from '../../helpers/events';
import { serveLambda, type LambdaServer } from '../../helpers/lambda-http';
import { startLocalAws, type LocalAws } from '../../helpers/local-aws';
import { recordingLog, type RecordingLog } from '../../helpers/logs';
import { recordingMetrics } from '../../helpers/metrics';

const SERVICE_ID = '2002000000000558128851361561536';
const APPID = 'wxd678efh567hg6787';
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
const SUB_MCHID = '1900000109';
const PRICE = 3000;

let world: TestWorld;
let aws: LocalAws;
let sandbox: Sandbox;
let merchantLog: RecordingLog;
let partnerLog: RecordingLog;
let receivers: LambdaServer[];
/** Where notifications go while a test makes one "lost on the way": it answers 204 and keeps them. */
let sink: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  world = await createTestWorld();
  aws = await startLocalAws({ merchant: world.secret(world.merchant), partner: world.secret(world.partner) });
  merchantLog = recordingLog();
  partnerLog = recordingLog();
  const serve = (log: RecordingLog, secretId: string) => {
    const secrets = aws.secretCache(secretId);
    return serveLambda(deductionNotifyHandler(log, () => ({ secrets, ledger: aws.ledger() }), recordingMetrics()));
  };
  receivers = await Promise.all([serve(merchantLog, 'merchant'), serve(partnerLog, 'partner')]);
  sink = await startReceiver();
  sandbox = await startSandbox({
    accounts: sandboxAccountsFromDevKeys(world),
    wechatpay: world.wechatpay,
    retryTimeScale: 0.001,
    resolveNotifyUrl: (url) => url.replace(/^https:\/\/merchant\.example\/(merchant|partner)/, (_match, kind) => receivers[kind === 'merchant' ? 0 : 1]!.url),
  });
});
afterAll(async () => {
  await sandbox.close();
  await Promise.all([...receivers, sink].map((server) => server.close()));
  await aws.close();
});

let sequence = 0;
const number = (prefix: string) => `${prefix}${Date.now()}${++sequence}`;

interface Pending {
  signPlanId: string;
  key: UserSignPlanKey;
  detailNos: string[];
  account: DevAccount;
}

/** A plan of three details and a user sign plan of it, pre-signed (UNSIGNED) through the sandbox's signed API, its notify_url the account's notify route. */
async function presigned(kind: 'merchant' | 'partner' = 'merchant'): Promise<Pending> {
  const account = kind === 'merchant' ? world.merchant : world.partner;
  const sub = kind === 'partner' ? { sub_mchid: SUB_MCHID } : {};
  const plan = await call(sandbox, account, 'POST', kind === 'merchant' ? '/v3/payscore/plan/payscore-plans' : '/v3/payscore/plan/partner/payscore-plans', {
    service_id: SERVICE_ID,
    appid: APPID,
    ...sub,
    plan_name: '羽毛球课3节',
    plan_duration: 30,
    deduction_quantity: 3,
    total_original_price: 3 * PRICE,
    total_actual_price: 3 * PRICE,
    plan_detail_list: [1, 2, 3].map((n) => ({ original_price: PRICE, actual_price: PRICE, plan_detail_name: `第${n}节` })),
    merchant_plan_no: number('P'),
  });
  expect(plan.status, plan.raw.toString()).toBe(200);
  const merchantSignPlanNo = number('S');
  const base = number('D');
  const detailNos = [1, 2, 3].map((n) => `${base}-${n}`);
  const signPlan = await call(sandbox, account, 'POST', kind === 'merchant' ? '/v3/payscore/sign-plan/user-sign-plans' : '/v3/payscore/sign-plan/partner/user-sign-plans', {
    service_id: SERVICE_ID,
    plan_id: plan.json.plan_id,
    appid: APPID,
    ...sub,
    openid: OPENID,
    merchant_sign_plan_no: merchantSignPlanNo,
    notify_url: `https://merchant.example/${kind}/notify`,
    sign_plan_detail: detailNos.map((merchantPlanDetailNo, index) => ({ plan_detail_no: index + 1, merchant_plan_detail_no: merchantPlanDetailNo })),
  });
  expect(signPlan.status, signPlan.raw.toString()).toBe(200);
  const signPlanId = (signPlan.json.sign_plan as { sign_plan_id: string }).sign_plan_id;
  return { signPlanId, key: { mchid: account.mchid, subMchid: kind === 'partner' ? SUB_MCHID : undefined, merchantSignPlanNo }, detailNos, account };
}

/** Every delivery of the notification done: the outcome each copy got in the handler's log. */
async function delivered(notificationId: string, log = merchantLog): Promise<unknown[]> {
  const records = await sandbox.waitForDelivery(notificationId);
  expect(records.map((record) => record.outcome)).toEqual(records.map(() => 'delivered'));
  return log.lines.filter((line) => line.attributes.notification_id === notificationId).map((line) => line.attributes.outcome);
}

/** The sandbox's sign plan as WeChat Pay would answer it now. */
const wechatpaySays = (signPlanId: string) => sandbox.signPlan(signPlanId) as Record<string, unknown> & { signed_detail_list: Record<string, unknown>[] };

/** The user signs while notifications go to the sink: WeChat Pay sent it, this system has not seen it yet. */
async function signedUnseen(pending: Pending): Promise<string> {
  sandbox.forward(sink.url);
  try {
    const { notificationId } = sandbox.signSignPlan(pending.signPlanId);
    await sandbox.waitForDelivery(notificationId);
    return notificationId;
  } finally {
    sandbox.forward(null);
  }
}

describe('sign-plan notifications: the user signs', () => {
  it('USER_SIGN_PLAN applied: SIGNED with sign_time, each detail NOT_USED with its merchant_plan_detail_no, the plan open', async () => {
    const pending = await presigned();
    const { notificationId } = sandbox.signSignPlan(pending.signPlanId);
    expect(await delivered(notificationId)).toEqual(['applied']);

    const said = wechatpaySays(pending.signPlanId);
    const record = await aws.record(userSignPlanKey(pending.key));
    expect(record.object).toMatchObject({
      kind: 'USER_SIGN_PLAN',
      mchid: world.merchant.mchid,
      merchant_sign_plan_no: pending.key.merchantSignPlanNo,
      state: 'SIGNED',
      sign_time: said.sign_time,
      sign_plan_id: pending.signPlanId,
      plan_id: said.plan_id,
      cancel_sign_type: 'NOT_CANCEL',
      going_detail_no: 0,
      source: 'notification',
      source_id: notificationId,
      // SIGNED is not final: the reconciliation finds it.
      pending_pk: pendingPartition(world.merchant.mchid, 'USER_SIGN_PLAN'),
    });
    expect(said.sign_time).toMatch(/\+08:00$/);
    expect(record.object).not.toHaveProperty('sub_mchid');
    expect(record.object).not.toHaveProperty('cancel_sign_time');
    expect(record.details).toEqual(
      pending.detailNos.map((merchantPlanDetailNo, index) =>
        expect.objectContaining({
          ...userSignPlanDetailKey(pending.key, index + 1),
          kind: 'USER_SIGN_PLAN_DETAIL',
          plan_detail_no: index + 1,
          merchant_plan_detail_no: merchantPlanDetailNo,
          state: 'NOT_USED',
          actual_price: PRICE,
          source_id: notificationId,
        }),
      ),
    );
    expect(record.details.map((detail) => detail.order_id)).toEqual([undefined, undefined, undefined]);
    expect(record.notifications).toMatchObject([{ id: notificationId, event_type: 'PAYSCORE.USER_SIGN_PLAN', merchant_sign_plan_no: pending.key.merchantSignPlanNo }]);
  });

  it('the same USER_SIGN_PLAN delivered 3 times concurrently: three 2xx, applied once', async () => {
    const pending = await presigned();
    const { notificationId } = sandbox.signSignPlan(pending.signPlanId, { copies: 3, concurrent: true });
    expect(((await delivered(notificationId)) as string[]).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    const record = await aws.record(userSignPlanKey(pending.key));
    expect(record.notifications).toHaveLength(1);
    expect(record.object).toMatchObject({ state: 'SIGNED', source_id: notificationId });
    expect(record.details.map((detail) => detail.state)).toEqual(['NOT_USED', 'NOT_USED', 'NOT_USED']);
  });

  it('a partner\'s sign plan lands under the sub-merchant, and nothing under the service provider alone', async () => {
    const pending = await presigned('partner');
    const { notificationId } = sandbox.signSignPlan(pending.signPlanId);
    expect(await delivered(notificationId, partnerLog)).toEqual(['applied']);
    const record = await aws.record(userSignPlanKey(pending.key));
    expect(record.object).toMatchObject({ mchid: world.partner.mchid, sub_mchid: SUB_MCHID, state: 'SIGNED', sign_time: wechatpaySays(pending.signPlanId).sign_time });
    expect(record.details.map((detail) => [detail.sub_mchid, detail.state, detail.merchant_plan_detail_no])).toEqual(pending.detailNos.map((no) => [SUB_MCHID, 'NOT_USED', no]));
    expect(record.notifications).toHaveLength(1);
    expect((await aws.record(userSignPlanKey({ ...pending.key, subMchid: undefined }))).notifications).toEqual([]);
  });

  it('a forged USER_SIGN_PLAN (one body byte changed after signing) is refused with 401 and writes nothing; the genuine one lands', async () => {
    const pending = await presigned();
    const from = sink.received.length;
    const notificationId = await signedUnseen(pending);
    const genuine = sink.received[from]!;
    const headers = Object.fromEntries(Object.entries(genuine.headers).map(([name, value]) => [name, String(value)]));
    const body = genuine.body.toString('utf8');
    const forged = body.replace('"summary":"', '"summary":"!');
    expect(forged).not.toBe(body);
    const handler = deductionNotifyHandler(merchantLog, () => ({ secrets: aws.secretCache('merchant'), ledger: aws.ledger() }), recordingMetrics());
    const before = await aws.items();
    const refused = await handler(httpApiEvent({ headers, body: forged }), lambdaContext());
    expect(refused.statusCode).toBe(401);
    expect(merchantLog.lines.at(-1)!.attributes).toMatchObject({ code: 'WECHATPAY_SIGNATURE_MISMATCH' });
    expect(await aws.items()).toEqual(before);

    expect((await handler(httpApiEvent({ headers, body }), lambdaContext())).statusCode).toBe(204);
    expect(merchantLog.lines.at(-1)!.attributes).toMatchObject({ notification_id: notificationId, outcome: 'applied' });
    expect(await aws.item(userSignPlanKey(pending.key))).toMatchObject({ state: 'SIGNED' });
  });
});

describe('sign-plan notifications: the user cancels', () => {
  it('USER_CANCEL_SIGN_PLAN after the sign: SIGN_PLAN_CANCEL with the cancel fields, no longer open', async () => {
    const pending = await presigned();
    const signed = sandbox.signSignPlan(pending.signPlanId);
    expect(await delivered(signed.notificationId)).toEqual(['applied']);
    const cancelled = sandbox.userCancelSignPlan(pending.signPlanId, { reason: '不想上课了', type: 'USER' });
    expect(await delivered(cancelled.notificationId)).toEqual(['applied']);

    const said = wechatpaySays(pending.signPlanId);
    const record = await aws.record(userSignPlanKey(pending.key));
    expect(record.object).toMatchObject({
      state: 'SIGN_PLAN_CANCEL',
      sign_time: said.sign_time,
      cancel_sign_time: said.cancel_sign_time,
      cancel_sign_type: 'USER',
      cancel_reason: '不想上课了',
      source_id: cancelled.notificationId,
    });
    expect(said.cancel_sign_time).toMatch(/\+08:00$/);
    expect(record.object).not.toHaveProperty('pending_pk');
    expect(record.notifications.map((notification) => notification.event_type)).toEqual(['PAYSCORE.USER_SIGN_PLAN', 'PAYSCORE.USER_CANCEL_SIGN_PLAN']);
  });

  it('an old USER_SIGN_PLAN arriving after the cancel is recorded late and leaves it cancelled; a replay of it is a duplicate', async () => {
    const pending = await presigned();
    const signId = await signedUnseen(pending);
    const cancelled = sandbox.userCancelSignPlan(pending.signPlanId, { type: 'REVOKE_SERVICE', reason: '解除授权' });
    expect(await delivered(cancelled.notificationId)).toEqual(['applied']);

    sandbox.replayNotification(signId);
    expect(await delivered(signId)).toEqual(['late']);
    sandbox.replayNotification(signId);
    expect(await delivered(signId)).toEqual(['late', 'duplicate']);

    const record = await aws.record(userSignPlanKey(pending.key));
    expect(record.object).toMatchObject({ state: 'SIGN_PLAN_CANCEL', cancel_sign_type: 'REVOKE_SERVICE', cancel_reason: '解除授权', source_id: cancelled.notificationId });
    expect(record.object).not.toHaveProperty('pending_pk');
    // Both told the details NOT_USED, within the same second (create_time has no finer grain): whichever id orders later holds them, alike.
    expect(record.details.map((detail) => detail.state)).toEqual(['NOT_USED', 'NOT_USED', 'NOT_USED']);
    expect(record.notifications.map((notification) => notification.id)).toEqual([cancelled.notificationId, signId]);
  });
});

describe('sign-plan notifications: details', () => {
  it("a detail's state, order_id and actual_pay_price move forward only: USED with its order stays so when the older NOT_USED arrives", async () => {
    const pending = await presigned();
    const signId = await signedUnseen(pending);
    const order = await call(
      sandbox,
      world.merchant,
      'POST',
      MERCHANT_PATH,
      merchantOrder({ sign_plan_id: pending.signPlanId, plan_detail_no: 1, out_trade_no: pending.detailNos[0], notify_url: 'https://merchant.example/merchant/notify' }),
    );
    expect(order.status, order.raw.toString()).toBe(200);
    const orderId = order.json.order_id as string;
    await delivered(sandbox.completeOrder(orderId).notificationId);
    const cancelled = sandbox.userCancelSignPlan(pending.signPlanId);
    expect(await delivered(cancelled.notificationId)).toEqual(['applied']);
    const [first] = wechatpaySays(pending.signPlanId).signed_detail_list;
    expect(first).toMatchObject({ plan_detail_state: 'USED', order_id: orderId, actual_pay_price: PRICE });

    sandbox.replayNotification(signId);
    expect(await delivered(signId)).toEqual(['late']);
    const { details } = await aws.record(userSignPlanKey(pending.key));
    expect(details.map((detail) => [detail.state, detail.order_id, detail.actual_pay_price])).toEqual([
      ['USED', orderId, PRICE],
      ['NOT_USED', undefined, undefined],
      ['NOT_USED', undefined, undefined],
    ]);
    expect(details[0]).toMatchObject({ use_time: first!.use_time, complete_time: first!.complete_time, source_id: cancelled.notificationId });
  });
});
