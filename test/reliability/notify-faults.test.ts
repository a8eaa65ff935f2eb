/**
 * Faults under the notify function, with the sandbox really delivering and
 * retrying on WeChat Pay's (time-scaled) schedule: the ledger down, hanging or
 * slower than its timeout, and Secrets Manager down at cold start. Every failed
 * delivery is answered 5xx inside WeChat Pay's 5 s; once the fault clears the
 * retries land every notification exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../dev/sandbox';
import { deductionNotifyHandler } from '../../lib/handlers/deduction-notify';
import { serviceOrderKey } from '../../lib/ledger/keys';
import type { SecretCache } from '../../lib/secrets/secret-cache';
import { createTestWorld, type TestWorld } from '../helpers/accounts';
import { serveLambda, type LambdaServer } from '../helpers/lambda-http';
import { startLocalAws, type LocalAws } from '../helpers/local-aws';
import { SEED_MERCHANT_ORDER } from '../helpers/orders';
import { figuresFile } from './helpers/figures';
import { LogCollector } from './helpers/log-hygiene';
import { createOrders, merchantCreateHandler, startWorldSandbox, type CreatedOrder } from './helpers/sandbox-world';
import { LONG_RUNNING, maxMs, timed, type Timed } from './helpers/timing';
import { recordingMetrics } from '../helpers/metrics';

const ORDERS = 20;
/** WeChat Pay waits 5 s for an answer. */
const WECHATPAY_PATIENCE_MS = 5_000;

const figures = figuresFile('notify-faults');
const logs = new LogCollector();
let world: TestWorld;
let aws: LocalAws;
let sandbox: Sandbox;
const receivers: Record<string, LambdaServer> = {};
let create: ReturnType<typeof merchantCreateHandler>;

/** A notify function container behind `host`, as deployed: production ledger and cache timeouts unless given. */
async function startReceiver(host: string, secrets: SecretCache, timings: Timed[], log = logs.log()) {
  receivers[host] = await serveLambda(timed(deductionNotifyHandler(log, () => ({ secrets, ledger: aws.ledger() }), recordingMetrics()), timings));
  return log;
}

beforeAll(async () => {
  world = await createTestWorld();
  aws = await startLocalAws({ merchant: world.secret(world.merchant) });
  logs.forbidKeys([world.merchant], world.wechatpay.key);
  logs.forbid('a plaintext openid', SEED_MERCHANT_ORDER.openid as string);
  sandbox = await startWorldSandbox(world, () => Object.fromEntries(Object.entries(receivers).map(([host, server]) => [host, server.url])));
  create = merchantCreateHandler(aws, logs.log(), sandbox.url);
});
afterAll(async () => {
  await sandbox.close();
  await Promise.all(Object.values(receivers).map((receiver) => receiver.close()));
  await aws.close();
});

const ledgerItem = (order: CreatedOrder) => aws.item(serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: order.outTradeNo }));
const notificationsOf = async (order: CreatedOrder) => (await aws.record(serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: order.outTradeNo }))).notifications;

/** Completes the orders, waits until each delivery failed `failures` times, clears the fault, and reports what landed. */
async function outageThenRecovery(orders: CreatedOrder[], failures: number, clear: () => void, timings: Timed[]) {
  const ids = orders.map((order) => sandbox.completeOrder(order.orderId).notificationId);
  await expect.poll(() => ids.every((id) => sandbox.deliveries(id)[0]!.attempts.length >= failures), { timeout: 30_000, interval: 50 }).toBe(true);
  clear();
  const records = (await Promise.all(ids.map((id) => sandbox.waitForDelivery(id)))).flat();
  const attempts = records.flatMap((record) => record.attempts);
  const failedAttempts = attempts.filter((attempt) => attempt.statusCode === undefined || attempt.statusCode >= 300);
  for (const order of orders) {
    const item = await ledgerItem(order);
    expect(item).toMatchObject({ state: 'DONE', order_id: order.orderId });
    expect(await notificationsOf(order)).toHaveLength(1);
  }
  // Every failure was an answer (no timeout), a 5xx, inside WeChat Pay's 5 s.
  expect(failedAttempts.every((attempt) => attempt.statusCode !== undefined && attempt.statusCode >= 500)).toBe(true);
  const failedAnswers = timings.filter((timing) => timing.statusCode >= 500);
  expect(maxMs(failedAnswers)).toBeLessThan(WECHATPAY_PATIENCE_MS);
  return {
    notifications: ids.length,
    delivered: records.filter((record) => record.outcome === 'delivered').length,
    lost: records.filter((record) => record.outcome !== 'delivered').length,
    failedAttempts: failedAttempts.length,
    failedAttemptStatuses: [...new Set(failedAttempts.map((attempt) => attempt.statusCode))],
    maxFailedAnswerMs: maxMs(failedAnswers),
    maxAttemptsToLand: Math.max(...records.map((record) => record.attempts.length)),
    ledgerEntriesPerNotification: 1,
  };
}

describe('reliability: notify faults through real deliveries', LONG_RUNNING, () => {
  it.each([
    ['unavailable (500 from DynamoDB)', 'fail', 2],
    ['hanging past the 2 s write timeout', 'hang', 2],
    ['slower than the write timeout (the write lands late)', 'delay', 2],
  ] as const)(`ledger %s: 5xx inside 5 s, then 0 lost of ${ORDERS}`, async (name, mode, failures) => {
    const timings: Timed[] = [];
    const host = `ledger-${mode}.example`;
    await startReceiver(host, aws.secretCache('merchant'), timings);
    const orders = await createOrders(create, ORDERS, host);
    aws.ledgerProxy.set(mode, { delayMs: 2_500 });
    const result = await outageThenRecovery(orders, failures, () => aws.ledgerProxy.set('pass'), timings);
    expect(result.lost).toBe(0);
    figures.record({ [`ledger ${name}`]: result });
  });

  it(`Secrets Manager down at cold start: 500 with a clear log, then 0 lost of ${ORDERS}`, async () => {
    const timings: Timed[] = [];
    const host = 'cold-start.example';
    const log = await startReceiver(host, aws.secretCache('merchant'), timings);
    const orders = await createOrders(create, ORDERS, host);
    aws.secretsManager.fail(1_000_000);
    const result = await outageThenRecovery(orders, 2, () => aws.secretsManager.fail(0), timings);
    const failure = log.lines.find((line) => line.message === 'request failed')!;
    expect(failure).toMatchObject({ level: 'error', attributes: { status: 500, code: 'SECRET_UNAVAILABLE' } });
    expect(log.text()).toContain('secret merchant could not be loaded');
    expect(result.lost).toBe(0);
    figures.record({ 'Secrets Manager down at cold start': { ...result, logLine: `${(failure.attributes.error as Error).message} (code SECRET_UNAVAILABLE)` } });
  });

  it('Secrets Manager hanging at cold start: 500 inside 5 s', async () => {
    const timings: Timed[] = [];
    const host = 'cold-hang.example';
    const log = await startReceiver(host, aws.secretCache('merchant'), timings);
    const [order] = await createOrders(create, 1, host);
    aws.secretsManager.fail(1_000_000, 'hang');
    const result = await outageThenRecovery([order!], 1, () => {
      aws.secretsManager.fail(0);
      aws.secretsManager.release();
    }, timings);
    expect(log.lines.find((line) => line.message === 'request failed')!.attributes.code).toBe('SECRET_UNAVAILABLE');
    figures.record({ 'Secrets Manager hanging at cold start': result });
  });

  it(`a warm container keeps serving from its cache while Secrets Manager is down: ${ORDERS} of ${ORDERS} on the first attempt`, async () => {
    const timings: Timed[] = [];
    const host = 'warm.example';
    // Refreshes on every invocation, so each one really meets the outage.
    const secrets = aws.secretCache('merchant', { refreshIntervalMs: 0, retryAfterFailureMs: 0 });
    await secrets.get();
    await startReceiver(host, secrets, timings);
    const orders = await createOrders(create, ORDERS, host);
    const callsBefore = aws.secretsManager.calls.GetSecretValue;
    aws.secretsManager.fail(1_000_000);
    const ids = orders.map((order) => sandbox.completeOrder(order.orderId).notificationId);
    const records = (await Promise.all(ids.map((id) => sandbox.waitForDelivery(id)))).flat();
    const failedSecretReads = aws.secretsManager.calls.GetSecretValue - callsBefore;
    aws.secretsManager.fail(0);
    expect(records.map((record) => [record.outcome, record.attempts.length])).toEqual(ids.map(() => ['delivered', 1]));
    expect(failedSecretReads).toBeGreaterThan(0);
    figures.record({ 'warm container, Secrets Manager down': { notifications: ids.length, deliveredOnFirstAttempt: records.length, failedSecretReadsMeanwhile: failedSecretReads } });
  });

  it('the logs hold no key, full signature or plaintext openid', () => {
    const hygiene = logs.check();
    figures.record({ logHygiene: hygiene });
    expect(hygiene.leaks).toEqual([]);
  });
});
