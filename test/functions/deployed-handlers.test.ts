/**
 * The exported `handler`s as Lambda runs them: wiring from the environment,
 * real SDK clients found through AWS_ENDPOINT_URL_*, the sandbox as WeChat Pay.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsEnvironment } from '../../dev/aws/environment';
import { sandboxAccountsFromDevKeys, startSandbox, type Sandbox } from '../../dev/sandbox';
import { serviceOrderKey } from '../../lib/ledger/keys';
import { createTestWorld, type TestWorld } from '../helpers/accounts';
import { httpApiEvent, lambdaContext } from '../helpers/events';
import { startLocalAws, type LocalAws } from '../helpers/local-aws';
import { buildNotification } from '../helpers/notifications';
import { merchantOrder, partnerOrder, signPlansIn } from '../helpers/orders';

let world: TestWorld;
let aws: LocalAws;
let sandbox: Sandbox;
const saved = { ...process.env };
/** What the functions write on stdout: their metrics (LOG_LEVEL=SILENT keeps their log lines out). */
let written: string[] = [];

beforeAll(async () => {
  world = await createTestWorld();
  aws = await startLocalAws({ 'payscore/test/merchant': world.secret(world.merchant), 'payscore/test/partner': world.secret(world.partner) }, 'payscore-test-ledger');
  sandbox = await startSandbox({ accounts: sandboxAccountsFromDevKeys(world), wechatpay: world.wechatpay });
  signPlansIn(world, sandbox);
  Object.assign(process.env, awsEnvironment({ secretsManagerUrl: aws.secretsManager.url, dynamoDbUrl: aws.dynamoDb.url }), {
    LEDGER_TABLE: 'payscore-test-ledger',
    WECHATPAY_BASE_URL: sandbox.url,
    LOG_LEVEL: 'SILENT',
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((line) => (written.push(String(line)), true));
});
afterAll(async () => {
  vi.restoreAllMocks();
  process.env = saved;
  await Promise.all([sandbox.close(), aws.close()]);
});

/** Imports a function module afresh, as a new container would, with its own WECHATPAY_SECRET_ID. */
async function coldStart(module: string, secretId: string) {
  process.env.WECHATPAY_SECRET_ID = secretId;
  vi.resetModules();
  const { handler } = (await import(module)) as { handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }> };
  const environment = { ...process.env };
  return (event: unknown) => {
    process.env = { ...environment };
    return handler(event, lambdaContext());
  };
}

describe('deployed handlers', () => {
  it('createMerchantServiceOrder creates an order and records it', async () => {
    const handler = await coldStart('../../functions/create-merchant-service-order', 'payscore/test/merchant');
    const order = merchantOrder();
    const response = await handler(httpApiEvent({ body: JSON.stringify(order) }, '/merchant/service-orders'));
    expect(response.statusCode, response.body).toBe(200);
    expect(await aws.item(serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: order.out_trade_no as string }))).toMatchObject({ state: 'CREATED' });
  });

  it('createPartnerServiceOrder creates an order for the sub-merchant', async () => {
    const handler = await coldStart('../../functions/create-partner-service-order', 'payscore/test/partner');
    const response = await handler(httpApiEvent({ body: JSON.stringify(partnerOrder()) }, '/partner/service-orders'));
    expect(response.statusCode, response.body).toBe(200);
  });

  it.each(['merchant', 'partner'] as const)('%sLifecycle serves a plan create and its GET from the ledger', async (kind) => {
    const handler = await coldStart(`../../functions/${kind}-lifecycle`, `payscore/test/${kind}`);
    const merchantPlanNo = `DEPLOYED-${kind}-${Date.now()}`;
    const sub = kind === 'partner' ? { sub_mchid: '1900000109' } : {};
    const plan = {
      service_id: '2002000000000558128851361561536',
      appid: 'wxd678efh567hg6787',
      ...sub,
      plan_name: '三节课',
      plan_duration: 30,
      deduction_quantity: 1,
      total_original_price: 100,
      total_actual_price: 100,
      plan_detail_list: [{ original_price: 100, actual_price: 100, plan_detail_name: '第1节' }],
      merchant_plan_no: merchantPlanNo,
    };
    const created = await handler(httpApiEvent({ body: JSON.stringify(plan) }, `/${kind}/plans`));
    expect(created.statusCode, created.body).toBe(200);
    const read = await handler({ ...httpApiEvent({ body: '' }, `/${kind}/plans/${merchantPlanNo}`), requestContext: { http: { method: 'GET' } }, queryStringParameters: sub });
    expect(read.statusCode, read.body).toBe(200);
    expect(JSON.parse(read.body)).toMatchObject({ kind: 'PLAN', state: 'NORMAL', merchant_plan_no: merchantPlanNo, plan_id: JSON.parse(created.body).plan_id });
  });

  it('deduction-notify records a notification for its own account only', async () => {
    const merchantNotify = await coldStart('../../functions/deduction-notify', 'payscore/test/merchant');
    expect((await merchantNotify(httpApiEvent(buildNotification(world.wechatpay, world.merchant)))).statusCode).toBe(204);
    expect((await merchantNotify(httpApiEvent(buildNotification(world.wechatpay, world.partner)))).statusCode).toBe(400);
    const partnerNotify = await coldStart('../../functions/deduction-notify', 'payscore/test/partner');
    expect((await partnerNotify(httpApiEvent(buildNotification(world.wechatpay, world.partner, { plaintext: { sub_mchid: '1900000109' } })))).statusCode).toBe(204);
  });

  it('deduction-notify writes its metrics to stdout as EMF, in the namespace serverless.yml gives', async () => {
    process.env.METRICS_NAMESPACE = 'payscore-sign-plan/test';
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'payscore-sign-plan-test-merchantDeductionNotify';
    written = [];
    try {
      const notify = await coldStart('../../functions/deduction-notify', 'payscore/test/merchant');
      expect((await notify(httpApiEvent(buildNotification(world.wechatpay, world.merchant)))).statusCode).toBe(204);
    } finally {
      delete process.env.METRICS_NAMESPACE;
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    }
    const documents = written.map((line) => JSON.parse(line) as { _aws: { CloudWatchMetrics: { Namespace: string }[] } } & Record<string, unknown>);
    expect(documents.flatMap((document) => document._aws.CloudWatchMetrics.map((directive) => directive.Namespace))).toEqual(['payscore-sign-plan/test', 'payscore-sign-plan/test']);
    expect(documents).toEqual([
      expect.objectContaining({ function_name: 'payscore-sign-plan-test-merchantDeductionNotify', trigger: 'due', outcome: 'loaded', SecretRefreshes: 1 }),
      expect.objectContaining({ service: 'deduction-notify', outcome: 'applied', event_type: 'PAYSCORE.USER_PAID', Notifications: 1 }),
    ]);
  });

  it('refresh-platform-certificates downloads from WeChat Pay and finds the secret up to date, without LEDGER_TABLE', async () => {
    delete process.env.LEDGER_TABLE;
    try {
      const refresh = await coldStart('../../functions/refresh-platform-certificates', 'payscore/test/partner');
      expect(await refresh({})).toEqual({ outcome: 'unchanged', serials: [world.wechatpay.key.serial] });
    } finally {
      process.env.LEDGER_TABLE = 'payscore-test-ledger';
    }
  });

  it('reconcile-merchant runs with its bounds from the environment and returns its summary', async () => {
    Object.assign(process.env, { RECONCILE_PENDING_AFTER_S: '0', RECONCILE_OPEN_AFTER_S: '0', RECONCILE_MAX_CALLS: '1', RECONCILE_PER_SECOND: '5' });
    const reconcile = await coldStart('../../functions/reconcile-merchant', 'payscore/test/merchant');
    // The order of the first test is open: one call reaches it, and the limit stops the run.
    expect(await reconcile({})).toMatchObject({ asked: 1, errors: 0, repaired: { service_order: 0 }, checked: 1 });
    process.env.RECONCILE_MAX_CALLS = '0';
    const misconfigured = await coldStart('../../functions/reconcile-partner', 'payscore/test/partner');
    await expect(misconfigured({})).rejects.toMatchObject({ code: 'ENVIRONMENT_INVALID' });
    for (const name of ['RECONCILE_PENDING_AFTER_S', 'RECONCILE_OPEN_AFTER_S', 'RECONCILE_MAX_CALLS', 'RECONCILE_PER_SECOND']) delete process.env[name];
  });

  it('a missing environment variable → 500, not a crashed container', async () => {
    const handler = await coldStart('../../functions/deduction-notify', '');
    const response = await handler(httpApiEvent(buildNotification(world.wechatpay, world.merchant)));
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body).code).toBe('FAIL');
  });
});
