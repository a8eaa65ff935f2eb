/** Plans, user sign plans, and a service order's query, complete and cancel, through signed HTTP requests, with their notifications. */
import { describe, expect, it } from 'vitest';
import { SIGN_PLAN_RETRY_DELAYS_MS, USER_CANCEL_SIGN_PLAN, USER_PAID, USER_SIGN_PLAN, type Sandbox } from '../../../dev/sandbox';
import { scaledRetryDelays } from '../../../dev/sandbox/retry-schedule';
import { call, merchantOrder, MERCHANT_PATH, NOTIFY_URL, openNotification, partnerOrder, PARTNER_PATH, perTestSandboxFixture, post, signerFor, SUB_MCHID, verifierFor, type Reaction } from './helpers';

const fx = perTestSandboxFixture();
const SERVICE_ID = '2002000000000558128851361561536';
const APPID = 'wxd678efh567hg6787';

let sequence = 0;
const number = (prefix: string) => `${prefix}${Date.now()}${++sequence}`;

const planRequest = (overrides: Record<string, unknown> = {}) => ({
  service_id: SERVICE_ID,
  appid: APPID,
  plan_name: '羽毛球课3节',
  plan_duration: 30,
  deduction_quantity: 3,
  total_original_price: 9000,
  total_actual_price: 8000,
  plan_detail_list: [
    { original_price: 3000, actual_price: 3000, plan_detail_name: '第一节' },
    { original_price: 3000, actual_price: 2500, plan_discount_description: '九折', plan_detail_name: '第二节' },
    { original_price: 3000, actual_price: 2500, plan_detail_name: '第三节' },
  ],
  merchant_plan_no: number('P'),
  ...overrides,
});

const signPlanRequest = (planId: string, overrides: Record<string, unknown> = {}) => {
  const base = number('D');
  return {
    service_id: SERVICE_ID,
    plan_id: planId,
    appid: APPID,
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    merchant_sign_plan_no: number('S'),
    notify_url: 'https://merchant.example/merchant/notify',
    sign_plan_detail: [1, 2, 3].map((n) => ({ plan_detail_no: n, merchant_plan_detail_no: `${base}-${n}` })),
    ...overrides,
  };
};

/** A plan, a user sign plan of it (pre-signed), and the user's signature. */
async function signedPlan(sandbox: Sandbox) {
  const plan = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/plan/payscore-plans', planRequest());
  const request = signPlanRequest(plan.json.plan_id as string);
  const presigned = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/sign-plan/user-sign-plans', request);
  const signPlan = presigned.json.sign_plan as Record<string, unknown>;
  const { notificationId } = sandbox.signSignPlan(signPlan.sign_plan_id as string);
  await sandbox.waitForDelivery(notificationId);
  return { plan: plan.json, request, signPlanId: signPlan.sign_plan_id as string };
}

describe('plans', () => {
  it('are created NORMAL with their details numbered from 1, queried by merchant_plan_no, and stopped', async () => {
    const { sandbox } = await fx.setUp();
    const request = planRequest();
    const created = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/plan/payscore-plans', request);
    expect(created.status).toBe(200);
    expect(created.json).toEqual({
      plan_id: expect.stringMatching(/^\d{32}$/),
      service_id: SERVICE_ID,
      mchid: fx.world.merchant.mchid,
      appid: APPID,
      merchant_plan_no: request.merchant_plan_no,
      plan_name: request.plan_name,
      plan_duration: 30,
      plan_state: 'NORMAL',
      total_original_price: 9000,
      deduction_quantity: 3,
      total_actual_price: 8000,
      plan_detail_list: request.plan_detail_list.map((detail, index) => ({ plan_detail_no: index + 1, ...detail })),
    });
    const path = `/v3/payscore/plan/payscore-plans/merchant-plan-no/${request.merchant_plan_no}`;
    expect((await call(sandbox, fx.world.merchant, 'GET', path)).json).toEqual(created.json);
    const stopped = await call(sandbox, fx.world.merchant, 'POST', `${path}/stop`);
    expect(stopped.json).toMatchObject({ plan_state: 'STOP', stop_mchid: fx.world.merchant.mchid, stop_time: expect.stringMatching(/\+08:00$/) });
    // A stopped plan takes no new signers.
    const refused = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/sign-plan/user-sign-plans', signPlanRequest(created.json.plan_id as string));
    expect(refused.json).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('is STOP') });
  });

  it('answer a repeat of the same request with the same plan, and refuse the number with another request', async () => {
    const { sandbox } = await fx.setUp();
    const request = planRequest();
    const first = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/plan/payscore-plans', request);
    expect((await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/plan/payscore-plans', request)).json.plan_id).toBe(first.json.plan_id);
    expect((await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/plan/payscore-plans', { ...request, plan_name: 'other' })).json.code).toBe('INVALID_REQUEST');
  });

  it.each([
    ['a deduction_quantity other than the details', { deduction_quantity: 2 }, '/deduction_quantity'],
    ['an actual_price above the previous detail’s', { plan_detail_list: [{ original_price: 3000, actual_price: 2000, plan_detail_name: 'a' }, { original_price: 3000, actual_price: 2500, plan_detail_name: 'b' }], deduction_quantity: 2, total_original_price: 6000, total_actual_price: 4500 }, '/plan_detail_list/1/actual_price'],
    ['totals other than the sums', { total_actual_price: 1 }, '/total_actual_price'],
    ['a plan_name of 21 characters', { plan_name: '课'.repeat(21) }, '/plan_name'],
    ['an unknown field', { extra: 1 }, '/extra'],
    ['a merchant_plan_no with a space', { merchant_plan_no: 'P 1' }, '/merchant_plan_no'],
  ])('refuse %s with 400 PARAM_ERROR naming it as a JSON Pointer', async (_name, change, field) => {
    const { sandbox } = await fx.setUp();
    const answer = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/plan/payscore-plans', planRequest(change));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field, location: 'body' } });
  });

  it('of a partner name the sub-merchant, and are queried with ?sub_mchid=', async () => {
    const { sandbox } = await fx.setUp();
    const request = planRequest({ sub_mchid: SUB_MCHID });
    const created = await call(sandbox, fx.world.partner, 'POST', '/v3/payscore/plan/partner/payscore-plans', request);
    expect(created.json).toMatchObject({ mchid: fx.world.partner.mchid, sub_mchid: SUB_MCHID, plan_state: 'NORMAL' });
    const path = `/v3/payscore/plan/partner/payscore-plans/merchant-plan-no/${request.merchant_plan_no}`;
    expect((await call(sandbox, fx.world.partner, 'GET', `${path}?sub_mchid=${SUB_MCHID}`)).json.plan_id).toBe(created.json.plan_id);
    expect((await call(sandbox, fx.world.partner, 'GET', path)).json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'sub_mchid', location: 'query' } });
    expect((await call(sandbox, fx.world.partner, 'POST', `${path}/stop`, { sub_mchid: SUB_MCHID })).json.plan_state).toBe('STOP');
    // The merchant route is not the provider's.
    expect((await call(sandbox, fx.world.partner, 'POST', '/v3/payscore/plan/payscore-plans', planRequest())).json.code).toBe('NO_AUTH');
  });
});

describe('user sign plans', () => {
  it('are pre-signed UNSIGNED with a package; the user signs: SIGNED, and PAYSCORE.USER_SIGN_PLAN to their notify_url', async () => {
    const { receiver, sandbox } = await fx.setUp();
    const plan = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/plan/payscore-plans', planRequest());
    const request = signPlanRequest(plan.json.plan_id as string);
    const presigned = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/sign-plan/user-sign-plans', request);
    expect(presigned.status).toBe(200);
    expect(presigned.json.package).toMatch(/^[A-Za-z0-9_-]{28}$/);
    const signPlan = presigned.json.sign_plan as Record<string, unknown>;
    expect(signPlan).toMatchObject({
      sign_plan_id: expect.stringMatching(/^\d{32}$/),
      mchid: fx.world.merchant.mchid,
      merchant_sign_plan_no: request.merchant_sign_plan_no,
      merchant_callback_url: request.notify_url,
      plan_id: plan.json.plan_id,
      going_detail_no: 0,
      sign_state: 'UNSIGNED',
      cancel_sign_type: 'NOT_CANCEL',
      total_origin_price: 9000,
      total_actual_price: 8000,
      deduction_quantity: 3,
    });
    expect(signPlan.signed_detail_list).toEqual(request.sign_plan_detail.map((detail, index) => expect.objectContaining({ ...detail, plan_detail_state: 'NOT_USED', actual_price: [3000, 2500, 2500][index] })));

    const { notificationId } = sandbox.signSignPlan(signPlan.sign_plan_id as string);
    const [delivery] = await sandbox.waitForDelivery(notificationId);
    expect(delivery).toMatchObject({ signPlanId: signPlan.sign_plan_id, eventType: USER_SIGN_PLAN, outcome: 'delivered' });
    expect(notificationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const { envelope, plaintext } = openNotification(receiver.received[0]!, verifierFor(fx.world.wechatpay), fx.world.merchant.apiV3Key);
    expect(envelope).toMatchObject({ id: notificationId, event_type: USER_SIGN_PLAN, summary: '用户签约计划成功', resource: { original_type: 'payscore', associated_data: 'payscore' } });
    expect(plaintext).toMatchObject({ sign_plan_id: signPlan.sign_plan_id, openid: request.openid, sign_state: 'SIGNED', sign_time: expect.stringMatching(/\+08:00$/), plan_name: '羽毛球课3节' });
    expect(plaintext).not.toHaveProperty('sub_mchid');

    const queried = await call(sandbox, fx.world.merchant, 'GET', `/v3/payscore/sign-plan/user-sign-plans/merchant-sign-plan-no/${request.merchant_sign_plan_no}`);
    expect(queried.json).toEqual(plaintext);
    // Signing twice is refused.
    expect(() => sandbox.signSignPlan(signPlan.sign_plan_id as string)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it.each([
    ['a missing detail', (request: ReturnType<typeof signPlanRequest>) => ({ ...request, sign_plan_detail: request.sign_plan_detail.slice(0, 2) }), '/sign_plan_detail'],
    ['details out of order', (request: ReturnType<typeof signPlanRequest>) => ({ ...request, sign_plan_detail: [...request.sign_plan_detail].reverse() }), '/sign_plan_detail/0/plan_detail_no'],
    ['an http notify_url', (request: ReturnType<typeof signPlanRequest>) => ({ ...request, notify_url: 'http://merchant.example/notify' }), '/notify_url'],
  ])('refuse %s with 400 PARAM_ERROR', async (_name, change, field) => {
    const { sandbox } = await fx.setUp();
    const plan = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/plan/payscore-plans', planRequest());
    const answer = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/sign-plan/user-sign-plans', change(signPlanRequest(plan.json.plan_id as string)));
    expect(answer.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field } });
  });

  it('refuse a merchant_plan_detail_no another sign plan of the merchant uses', async () => {
    const { sandbox } = await fx.setUp();
    const plan = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/plan/payscore-plans', planRequest());
    const first = signPlanRequest(plan.json.plan_id as string);
    await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/sign-plan/user-sign-plans', first);
    const second = await call(sandbox, fx.world.merchant, 'POST', '/v3/payscore/sign-plan/user-sign-plans', signPlanRequest(plan.json.plan_id as string, { sign_plan_detail: first.sign_plan_detail }));
    expect(second.json).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('already used by another sign plan') });
  });

  it('are stopped by the merchant with a stop_reason: SIGN_PLAN_CANCEL (MERCHANT), without a notification', async () => {
    const { receiver, sandbox } = await fx.setUp();
    const { request } = await signedPlan(sandbox);
    const path = `/v3/payscore/sign-plan/user-sign-plans/merchant-sign-plan-no/${request.merchant_sign_plan_no}/stop`;
    expect((await call(sandbox, fx.world.merchant, 'POST', path, {})).json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/stop_reason' } });
    const stopped = await call(sandbox, fx.world.merchant, 'POST', path, { stop_reason: '用户退课' });
    expect(stopped.json).toMatchObject({ sign_state: 'SIGN_PLAN_CANCEL', cancel_sign_type: 'MERCHANT', cancel_reason: '用户退课', cancel_sign_time: expect.stringMatching(/\+08:00$/) });
    await sandbox.idle();
    expect(receiver.received).toHaveLength(1);
  });

  it('cancelled by the user are SIGN_PLAN_CANCEL (USER), with PAYSCORE.USER_CANCEL_SIGN_PLAN retried every 60 s (scaled), 11 attempts in all', async () => {
    // The signing's USER_SIGN_PLAN fails its 11 attempts first, then the cancel's.
    const { sandbox } = await fx.setUp(Array<Reaction>(22).fill(503), { retryTimeScale: 0.00001 });
    const { signPlanId } = await signedPlan(sandbox);
    const { notificationId } = sandbox.userCancelSignPlan(signPlanId, { reason: '不想上了' });
    const [delivery] = await sandbox.waitForDelivery(notificationId);
    expect(delivery).toMatchObject({ eventType: USER_CANCEL_SIGN_PLAN, signPlanId, outcome: 'failed' });
    expect(sandbox.deliveries().map((record) => [record.eventType, record.attempts.length])).toEqual([
      [USER_SIGN_PLAN, 11],
      [USER_CANCEL_SIGN_PLAN, 11],
    ]);
    expect(sandbox.signPlan(signPlanId)).toMatchObject({ sign_state: 'SIGN_PLAN_CANCEL', cancel_sign_type: 'USER', cancel_reason: '不想上了' });
    expect(SIGN_PLAN_RETRY_DELAYS_MS).toEqual(Array(10).fill(60_000));
    expect(scaledRetryDelays(0.001, SIGN_PLAN_RETRY_DELAYS_MS)).toEqual(Array(10).fill(60));
  });

  it('expire: an UNSIGNED one 2 h after its pre-sign (the package), a SIGNED one plan_duration days after signing', async () => {
    let now = Date.parse('2026-12-04T01:00:00Z');
    const clock = () => now;
    const { sandbox } = await fx.setUp([], { clock });
    const account = fx.world.merchant;
    const signed = (path: string, body: unknown) => post(sandbox.url, path, JSON.stringify(body), signerFor(account, clock));
    const plan = await signed('/v3/payscore/plan/payscore-plans', planRequest());
    const unsigned = await signed('/v3/payscore/sign-plan/user-sign-plans', signPlanRequest(plan.json.plan_id as string));
    const toSign = await signed('/v3/payscore/sign-plan/user-sign-plans', signPlanRequest(plan.json.plan_id as string));
    sandbox.signSignPlan((toSign.json.sign_plan as { sign_plan_id: string }).sign_plan_id);
    now += 2 * 3_600_000 + 1;
    const unsignedId = (unsigned.json.sign_plan as { sign_plan_id: string }).sign_plan_id;
    expect(sandbox.signPlan(unsignedId).sign_state).toBe('EXPIRE');
    expect(() => sandbox.signSignPlan(unsignedId)).toThrow(expect.objectContaining({ message: expect.stringContaining('is EXPIRE') }));
    const signedId = (toSign.json.sign_plan as { sign_plan_id: string }).sign_plan_id;
    expect(sandbox.signPlan(signedId).sign_state).toBe('SIGNED');
    now += 30 * 86_400_000;
    expect(sandbox.signPlan(signedId).sign_state).toBe('EXPIRE');
    await sandbox.idle();
  });

  it('of a partner take exactly one of openid and sub_openid, and are queried with ?sub_mchid=', async () => {
    const { sandbox } = await fx.setUp();
    const plan = await call(sandbox, fx.world.partner, 'POST', '/v3/payscore/plan/partner/payscore-plans', planRequest({ sub_mchid: SUB_MCHID }));
    const request = { ...signPlanRequest(plan.json.plan_id as string), sub_mchid: SUB_MCHID };
    const both = await call(sandbox, fx.world.partner, 'POST', '/v3/payscore/sign-plan/partner/user-sign-plans', { ...request, sub_openid: 'o2', sub_appid: 'wx2' });
    expect(both.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/openid' } });
    const presigned = await call(sandbox, fx.world.partner, 'POST', '/v3/payscore/sign-plan/partner/user-sign-plans', request);
    expect(presigned.json.sign_plan).toMatchObject({ mchid: fx.world.partner.mchid, sub_mchid: SUB_MCHID, sign_state: 'UNSIGNED' });
    const path = `/v3/payscore/sign-plan/partner/user-sign-plans/merchant-sign-plan-no/${request.merchant_sign_plan_no}`;
    expect((await call(sandbox, fx.world.partner, 'GET', `${path}?sub_mchid=${SUB_MCHID}`)).json.sign_state).toBe('UNSIGNED');
    expect((await call(sandbox, fx.world.partner, 'POST', `${path}/stop`, { sub_mchid: SUB_MCHID, stop_reason: 'r' })).json.sign_state).toBe('SIGN_PLAN_CANCEL');
  });
});

const complete = (total = 3000, extra: Record<string, unknown> = {}) => ({ appid: APPID, service_id: SERVICE_ID, post_payments: [{ name: '第一节', amount: total, count: 1 }], total_amount: total, ...extra });
const cancel = { appid: APPID, service_id: SERVICE_ID, reason: '用户取消' };

/** A signed plan's order for detail 1 (price 3000). */
async function orderOnPlan(sandbox: Sandbox) {
  const { request, signPlanId } = await signedPlan(sandbox);
  const order = merchantOrder({ sign_plan_id: signPlanId, out_trade_no: request.sign_plan_detail[0]!.merchant_plan_detail_no, notify_url: NOTIFY_URL });
  const created = await call(sandbox, fx.world.merchant, 'POST', MERCHANT_PATH, order);
  expect(created.status).toBe(200);
  return { order, created: created.json, signPlanId, request };
}

describe('service orders', () => {
  it('are queried by out_order_no or query_id, with service_id and appid', async () => {
    const { sandbox } = await fx.setUp();
    const { order, created } = await orderOnPlan(sandbox);
    const byNumber = await call(sandbox, fx.world.merchant, 'GET', `/v3/payscore/serviceorder?service_id=${SERVICE_ID}&appid=${APPID}&out_order_no=${String(order.out_trade_no)}`);
    expect(byNumber.json).toEqual(created);
    expect((await call(sandbox, fx.world.merchant, 'GET', `/v3/payscore/serviceorder?service_id=${SERVICE_ID}&appid=${APPID}&query_id=${String(created.order_id)}`)).json).toEqual(created);
    expect((await call(sandbox, fx.world.merchant, 'GET', `/v3/payscore/serviceorder?service_id=${SERVICE_ID}&appid=${APPID}`)).json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'out_order_no', location: 'query' } });
    expect((await call(sandbox, fx.world.merchant, 'GET', `/v3/payscore/serviceorder?service_id=${SERVICE_ID}&out_order_no=X`)).json).toMatchObject({ detail: { field: 'appid' } });
    expect((await call(sandbox, fx.world.merchant, 'GET', `/v3/payscore/serviceorder?service_id=${SERVICE_ID}&appid=${APPID}&out_order_no=NOPE`)).status).toBe(404);
    expect((await call(sandbox, fx.world.merchant, 'GET', `/v3/payscore/serviceorder?service_id=${SERVICE_ID}&appid=wxother&out_order_no=${String(order.out_trade_no)}`)).json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'appid', value: 'wxother', location: 'query' } });
  });

  it('are completed by the merchant (DOING, MCH_COMPLETE), then deducted by the sandbox: DONE, PAYSCORE.USER_PAID, the detail USED with its price paid', async () => {
    const { receiver, sandbox } = await fx.setUp();
    const { order, created, signPlanId } = await orderOnPlan(sandbox);
    const path = `/v3/payscore/serviceorder/${String(order.out_trade_no)}/complete`;
    const completed = await call(sandbox, fx.world.merchant, 'POST', path, complete(2800, { post_discounts: [{ name: '会员', description: '会员价', amount: 200 }], post_payments: [{ name: '第一节', amount: 3000, count: 1 }] }));
    expect(completed.status).toBe(200);
    expect(completed.json).toMatchObject({ state: 'DOING', state_description: 'MCH_COMPLETE', total_amount: 2800, need_collection: true, collection: { state: 'USER_PAYING', paying_amount: 2800, paid_amount: 0 } });
    const paidId = sandbox.order(created.order_id as string).paidNotificationId!;
    const [delivery] = await sandbox.waitForDelivery(paidId);
    expect(delivery).toMatchObject({ eventType: USER_PAID, orderId: created.order_id, outcome: 'delivered' });
    const { plaintext } = openNotification(receiver.received.at(-1)!, verifierFor(fx.world.wechatpay), fx.world.merchant.apiV3Key);
    expect(plaintext).toMatchObject({ out_order_no: order.out_trade_no, out_trade_no: order.out_trade_no, state: 'DONE', total_amount: 2800, post_payments: [{ amount: 3000, count: 1 }], collection: { state: 'USER_PAID', paid_amount: 2800 } });
    expect(plaintext).not.toHaveProperty('state_description');
    expect((sandbox.signPlan(signPlanId).signed_detail_list as unknown[])[0]).toMatchObject({ plan_detail_state: 'USED', order_id: created.order_id, actual_pay_price: 2800, complete_time: expect.any(String) });
    // The same complete again answers the same; another is refused.
    expect((await call(sandbox, fx.world.merchant, 'POST', path, complete(2800, { post_discounts: [{ name: '会员', description: '会员价', amount: 200 }], post_payments: [{ name: '第一节', amount: 3000, count: 1 }] }))).json.state).toBe('DONE');
    expect((await call(sandbox, fx.world.merchant, 'POST', path, complete(3000))).json.code).toBe('INVALID_REQUEST');
  });

  it('refuse a complete whose total_amount is not the payments less the discounts, or exceeds the detail’s price', async () => {
    const { sandbox } = await fx.setUp();
    const { order } = await orderOnPlan(sandbox);
    const path = `/v3/payscore/serviceorder/${String(order.out_trade_no)}/complete`;
    expect((await call(sandbox, fx.world.merchant, 'POST', path, { ...complete(), total_amount: 1 })).json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/total_amount', value: 1 } });
    expect((await call(sandbox, fx.world.merchant, 'POST', path, complete(3001))).json).toMatchObject({ code: 'INVALID_REQUEST', message: "total_amount 3001 exceeds the plan detail's price 3000" });
    expect((await call(sandbox, fx.world.merchant, 'POST', path, { ...complete(), post_payments: [] })).json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/post_payments' } });
  });

  it('confirmed by the user are DOING (USER_CONFIRM) and may still be completed', async () => {
    const { sandbox } = await fx.setUp();
    const { order, created } = await orderOnPlan(sandbox);
    await sandbox.waitForDelivery(sandbox.confirmOrder(created.order_id as string).notificationId);
    const queried = await call(sandbox, fx.world.merchant, 'GET', `/v3/payscore/serviceorder?service_id=${SERVICE_ID}&appid=${APPID}&out_order_no=${String(order.out_trade_no)}`);
    expect(queried.json).toMatchObject({ state: 'DOING', state_description: 'USER_CONFIRM' });
    expect((await call(sandbox, fx.world.merchant, 'POST', `/v3/payscore/serviceorder/${String(order.out_trade_no)}/complete`, complete())).json.state_description).toBe('MCH_COMPLETE');
  });

  it('are cancelled while CREATED (REVOKED, the detail cancelled), refused during the deduction, and allowed again once it stays USER_PAYING', async () => {
    const { sandbox } = await fx.setUp([], { deductAfterMs: 600_000 });
    const first = await orderOnPlan(sandbox);
    const cancelPath = (order: Record<string, unknown>) => `/v3/payscore/serviceorder/${String(order.out_trade_no)}/cancel`;
    const cancelled = await call(sandbox, fx.world.merchant, 'POST', cancelPath(first.order), cancel);
    expect(cancelled.json).toEqual({ appid: APPID, mchid: fx.world.merchant.mchid, out_order_no: first.order.out_trade_no, service_id: SERVICE_ID, order_id: first.created.order_id });
    expect(sandbox.order(first.created.order_id as string).state).toBe('REVOKED');
    expect((await call(sandbox, fx.world.merchant, 'POST', cancelPath(first.order), cancel)).json).toEqual(cancelled.json);
    expect((await call(sandbox, fx.world.merchant, 'POST', `/v3/payscore/serviceorder/${String(first.order.out_trade_no)}/complete`, complete())).json.code).toBe('INVALID_REQUEST');

    const second = await orderOnPlan(sandbox);
    await call(sandbox, fx.world.merchant, 'POST', `/v3/payscore/serviceorder/${String(second.order.out_trade_no)}/complete`, complete());
    const during = await call(sandbox, fx.world.merchant, 'POST', cancelPath(second.order), cancel);
    expect(during.json).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('单据正在扣款中') });
    sandbox.stayPaying(second.created.order_id as string);
    expect((await call(sandbox, fx.world.merchant, 'POST', cancelPath(second.order), cancel)).status).toBe(200);
    expect((sandbox.signPlan(second.signPlanId).signed_detail_list as unknown[])[0]).toMatchObject({ plan_detail_state: 'SIGN_PLAN_DETAIL_CANCEL', cancel_time: expect.any(String) });
    expect(sandbox.order(second.created.order_id as string)).toMatchObject({ state: 'REVOKED' });
  });

  it('are deducted late when told so', async () => {
    const { sandbox } = await fx.setUp([], { deductAfterMs: 600_000 });
    const { order, created } = await orderOnPlan(sandbox);
    await call(sandbox, fx.world.merchant, 'POST', `/v3/payscore/serviceorder/${String(order.out_trade_no)}/complete`, complete());
    sandbox.deductLate(created.order_id as string, 5);
    await sandbox.waitForDelivery(sandbox.order(created.order_id as string).paidNotificationId!);
    expect(sandbox.order(created.order_id as string).state).toBe('DONE');
  });

  it('of a partner are queried with sub_mchid, completed and cancelled with 204 answers, signed', async () => {
    const { sandbox } = await fx.setUp();
    const order = partnerOrder();
    const created = await call(sandbox, fx.world.partner, 'POST', PARTNER_PATH, order);
    const query = `/v3/payscore/partner/serviceorder?service_id=${SERVICE_ID}&sub_mchid=${SUB_MCHID}&out_order_no=${String(order.out_trade_no)}`;
    expect((await call(sandbox, fx.world.partner, 'GET', query)).json).toEqual(created.json);
    const completed = await call(sandbox, fx.world.partner, 'POST', `/v3/payscore/partner/serviceorder/${String(order.out_trade_no)}/complete`, { sub_mchid: SUB_MCHID, ...complete(1000), appid: undefined });
    expect([completed.status, completed.raw.length]).toEqual([204, 0]);
    expect(() => verifierFor(fx.world.wechatpay).verify(completed.headers, completed.raw)).not.toThrow();
    const other = partnerOrder();
    await call(sandbox, fx.world.partner, 'POST', PARTNER_PATH, other);
    const cancelled = await call(sandbox, fx.world.partner, 'POST', `/v3/payscore/partner/serviceorder/${String(other.out_trade_no)}/cancel`, { service_id: SERVICE_ID, sub_mchid: SUB_MCHID, reason: 'r' });
    expect(cancelled.status).toBe(204);
    await sandbox.idle();
  });
});
