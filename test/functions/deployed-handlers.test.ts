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
});
afterAll(async () => {
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
    const response = await handler(httpApiEvent({ body: JSON.stringify(order) }));
    expect(response.statusCode, response.body).toBe(200);
    expect(await aws.item(serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: order.out_trade_no as string }))).toMatchObject({ state: 'CREATED' });
  });

  it('createPartnerServiceOrder creates an order for the sub-merchant', async () => {
    const handler = await coldStart('../../functions/create-partner-service-order', 'payscore/test/partner');
    const response = await handler(httpApiEvent({ body: JSON.stringify(partnerOrder()) }));
    expect(response.statusCode, response.body).toBe(200);
  });

  it('deduction-notify records a notification for its own account only', async () => {
    const merchantNotify = await coldStart('../../functions/deduction-notify', 'payscore/test/merchant');
    expect((await merchantNotify(httpApiEvent(buildNotification(world.wechatpay, world.merchant)))).statusCode).toBe(204);
    expect((await merchantNotify(httpApiEvent(buildNotification(world.wechatpay, world.partner)))).statusCode).toBe(400);
    const partnerNotify = await coldStart('../../functions/deduction-notify', 'payscore/test/partner');
    expect((await partnerNotify(httpApiEvent(buildNotification(world.wechatpay, world.partner, { plaintext: { sub_mchid: '1900000109' } })))).statusCode).toBe(204);
  });

  it('refresh-platform-certificates downloads from WeChat Pay and finds the secret up to date', async () => {
    const refresh = await coldStart('../../functions/refresh-platform-certificates', 'payscore/test/partner');
    expect(await refresh({})).toEqual({ outcome: 'unchanged', serials: [world.wechatpay.key.serial] });
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
