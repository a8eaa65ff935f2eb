/**
 * The lifecycle routes through their handlers, for a merchant and a partner: plans, user sign
 * plans, and a service order's create, complete, cancel, sync and GET, against the sandbox (its
 * notifications delivered to the notify handler) and dynalite, through the real SDK clients.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sandboxAccountsFromDevKeys, startSandbox, type Sandbox } from '../../../dev/sandbox';
import { deductionNotifyHandler } from '../../../lib/handlers/deduction-notify';
import { operationsHandler, type OperationDependencies } from '../../../lib/handlers/operations';
import { nodeTransport } from '../../../lib/http/transport';
import { intentKey, planKey, serviceOrderKey, userSignPlanDetailKey, userSignPlanKey, type Account } from '../../../lib/ledger/keys';
import { PLAN_DETAIL_STATES } from '../../../lib/ledger/states';
import type { AccountKind } from '../../../lib/operations/operation';
import { LIFECYCLE_OPERATIONS } from '../../../lib/operations/routes';
import { createServiceOrder } from '../../../lib/operations/service-order-create';
import type { Transport } from '../../../lib/wechatpay';
import { createOrder, PARTNER_PATH, startReceiver } from '../../dev/sandbox/helpers';
import { createTestWorld, type TestWorld } from '../../helpers/accounts';
import { lambdaContext } from '../../helpers/events';
import { serveLambda, type LambdaServer } from '../../helpers/lambda-http';
import { ledgerFailsAfter, startLocalAws, type LocalAws } from '../../helpers/local-aws';
import { recordingLog, type RecordingLog } from '../../helpers/logs';
import { recordingMetrics, type RecordingMetrics } from '../../helpers/metrics';

const SERVICE_ID = '2002000000000558128851361561536';
const APPID = 'wxd678efh567hg6787';
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
const SUB_MCHID = '1900000109';
const PRICES = [3000, 2500, 2000];

let world: TestWorld;
let aws: LocalAws;
let sandbox: Sandbox;
let log: RecordingLog;
let metrics: RecordingMetrics;
let receivers: Record<AccountKind, LambdaServer>;
/** Where notifications go while a test has one "lost on the way": it answers 204 and keeps them. */
let sink: Awaited<ReturnType<typeof startReceiver>>;
/** Every call the handlers made to WeChat Pay, as `METHOD path`. */
let calls: string[];

beforeAll(async () => {
  world = await createTestWorld();
  aws = await startLocalAws({ merchant: world.secret(world.merchant), partner: world.secret(world.partner) });
  const notify = (secretId: string) => serveLambda(deductionNotifyHandler(recordingLog(), () => ({ secrets: aws.secretCache(secretId), ledger: aws.ledger() }), recordingMetrics()));
  receivers = { merchant: await notify('merchant'), partner: await notify('partner') };
  sink = await startReceiver();
  sandbox = await startSandbox({
    accounts: sandboxAccountsFromDevKeys(world),
    wechatpay: world.wechatpay,
    retryTimeScale: 0.001,
    // Deductions only when a test asks (deductNow): the order of events is the test's.
    deductAfterMs: 3_600_000,
    resolveNotifyUrl: (url) => url.replace(/^https:\/\/merchant\.example\/(merchant|partner)\/notify/, (_match, kind: AccountKind) => receivers[kind].url),
  });
});
afterAll(async () => {
  await sandbox.close();
  await Promise.all([...Object.values(receivers), sink].map((server) => server.close()));
  await aws.close();
});
beforeEach(() => {
  log = recordingLog();
  metrics = recordingMetrics();
  calls = [];
  sandbox.clearFaults();
  aws.ledgerProxy.set('pass');
});

const counting: Transport = (url, request) => {
  calls.push(`${request.method} ${new URL(url).pathname}`);
  return nodeTransport()(url, request);
};

const deps = (kind: AccountKind): OperationDependencies => ({
  secrets: aws.secretCache(kind),
  ledger: aws.ledger(),
  transport: counting,
  baseUrl: sandbox.url,
  notifyUrl: `https://merchant.example/${kind}/notify`,
  retry: { backoffBaseMs: 1, maxRetries: 0 },
});

interface Answer {
  status: number;
  json: Record<string, unknown>;
  headers: Record<string, unknown>;
}

/** One request to the account's functions as API Gateway's HTTP API delivers it: the create function or the lifecycle one. */
async function request(kind: AccountKind, method: 'GET' | 'POST', path: string, body?: unknown, query: Record<string, string | undefined> = {}, overrides: Partial<OperationDependencies> = {}): Promise<Answer> {
  const full = `/${kind}${path}`;
  const dependencies = () => ({ ...deps(kind), ...overrides });
  const handler = method === 'POST' && path === '/service-orders' ? operationsHandler(kind, [createServiceOrder], log, dependencies, metrics) : operationsHandler(kind, LIFECYCLE_OPERATIONS, log, dependencies, metrics);
  const event = {
    version: '2.0',
    routeKey: `${method} ${full}`,
    rawPath: full,
    rawQueryString: '',
    queryStringParameters: Object.keys(query).length ? query : undefined,
    headers: {},
    requestContext: { http: { method, path: full }, requestId: 'api-request-1' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const response = await handler(event, lambdaContext());
  return { status: response.statusCode, json: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {}, headers: response.headers ?? {} };
}

let sequence = 0;
const number = (prefix: string) => `${prefix}${Date.now().toString(36)}${(++sequence).toString(36)}`.toUpperCase();

const accountOf = (kind: AccountKind): Account => (kind === 'merchant' ? { mchid: world.merchant.mchid } : { mchid: world.partner.mchid, subMchid: SUB_MCHID });
const sub = (kind: AccountKind): Record<string, string> => (kind === 'partner' ? { sub_mchid: SUB_MCHID } : {});

const planBody = (kind: AccountKind, merchantPlanNo = number('P')) => ({
  service_id: SERVICE_ID,
  appid: APPID,
  ...sub(kind),
  plan_name: '羽毛球课3节',
  plan_duration: 30,
  deduction_quantity: 3,
  total_original_price: PRICES.reduce((a, b) => a + b),
  total_actual_price: PRICES.reduce((a, b) => a + b),
  plan_detail_list: PRICES.map((price, index) => ({ original_price: price, actual_price: price, plan_detail_name: `第${index + 1}节` })),
  merchant_plan_no: merchantPlanNo,
});

interface SignPlan {
  kind: AccountKind;
  merchantSignPlanNo: string;
  signPlanId: string;
  detailNos: string[];
  package: string;
}

/** A plan of three details, pre-signed for a user through the routes: UNSIGNED. */
async function presigned(kind: AccountKind): Promise<SignPlan> {
  const plan = await request(kind, 'POST', '/plans', planBody(kind));
  expect(plan.status, JSON.stringify(plan.json)).toBe(200);
  const merchantSignPlanNo = number('S');
  const detailNos = [1, 2, 3].map((n) => `${merchantSignPlanNo}-${n}`);
  const signPlan = await request(kind, 'POST', '/user-sign-plans', {
    service_id: SERVICE_ID,
    plan_id: plan.json.plan_id,
    appid: APPID,
    ...sub(kind),
    openid: OPENID,
    merchant_sign_plan_no: merchantSignPlanNo,
    sign_plan_detail: detailNos.map((merchantPlanDetailNo, index) => ({ plan_detail_no: index + 1, merchant_plan_detail_no: merchantPlanDetailNo })),
  });
  expect(signPlan.status, JSON.stringify(signPlan.json)).toBe(200);
  const signed = signPlan.json.sign_plan as { sign_plan_id: string };
  return { kind, merchantSignPlanNo, signPlanId: signed.sign_plan_id, detailNos, package: signPlan.json.package as string };
}

/** The user signs at WeChat Pay; PAYSCORE.USER_SIGN_PLAN reaches the notify handler. */
async function signed(kind: AccountKind): Promise<SignPlan> {
  const signPlan = await presigned(kind);
  const { notificationId } = sandbox.signSignPlan(signPlan.signPlanId);
  await sandbox.waitForDelivery(notificationId);
  return signPlan;
}

const orderBody = (signPlan: SignPlan, detail: number, overrides: Record<string, unknown> = {}) => ({
  service_id: SERVICE_ID,
  sign_plan_id: signPlan.signPlanId,
  plan_detail_no: detail,
  appid: APPID,
  ...(signPlan.kind === 'partner' ? { sub_mchid: SUB_MCHID, sub_appid: 'wxd678efh567hg6999', sub_openid: OPENID } : { openid: OPENID }),
  service_introduction: '羽毛球课基础练习课程',
  time_range: { start_time: '20091225091010' },
  out_trade_no: signPlan.detailNos[detail - 1],
  ...overrides,
});

/** Detail `detail`'s order: created, completed at the detail's price, deducted; USER_PAID delivered. */
async function served(signPlan: SignPlan, detail: number): Promise<string> {
  const outOrderNo = signPlan.detailNos[detail - 1]!;
  const created = await request(signPlan.kind, 'POST', '/service-orders', orderBody(signPlan, detail));
  expect(created.status, JSON.stringify(created.json)).toBe(200);
  const completed = await request(signPlan.kind, 'POST', `/service-orders/${outOrderNo}/complete`, sub(signPlan.kind));
  expect(completed.status, JSON.stringify(completed.json)).toBe(signPlan.kind === 'merchant' ? 200 : 204);
  const { notificationId } = sandbox.deductNow(created.json.order_id as string);
  await sandbox.waitForDelivery(notificationId);
  return created.json.order_id as string;
}

/** The ledger learns detail 1 of the merchant's sign plan USED (as a sync of an order made elsewhere would say). */
const detailUsedElsewhere = (signPlan: SignPlan) =>
  aws.ledger().applyChange({
    item: userSignPlanDetailKey({ ...accountOf('merchant'), merchantSignPlanNo: signPlan.merchantSignPlanNo }, 1),
    kind: 'USER_SIGN_PLAN_DETAIL',
    machine: PLAN_DETAIL_STATES,
    order: { state: 'USED', at: '2026-12-01T00:00:00Z', tieBreak: 'sync' },
    identity: {},
    data: {},
    once: {},
    source: 'sync',
    sourceId: undefined,
    receivedAt: '2026-12-01T00:00:00Z',
  });

describe('lifecycle routes: the whole way, merchant and partner', () => {
  it.each(['merchant', 'partner'] as const)('%s: a plan, a user sign plan signed, details 1 and 2 served and paid; the GET shows it all', async (kind) => {
    const signPlan = await signed(kind);
    expect(signPlan.package).toEqual(expect.any(String));
    const first = await served(signPlan, 1);
    const second = await served(signPlan, 2);

    const answer = await request(kind, 'GET', `/user-sign-plans/${signPlan.merchantSignPlanNo}`, undefined, sub(kind));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ kind: 'USER_SIGN_PLAN', state: 'SIGNED', sign_plan_id: signPlan.signPlanId, merchant_sign_plan_no: signPlan.merchantSignPlanNo, package: signPlan.package });
    const details = answer.json.details as Record<string, unknown>[];
    expect(details.map((detail) => [detail.plan_detail_no, detail.state, detail.merchant_plan_detail_no, detail.actual_price])).toEqual([
      [1, 'USED', signPlan.detailNos[0], PRICES[0]],
      [2, 'USED', signPlan.detailNos[1], PRICES[1]],
      [3, 'NOT_USED', signPlan.detailNos[2], PRICES[2]],
    ]);
    expect(details.map((detail) => detail.order)).toEqual([
      { out_order_no: signPlan.detailNos[0], order_id: first, state: 'DONE', collection_state: 'USER_PAID', paid_amount: PRICES[0] },
      { out_order_no: signPlan.detailNos[1], order_id: second, state: 'DONE', collection_state: 'USER_PAID', paid_amount: PRICES[1] },
      undefined,
    ]);
    expect(answer.json).not.toHaveProperty('pk');
    expect(answer.json).not.toHaveProperty('version');

    const order = await request(kind, 'GET', `/service-orders/${signPlan.detailNos[0]}`, undefined, sub(kind));
    expect(order.status).toBe(200);
    expect(order.json).toMatchObject({ kind: 'SERVICE_ORDER', state: 'DONE', order_id: first, merchant_sign_plan_no: signPlan.merchantSignPlanNo, completed_at: expect.any(String) });
    expect(order.json.collection).toMatchObject({ state: 'USER_PAID', paid_amount: PRICES[0] });
    expect((order.json.intents as Record<string, unknown>[]).map((intent) => [intent.operation, intent.status]).sort()).toEqual([
      ['complete', 'DONE'],
      ['create', 'DONE'],
    ]);
    expect((order.json.notifications as Record<string, unknown>[]).map((notification) => notification.event_type)).toEqual(['PAYSCORE.USER_PAID']);
  });

  it('the plan and the user sign plan as the ledger records them, each create written ahead and completed', async () => {
    const signPlan = await presigned('merchant');
    const account = accountOf('merchant');
    const signPlanRecord = await aws.record(userSignPlanKey({ ...account, merchantSignPlanNo: signPlan.merchantSignPlanNo }));
    expect(signPlanRecord.object).toMatchObject({ state: 'UNSIGNED', source: 'create', package: signPlan.package, sign_plan_id: signPlan.signPlanId });
    expect(Date.parse(signPlanRecord.object!.package_expires_at as string) - Date.parse(signPlanRecord.intents[0]!.created_at as string)).toBe(2 * 3_600_000);
    expect(signPlanRecord.details.map((detail) => [detail.state, detail.merchant_plan_detail_no])).toEqual(signPlan.detailNos.map((no) => ['NOT_USED', no]));
    expect(signPlanRecord.intents).toMatchObject([{ operation: 'create', status: 'DONE', completed_by: 'create', http_status: 200, method: 'POST', path: '/v3/payscore/sign-plan/user-sign-plans' }]);
    expect(JSON.parse(signPlanRecord.intents[0]!.request as string)).toMatchObject({ notify_url: 'https://merchant.example/merchant/notify', merchant_sign_plan_no: signPlan.merchantSignPlanNo });
    expect(signPlanRecord.intents[0]).not.toHaveProperty('pending_pk');
    const [plan] = sandbox.plans().filter((candidate) => candidate.plan_id === (sandbox.signPlan(signPlan.signPlanId) as { plan_id: string }).plan_id);
    const planRecord = await aws.record(planKey({ ...account, merchantPlanNo: plan!.merchant_plan_no as string }));
    expect(planRecord.object).toMatchObject({ kind: 'PLAN', state: 'NORMAL', plan_id: plan!.plan_id, deduction_quantity: 3, total_actual_price: 7500 });
    expect(JSON.parse(planRecord.object!.plan_detail_list as string)).toEqual(plan!.plan_detail_list);
    const said = log.lines.filter((line) => line.level === 'info').map((line) => [line.message, line.attributes.merchant_plan_no ?? line.attributes.merchant_sign_plan_no, line.attributes.account, line.attributes.ledger]);
    expect(said).toEqual([
      ['plan.create: WeChat Pay answered 200', plan!.merchant_plan_no, 'merchant', 'recorded'],
      ['user-sign-plan.create: WeChat Pay answered 200', signPlan.merchantSignPlanNo, 'merchant', 'applied'],
    ]);
    expect(log.lines.at(-1)!.attributes.user_ref).toMatch(/^[0-9a-f]{16}$/);
    expect(log.text()).not.toContain(OPENID);
  });
});

describe('lifecycle routes: checks before WeChat Pay (409, nothing sent)', () => {
  it('an order for an UNSIGNED sign plan → 409 SIGN_PLAN_NOT_SIGNED; its intent FAILED, so the same order goes through once signed', async () => {
    const signPlan = await presigned('merchant');
    calls = [];
    const answer = await request('merchant', 'POST', '/service-orders', orderBody(signPlan, 1));
    expect([answer.status, answer.json.code]).toEqual([409, 'SIGN_PLAN_NOT_SIGNED']);
    expect(calls).toEqual([]);
    // The rules are read while the intent is written: the intent this call wrote is refused at once.
    const key = serviceOrderKey({ ...accountOf('merchant'), outOrderNo: signPlan.detailNos[0]! });
    const intent = await aws.item(intentKey(key, 'create'));
    expect(intent).toMatchObject({ status: 'FAILED', http_status: 409, completed_by: 'create' });
    expect(JSON.parse(intent!.response as string)).toMatchObject({ code: 'SIGN_PLAN_NOT_SIGNED' });
    expect(intent).not.toHaveProperty('pending_pk');
    await sandbox.waitForDelivery(sandbox.signSignPlan(signPlan.signPlanId).notificationId);
    expect((await request('merchant', 'POST', '/service-orders', orderBody(signPlan, 1))).status).toBe(200);
    expect(await aws.item(intentKey(key, 'create'))).toMatchObject({ status: 'DONE' });
  });

  it('a rule broken by a repeat of a call still PENDING leaves that intent as it was: another call may have it in flight', async () => {
    const signPlan = await signed('merchant');
    const order = orderBody(signPlan, 1);
    const key = serviceOrderKey({ ...accountOf('merchant'), outOrderNo: signPlan.detailNos[0]! });
    // An earlier attempt whose answer went unrecorded: PENDING.
    expect((await request('merchant', 'POST', '/service-orders', order, {}, { transport: ledgerFailsAfter(aws, counting) })).status).toBe(200);
    aws.ledgerProxy.set('pass');
    // Meanwhile the ledger learnt the detail used (a sync, say): the repeat breaks a rule.
    await detailUsedElsewhere(signPlan);
    const repeat = await request('merchant', 'POST', '/service-orders', order);
    expect([repeat.status, repeat.json.code]).toEqual([409, 'PLAN_DETAIL_USED']);
    expect(await aws.item(intentKey(key, 'create'))).toMatchObject({ status: 'PENDING' });
  });

  it.each([
    ['a plan_detail_no the sign plan lacks', { plan_detail_no: 9 }, 'PLAN_DETAIL_UNKNOWN'],
    ["an out_trade_no that is not the detail's merchant_plan_detail_no", { out_trade_no: 'ANOTHER-NUMBER' }, 'OUT_TRADE_NO_NOT_PLAN_DETAIL'],
  ])('%s → 409 %s', async (_name, overrides, code) => {
    const signPlan = await signed('partner');
    calls = [];
    const answer = await request('partner', 'POST', '/service-orders', orderBody(signPlan, 1, overrides));
    expect([answer.status, answer.json.code]).toEqual([409, code]);
    expect(answer.json.message).toEqual(expect.stringContaining(code === 'PLAN_DETAIL_UNKNOWN' ? 'plan_detail_no 9' : signPlan.detailNos[0]!));
    expect(calls).toEqual([]);
  });

  it('an order while another of the sign plan is in service → 409 SIGN_PLAN_ORDER_OPEN; once that one is paid, the next goes through', async () => {
    const signPlan = await signed('merchant');
    const first = await request('merchant', 'POST', '/service-orders', orderBody(signPlan, 1));
    expect(first.status).toBe(200);
    calls = [];
    const third = await request('merchant', 'POST', '/service-orders', orderBody(signPlan, 3));
    expect([third.status, third.json.code]).toEqual([409, 'SIGN_PLAN_ORDER_OPEN']);
    expect(third.json.message).toContain(`plan detail 1, ${signPlan.detailNos[0]}`);
    expect(calls).toEqual([]);
    expect((await request('merchant', 'POST', `/service-orders/${signPlan.detailNos[0]}/complete`, {})).status).toBe(200);
    await sandbox.waitForDelivery(sandbox.deductNow(first.json.order_id as string).notificationId);
    expect((await request('merchant', 'POST', '/service-orders', orderBody(signPlan, 2))).status).toBe(200);
  });

  it('a detail the ledger knows is used (its order elsewhere) → 409 PLAN_DETAIL_USED', async () => {
    const signPlan = await signed('merchant');
    await detailUsedElsewhere(signPlan);
    calls = [];
    const answer = await request('merchant', 'POST', '/service-orders', orderBody(signPlan, 1));
    expect([answer.status, answer.json.code]).toEqual([409, 'PLAN_DETAIL_USED']);
    expect(calls).toEqual([]);
  });

  it('a sign plan the ledger does not know: the call goes through and WeChat Pay decides', async () => {
    const signPlan = await signed('merchant');
    calls = [];
    const order = orderBody(signPlan, 1, { sign_plan_id: 'UNKNOWN0000000000000000000000001' });
    const answer = await request('merchant', 'POST', '/service-orders', order);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('is not a user sign plan of this merchant') });
    expect(calls).toEqual(['POST /v3/payscore/sign-plan/serviceorder']);
    // Refused: the intent is FAILED, so the number may be used again.
    const intent = await aws.item(intentKey(serviceOrderKey({ ...accountOf('merchant'), outOrderNo: signPlan.detailNos[0]! }), 'create'));
    expect(intent).toMatchObject({ status: 'FAILED', http_status: 400, completed_by: 'create' });
    expect(intent).not.toHaveProperty('pending_pk');
    expect((await request('merchant', 'POST', '/service-orders', orderBody(signPlan, 1))).status).toBe(200);
  });
});

describe('lifecycle routes: cancel, stop, sync', () => {
  it('cancel while CREATED → REVOKED; the detail is given up and the next one may follow', async () => {
    const signPlan = await signed('partner');
    expect((await request('partner', 'POST', '/service-orders', orderBody(signPlan, 1))).status).toBe(200);
    const cancelled = await request('partner', 'POST', `/service-orders/${signPlan.detailNos[0]}/cancel`, { reason: '用户取消' }, sub('partner'));
    expect(cancelled.status).toBe(204);
    const order = await aws.item(serviceOrderKey({ ...accountOf('partner'), outOrderNo: signPlan.detailNos[0]! }));
    expect(order).toMatchObject({ state: 'REVOKED', source: 'cancel', cancelled_at: expect.any(String) });
    expect(order).not.toHaveProperty('pending_pk');
    const view = await request('partner', 'GET', `/user-sign-plans/${signPlan.merchantSignPlanNo}`, undefined, sub('partner'));
    expect((view.json.details as Record<string, unknown>[])[0]).toMatchObject({ state: 'SIGN_PLAN_DETAIL_CANCEL', order: { state: 'REVOKED' } });
    expect((await request('partner', 'POST', '/service-orders', orderBody(signPlan, 2))).status).toBe(200);
  });

  it('a cancel during the deduction is refused by WeChat Pay and says so; the intent is FAILED, a later cancel may go', async () => {
    const signPlan = await signed('merchant');
    expect((await request('merchant', 'POST', '/service-orders', orderBody(signPlan, 1))).status).toBe(200);
    expect((await request('merchant', 'POST', `/service-orders/${signPlan.detailNos[0]}/complete`)).status).toBe(200);
    const refused = await request('merchant', 'POST', `/service-orders/${signPlan.detailNos[0]}/cancel`, { reason: '用户取消' });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('单据正在扣款中') });
    const key = serviceOrderKey({ ...accountOf('merchant'), outOrderNo: signPlan.detailNos[0]! });
    expect(await aws.item(intentKey(key, 'cancel'))).toMatchObject({ status: 'FAILED', http_status: 400 });
    expect(await aws.item(key)).toMatchObject({ state: 'DOING', state_description: 'MCH_COMPLETE' });
  });

  it('a repeated stop is answered from the ledger, as the first; the plan is STOP', async () => {
    const plan = await request('merchant', 'POST', '/plans', planBody('merchant'));
    const path = `/plans/${plan.json.merchant_plan_no as string}/stop`;
    const first = await request('merchant', 'POST', path);
    calls = [];
    const again = await request('merchant', 'POST', path);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.json).toEqual(first.json);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(calls).toEqual([]);
    expect(log.lines.at(-1)).toMatchObject({
      message: 'repeated request: answered as the first time, nothing sent to WeChat Pay',
      attributes: { object: planKey({ ...accountOf('merchant'), merchantPlanNo: plan.json.merchant_plan_no as string }).pk, operation: 'plan.stop' },
    });
    expect((await request('merchant', 'GET', `/plans/${plan.json.merchant_plan_no as string}`)).json).toMatchObject({ state: 'STOP', stop_mchid: world.merchant.mchid, source: 'stop' });
  });

  it('a user sign plan stopped by the merchant: SIGN_PLAN_CANCEL, MERCHANT', async () => {
    const signPlan = await signed('partner');
    const stopped = await request('partner', 'POST', `/user-sign-plans/${signPlan.merchantSignPlanNo}/stop`, { stop_reason: '不再需要' }, sub('partner'));
    expect(stopped.status).toBe(200);
    const record = await aws.item(userSignPlanKey({ ...accountOf('partner'), merchantSignPlanNo: signPlan.merchantSignPlanNo }));
    expect(record).toMatchObject({ state: 'SIGN_PLAN_CANCEL', cancel_sign_type: 'MERCHANT', cancel_reason: '不再需要', source: 'stop' });
  });

  /** What `act` makes WeChat Pay send goes to the sink: sent, and never seen here. */
  async function lost(act: () => { notificationId: string }): Promise<void> {
    sandbox.forward(sink.url);
    try {
      await sandbox.waitForDelivery(act().notificationId);
    } finally {
      sandbox.forward(null);
    }
  }

  it('sync asks WeChat Pay and applies what it says: a confirmation whose notification was lost', async () => {
    const signPlan = await signed('merchant');
    const created = await request('merchant', 'POST', '/service-orders', orderBody(signPlan, 1));
    const key = serviceOrderKey({ ...accountOf('merchant'), outOrderNo: signPlan.detailNos[0]! });
    await lost(() => sandbox.confirmOrder(created.json.order_id as string));
    expect(await aws.item(key)).toMatchObject({ state: 'CREATED' });
    const synced = await request('merchant', 'POST', `/service-orders/${signPlan.detailNos[0]}/sync`);
    expect(synced.status).toBe(200);
    expect(await aws.item(key)).toMatchObject({ state: 'DOING', state_description: 'USER_CONFIRM', source: 'sync' });
    expect(calls.at(-1)).toBe('GET /v3/payscore/serviceorder');
  });

  it('sync of an order the ledger does not hold (created elsewhere), given its service_id: the ledger has it from then on', async () => {
    const seeded = sandbox.seedSignPlan({ mchid: world.partner.mchid, sub_mchid: SUB_MCHID });
    const outOrderNo = seeded.details[0]!.merchant_plan_detail_no;
    const order = { ...orderBody({ kind: 'partner', signPlanId: seeded.sign_plan_id, detailNos: [outOrderNo], merchantSignPlanNo: '', package: '' }, 1), notify_url: 'https://merchant.example/partner/notify' };
    const created = await createOrder(sandbox, world.partner, order, PARTNER_PATH);
    const synced = await request('partner', 'POST', `/service-orders/${outOrderNo}/sync`, { service_id: SERVICE_ID }, sub('partner'));
    expect(synced.status).toBe(200);
    expect(calls).toEqual(['GET /v3/payscore/partner/serviceorder']);
    expect(await aws.item(serviceOrderKey({ ...accountOf('partner'), outOrderNo }))).toMatchObject({ state: 'CREATED', order_id: created.order_id, service_id: SERVICE_ID, source: 'sync' });
  });

  it('sync of an order the ledger does not hold needs its service_id and appid: 400 naming both', async () => {
    const answer = await request('merchant', 'POST', '/service-orders/NEVER-SEEN-1/sync', {});
    expect(answer.status).toBe(400);
    expect((answer.json.errors as { field: string }[]).map((error) => error.field)).toEqual(['service_id', 'appid']);
    expect(calls).toEqual([]);
  });

  it('plan and user sign plan syncs bring WeChat Pay\'s state (a user sign plan signed while its notification was lost)', async () => {
    const signPlan = await presigned('merchant');
    await lost(() => sandbox.signSignPlan(signPlan.signPlanId));
    const key = userSignPlanKey({ ...accountOf('merchant'), merchantSignPlanNo: signPlan.merchantSignPlanNo });
    expect(await aws.item(key)).toMatchObject({ state: 'UNSIGNED' });
    expect((await request('merchant', 'POST', `/user-sign-plans/${signPlan.merchantSignPlanNo}/sync`)).status).toBe(200);
    expect(await aws.item(key)).toMatchObject({ state: 'SIGNED', source: 'sync', sign_time: (sandbox.signPlan(signPlan.signPlanId) as { sign_time: string }).sign_time });
    const plan = sandbox.plans().find((candidate) => candidate.plan_id === (sandbox.signPlan(signPlan.signPlanId) as { plan_id: string }).plan_id)!;
    const synced = await request('merchant', 'POST', `/plans/${plan.merchant_plan_no as string}/sync`);
    expect(synced.status).toBe(200);
    expect(await aws.item(planKey({ ...accountOf('merchant'), merchantPlanNo: plan.merchant_plan_no as string }))).toMatchObject({ state: 'NORMAL', source: 'sync' });
  });
});

describe('lifecycle routes: answers not trusted', () => {
  it.each([
    ['plan create', 'POST', '/plans', () => planBody('merchant')],
    ['user sign plan stop', 'POST', '/user-sign-plans/{no}/stop', () => ({ stop_reason: '不再需要' })],
    ['service order complete', 'POST', '/service-orders/{order}/complete', () => ({})],
  ] as const)('%s: a forged answer (bad signature) → 502, nothing recorded, the intent left PENDING', async (_name, method, route, body) => {
    const signPlan = await signed('merchant');
    expect((await request('merchant', 'POST', '/service-orders', orderBody(signPlan, 1))).status).toBe(200);
    const path = route.replace('{no}', signPlan.merchantSignPlanNo).replace('{order}', signPlan.detailNos[0]!);
    const requestBody = body();
    const before = await aws.items();
    sandbox.injectFault({ kind: 'badSignature' });
    const answer = await request('merchant', method, path, requestBody);
    expect([answer.status, answer.json.code]).toEqual([502, 'BAD_GATEWAY']);
    const after = await aws.items();
    const added = after.filter((item) => !before.some((old) => old.pk === item.pk && old.sk === item.sk));
    const changed = after.filter((item) => before.some((old) => old.pk === item.pk && old.sk === item.sk && JSON.stringify(old) !== JSON.stringify(item)));
    expect([...added, ...changed].map((item) => [item.kind, item.status])).toEqual([['INTENT', 'PENDING']]);
  });

  it('a signed answer about another plan (its mchid differs) → 502 WECHATPAY_ANSWER_MISMATCH logged, nothing of it recorded', async () => {
    const body = planBody('partner');
    sandbox.injectFault({ kind: 'otherOrder', field: 'mchid' });
    const answer = await request('partner', 'POST', '/plans', body);
    expect(answer.status).toBe(502);
    expect(log.lines.find((line) => line.level === 'error')!.attributes).toMatchObject({ code: 'WECHATPAY_ANSWER_MISMATCH' });
    expect(await aws.item(planKey({ ...accountOf('partner'), merchantPlanNo: body.merchant_plan_no }))).toBeUndefined();
  });
});

describe('lifecycle routes: requests', () => {
  it.each([
    ['plan create', '/plans', { ...planBody('merchant'), plan_duration: 0, extra: 1 }, ['plan_duration', 'extra']],
    ['user sign plan create', '/user-sign-plans', { service_id: SERVICE_ID, merchant_sign_plan_no: 'bad no!', sign_plan_detail: [{ plan_detail_no: 1 }] }, ['plan_id', 'appid', 'merchant_sign_plan_no', 'sign_plan_detail.0.merchant_plan_detail_no', 'openid']],
    ['complete', '/service-orders/ORDER-1/complete', { total_amount: -1, post_payments: [{ name: 'x', amount: 1, __proto__x: 1 }] }, ['post_payments.0.__proto__x', 'total_amount']],
    ['cancel', '/service-orders/ORDER-1/cancel', { reason: '' }, ['reason']],
    ['user sign plan stop', '/user-sign-plans/S-1/stop', {}, ['stop_reason']],
  ])('%s: 400 naming every bad field, nothing sent', async (_name, path, body, fields) => {
    const answer = await request('merchant', 'POST', path, body);
    expect(answer.status).toBe(400);
    expect((answer.json.errors as { field: string }[]).map((error) => error.field).sort()).toEqual([...fields].sort());
    expect(calls).toEqual([]);
  });

  it('a partner names the sub-merchant in the body or the query, the same in both, and nothing else in the query', async () => {
    const plan = await request('partner', 'POST', '/plans', planBody('partner'));
    const no = plan.json.merchant_plan_no as string;
    expect((await request('partner', 'GET', `/plans/${no}`, undefined, { sub_mchid: SUB_MCHID })).status).toBe(200);
    expect((await request('partner', 'POST', `/plans/${no}/sync`, { sub_mchid: SUB_MCHID })).status).toBe(200);
    const missing = await request('partner', 'GET', `/plans/${no}`);
    expect([missing.status, (missing.json.errors as { field: string }[])[0]!.field]).toEqual([400, 'sub_mchid']);
    const differing = await request('partner', 'POST', `/plans/${no}/sync`, { sub_mchid: SUB_MCHID }, { sub_mchid: '1900000999' });
    expect((differing.json.errors as { field: string; message: string }[])[0]).toEqual({ field: 'sub_mchid', message: 'differs between the body and the query' });
    const unknown = await request('partner', 'GET', `/plans/${no}`, undefined, { sub_mchid: SUB_MCHID, limit: '5' });
    expect((unknown.json.errors as { field: string }[]).map((error) => error.field)).toEqual(['?limit']);
    // A merchant's route knows no sub-merchant at all.
    const merchant = await request('merchant', 'GET', `/plans/${no}`, undefined, { sub_mchid: SUB_MCHID });
    expect((merchant.json.errors as { field: string; message: string }[])[0]).toEqual({ field: 'sub_mchid', message: 'is not a known field' });
  });

  it('a GET of what the ledger does not hold → 404 NOT_FOUND, and never a call to WeChat Pay', async () => {
    for (const [path, what] of [
      ['/plans/NONE-1', 'plan'],
      ['/user-sign-plans/NONE-1', 'user-sign-plan'],
      ['/service-orders/NONE-1', 'service-order'],
    ]) {
      const answer = await request('merchant', 'GET', path!);
      expect(answer).toMatchObject({ status: 404, json: { code: 'NOT_FOUND', message: `the ledger holds no such ${what}` } });
    }
    expect(calls).toEqual([]);
  });

  it('a failed ledger read before the call → 503 LEDGER_UNAVAILABLE, nothing sent', async () => {
    aws.ledgerProxy.set('fail');
    const answer = await request('merchant', 'POST', '/service-orders/ORDER-1/complete', {});
    expect([answer.status, answer.json.code]).toEqual([503, 'LEDGER_UNAVAILABLE']);
    expect(calls).toEqual([]);
  });
});

describe('operations handler: routing, bodies, the write-ahead', () => {
  const restGet = (path: string, query: Record<string, string> | null = null) =>
    operationsHandler('merchant', LIFECYCLE_OPERATIONS, log, () => deps('merchant'), metrics)(
      {
        resource: path,
        path,
        httpMethod: 'GET',
        headers: {},
        multiValueHeaders: {},
        queryStringParameters: query,
        multiValueQueryStringParameters: null,
        pathParameters: null,
        stageVariables: null,
        requestContext: {},
        body: null,
        isBase64Encoded: false,
      } as never,
      lambdaContext(),
    );

  it('routes REST API (payload 1.0) events by their method and path, a stage in front', async () => {
    const plan = await request('merchant', 'POST', '/plans', planBody('merchant'));
    const answer = await restGet(`/prod/merchant/plans/${plan.json.merchant_plan_no as string}`);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ kind: 'PLAN', merchant_plan_no: plan.json.merchant_plan_no });
  });

  it('a method or path no entry serves → 404 naming it', async () => {
    const answer = await request('merchant', 'GET', '/plans/P-1/stop');
    expect(answer).toMatchObject({ status: 404, json: { code: 'NOT_FOUND', message: 'no route GET /merchant/plans/P-1/stop in this function' } });
    const other = await restGet('/partner/plans/P-1');
    expect(other.statusCode).toBe(404);
  });

  it('a path parameter that is not valid percent-encoding is judged as it is: 400 naming it', async () => {
    const answer = await request('merchant', 'GET', '/plans/%E0%A4%A');
    expect(answer.status).toBe(400);
    expect(answer.json.errors).toEqual([{ field: 'merchant_plan_no', message: expect.stringContaining('must be 1 to 32 characters') }]);
  });

  it('a create needs a body; a route whose path names the object takes none, or blanks', async () => {
    const create = await request('merchant', 'POST', '/service-orders', '');
    expect(create.json.errors).toEqual([{ field: 'body', message: 'is not valid JSON' }]);
    const plan = await request('merchant', 'POST', '/plans', planBody('merchant'));
    expect((await request('merchant', 'POST', `/plans/${plan.json.merchant_plan_no as string}/sync`, '  \n')).status).toBe(200);
  });

  it('what the path, the query and the defaults give: said where it went wrong, a given notify_url kept', async () => {
    const inBody = await request('merchant', 'POST', '/service-orders/ORDER-1/cancel', { reason: 'x', out_order_no: 'ORDER-1' });
    expect(inBody.json.errors).toEqual([{ field: 'out_order_no', message: 'is given by the path: leave it out of the body' }]);
    const unknown = await request('merchant', 'GET', '/plans/P-1', undefined, { limit: '5', empty: undefined });
    expect(unknown.json.errors).toEqual([{ field: '?limit', message: 'is not a known query parameter' }]);
    const noDefault = await request('merchant', 'POST', '/user-sign-plans', { service_id: SERVICE_ID }, {}, { notifyUrl: undefined });
    expect((noDefault.json.errors as { field: string; message: string }[]).find((error) => error.field === 'notify_url')).toEqual({ field: 'notify_url', message: 'is required' });
    const signPlan = await signed('merchant');
    const given = { ...orderBody(signPlan, 1), notify_url: 'https://given.example/notify' };
    expect((await request('merchant', 'POST', '/service-orders', given)).status).toBe(200);
    const intent = await aws.item(intentKey(serviceOrderKey({ ...accountOf('merchant'), outOrderNo: signPlan.detailNos[0]! }), 'create'));
    expect(JSON.parse(intent!.request as string).notify_url).toBe('https://given.example/notify');
  });

  it('the same number with another request → 409 IDEMPOTENCY_CONFLICT saying so', async () => {
    const body = planBody('merchant');
    expect((await request('merchant', 'POST', '/plans', body)).status).toBe(200);
    calls = [];
    const other = await request('merchant', 'POST', '/plans', { ...body, plan_name: '另一个计划' });
    expect(other).toMatchObject({ status: 409, json: { code: 'IDEMPOTENCY_CONFLICT', message: expect.stringContaining('with a different request') } });
    expect(calls).toEqual([]);
  });

  it('a repeat of a call still PENDING (its answer unrecorded) goes to WeChat Pay again and completes the intent', async () => {
    const failAfter = ledgerFailsAfter(aws, counting);
    const body = planBody('merchant');
    expect((await request('merchant', 'POST', '/plans', body, {}, { transport: failAfter })).status).toBe(200);
    aws.ledgerProxy.set('pass');
    const key = planKey({ ...accountOf('merchant'), merchantPlanNo: body.merchant_plan_no });
    expect(await aws.item(intentKey(key, 'create'))).toMatchObject({ status: 'PENDING' });
    const again = await request('merchant', 'POST', '/plans', body);
    expect(again.status).toBe(200);
    expect(again.headers).not.toHaveProperty('Idempotent-Replayed');
    expect(calls).toEqual(['POST /v3/payscore/plan/payscore-plans', 'POST /v3/payscore/plan/payscore-plans']);
    expect(await aws.item(intentKey(key, 'create'))).toMatchObject({ status: 'DONE', completed_by: 'create' });
    expect(await aws.item(key)).toMatchObject({ state: 'NORMAL' });
    // Each call counted by operation and status, with its latency; the unrecorded answer a ledger write failure.
    expect(metrics.emitted()).toEqual([
      { operation: 'plan.create', status: '200', WechatpayCalls: 1, WechatpayLatency: expect.any(Number) },
      { operation: 'plan.create', LedgerWriteFailures: 1 },
      { operation: 'plan.create', status: '200', WechatpayCalls: 1, WechatpayLatency: expect.any(Number) },
    ]);
  });

  it('a failed write-ahead (the first ledger call of a plan create) → 503, nothing sent', async () => {
    aws.ledgerProxy.set('fail');
    const answer = await request('merchant', 'POST', '/plans', planBody('merchant'));
    expect([answer.status, answer.json.code]).toEqual([503, 'LEDGER_UNAVAILABLE']);
    expect(calls).toEqual([]);
  });

  it("a refusal whose FAILED mark cannot be written: WeChat Pay's answer still, and a warning", async () => {
    const failAfter = ledgerFailsAfter(aws, counting);
    const answer = await request('merchant', 'POST', '/user-sign-plans', { service_id: SERVICE_ID, plan_id: 'NO-SUCH-PLAN', appid: APPID, openid: OPENID, merchant_sign_plan_no: number('S'), sign_plan_detail: [{ plan_detail_no: 1, merchant_plan_detail_no: number('D') }] }, {}, { transport: failAfter });
    expect([answer.status, answer.json.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(log.lines.find((line) => line.level === 'warn' && line.message === 'could not mark a refused intent FAILED; the reconciliation will')!.attributes).toMatchObject({ operation: 'create' });
  });
});
