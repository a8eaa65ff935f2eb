/** The notify handler behind HTTP, fed by the sandbox's real deliveries and retries. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAccountsFromDevKeys, startSandbox, type Sandbox } from '../../../dev/sandbox';
import { operationsHandler } from '../../../lib/handlers/operations';
import { createServiceOrder } from '../../../lib/operations/service-order-create';
import { deductionNotifyHandler } from '../../../lib/handlers/deduction-notify';
import { serviceOrderKey } from '../../../lib/ledger/keys';
import { createTestWorld, type TestWorld } from '../../helpers/accounts';
import { httpApiEvent, lambdaContext } from '../../helpers/events';
import { serveLambda, type LambdaServer } from '../../helpers/lambda-http';
import { startLocalAws, type LocalAws } from '../../helpers/local-aws';
import { recordingLog } from '../../helpers/logs';
import { merchantOrder, signPlansIn } from '../../helpers/orders';
import { nodeTransport } from '../../../lib/http/transport';
import { recordingMetrics } from '../../helpers/metrics';

const NOTIFY_URL = 'https://merchant.example/merchant/notify';
let world: TestWorld;
let aws: LocalAws;
let sandbox: Sandbox;
let receiver: LambdaServer;

beforeAll(async () => {
  world = await createTestWorld();
  aws = await startLocalAws({ merchant: world.secret(world.merchant) });
  const secrets = aws.secretCache('merchant');
  receiver = await serveLambda(deductionNotifyHandler(recordingLog(), () => ({ secrets, ledger: aws.ledger({ writeTimeoutMs: 500 }) }), recordingMetrics()));
  sandbox = await startSandbox({
    accounts: sandboxAccountsFromDevKeys(world),
    wechatpay: world.wechatpay,
    signingMode: 'both',
    retryTimeScale: 0.001,
    resolveNotifyUrl: (url) => url.replace('https://merchant.example', receiver.url),
  });
  signPlansIn(world, sandbox);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
  await aws.close();
});

async function createOrder(): Promise<{ orderId: string; outTradeNo: string }> {
  const secrets = aws.secretCache('merchant');
  const handler = operationsHandler('merchant', [createServiceOrder], recordingLog(), () => ({
    secrets,
    ledger: aws.ledger(),
    transport: nodeTransport(),
    baseUrl: sandbox.url,
    notifyUrl: undefined,
  }), recordingMetrics());
  const order = merchantOrder({ notify_url: NOTIFY_URL });
  const response = await handler(httpApiEvent({ body: JSON.stringify(order) }, '/merchant/service-orders'), lambdaContext());
  expect(response.statusCode, response.body).toBe(200);
  return { orderId: JSON.parse(response.body).order_id, outTradeNo: order.out_trade_no as string };
}

const ledgerItem = (outTradeNo: string) => aws.item(serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: outTradeNo }));
const notificationsOf = async (outTradeNo: string) => (await aws.record(serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: outTradeNo }))).notifications;

describe('deduction-notify with the sandbox delivering', () => {
  it('a completed order is delivered once and the ledger shows it paid', async () => {
    const { orderId, outTradeNo } = await createOrder();
    const { notificationId } = sandbox.completeOrder(orderId);
    const [record] = await sandbox.waitForDelivery(notificationId);
    expect(record).toMatchObject({ outcome: 'delivered' });
    expect(record!.attempts).toHaveLength(1);
    expect(await ledgerItem(outTradeNo)).toMatchObject({ state: 'DONE', order_id: orderId, create_request: expect.any(String) });
  });

  it('duplicate and concurrent deliveries, with a SIGNTEST probe first, land once', async () => {
    const { orderId, outTradeNo } = await createOrder();
    const { notificationId } = sandbox.completeOrder(orderId, { copies: 3, concurrent: true, probe: true });
    const records = await sandbox.waitForDelivery(notificationId);
    const probe = records.find((record) => record.copy === 0)!;
    expect(probe.attempts[0]!.statusCode).toBe(401);
    expect(records.filter((record) => record.copy > 0).map((record) => record.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(await notificationsOf(outTradeNo)).toHaveLength(1);
  });

  it('ledger down: deliveries fail with 5xx, and once it recovers the retries land it exactly once', async () => {
    const { orderId, outTradeNo } = await createOrder();
    aws.ledgerProxy.set('fail');
    const { notificationId } = sandbox.completeOrder(orderId);
    await expect.poll(() => sandbox.deliveries(notificationId)[0]!.attempts.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(await ledgerItem(outTradeNo)).toMatchObject({ state: 'CREATED' });
    aws.ledgerProxy.set('pass');
    const [record] = await sandbox.waitForDelivery(notificationId);
    expect(record!.outcome).toBe('delivered');
    expect(record!.attempts.slice(0, -1).every((attempt) => attempt.statusCode === 500)).toBe(true);
    const item = await ledgerItem(outTradeNo);
    expect(item).toMatchObject({ state: 'DONE' });
    expect(await notificationsOf(outTradeNo)).toHaveLength(1);
  });
});
