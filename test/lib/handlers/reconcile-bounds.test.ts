/**
 * The reconciliation's bounds (issue 18 §4, scenario 5): a backlog of 1,000 open orders against
 * the sandbox and dynalite, on a clock the test moves (the sandbox's too, so that signatures stay
 * fresh): calls per run and per second, the Lambda's time, and oldest first with nothing asked twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxAccountsFromDevKeys, startSandbox, type Sandbox } from '../../../dev/sandbox';
import { reconcileHandler, type ReconcileSummary } from '../../../lib/handlers/reconcile';
import { nodeTransport } from '../../../lib/http/transport';
import { serviceOrderKey } from '../../../lib/ledger/keys';
import type { SecretCache } from '../../../lib/secrets/secret-cache';
import type { Transport } from '../../../lib/wechatpay';
import { createTestWorld } from '../../helpers/accounts';
import { startLocalAws, type LocalAws } from '../../helpers/local-aws';
import { recordingLog } from '../../helpers/logs';
import { seedOpenOrders } from '../../helpers/open-orders';
import { signPlansIn } from '../../helpers/orders';
import { inPool } from '../../reliability/helpers/pool';
import { recordingMetrics } from '../../helpers/metrics';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TIMEOUT_MS = 60_000;

let aws: LocalAws;
let sandbox: Sandbox;
let secrets: SecretCache;
let orders: string[];
/** When each order was recorded: the age the pending index sorts it by. */
let recordedAt: Map<string, string>;
/** The test's clock (the sandbox's too, so that signatures stay fresh): each reading a millisecond on, and the per-second limit's waits. */
let now = Date.now();
const clock = () => (now += 1);
const sleep = async (ms: number) => void (now += ms);

beforeAll(async () => {
  const world = await createTestWorld();
  aws = await startLocalAws({ merchant: world.secret(world.merchant) });
  sandbox = await startSandbox({ accounts: sandboxAccountsFromDevKeys(world), wechatpay: world.wechatpay, clock });
  signPlansIn(world, sandbox);
  secrets = aws.secretCache('merchant', { clock });
  orders = await seedOpenOrders({ sandbox, ledger: aws.ledger(), credentials: await secrets.get(), count: 1_000, clock });
  recordedAt = new Map();
  await inPool(orders, 8, async (order) => void recordedAt.set(order, (await aws.item(serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: order })))!.pending_since as string));
}, 60_000);
afterAll(async () => {
  await sandbox.close();
  await aws.close();
});

interface Run {
  summary: ReconcileSummary;
  /** The out_order_no of every query sent, in order. */
  asked: string[];
  /** When each was sent (the test's clock). */
  sentAt: number[];
}

/** One run, with `timeoutMs` of Lambda time measured on the test's clock. */
async function run(timeoutMs = TIMEOUT_MS): Promise<Run> {
  const asked: string[] = [];
  const sentAt: number[] = [];
  const transport: Transport = (url, request) => {
    asked.push(new URL(url).searchParams.get('out_order_no')!);
    sentAt.push(clock());
    return nodeTransport()(url, request);
  };
  const start = clock();
  const context = { awsRequestId: `run-${start}`, functionName: 'reconcile-merchant', getRemainingTimeInMillis: () => timeoutMs - (clock() - start) };
  const handler = reconcileHandler('merchant', recordingLog(), () => ({ secrets, ledger: aws.ledger(), transport, baseUrl: sandbox.url, clock, sleep, limits: { maxCalls: 200 } }), recordingMetrics());
  return { summary: await handler({}, context), asked, sentAt };
}

describe('reconciliation: 1,000 open orders, RECONCILE_MAX_CALLS=200', () => {
  it('five runs ten minutes apart reach every order once, oldest first, each run 200 calls, at most 10 a second, inside its time', async () => {
    now += 2 * HOUR;
    const runs: Run[] = [];
    for (let index = 0; index < 5; index += 1) {
      runs.push(await run());
      now += 10 * MINUTE;
    }
    for (const [index, { summary, asked, sentAt }] of runs.entries()) {
      expect(summary).toMatchObject({ asked: 200, errors: 0, stopped: index < 4 ? 'max_calls' : 'done' });
      expect(new Set(asked).size).toBe(200);
      // Under its timeout, with the margin a run keeps for its last call.
      expect(summary.elapsed_ms).toBeLessThan(TIMEOUT_MS - 8_000);
      for (let call = 10; call < sentAt.length; call += 1) expect(sentAt[call]! - sentAt[call - 10]!).toBeGreaterThanOrEqual(1_000);
    }
    expect(runs[4]!.summary).toMatchObject({ left: { intent: 0, service_order: 0, user_sign_plan: 0 }, more: false });
    for (const { summary } of runs.slice(0, 4)) expect(summary.left.service_order).toBeGreaterThan(0);
    const all = runs.flatMap(({ asked }) => asked);
    expect(all).toHaveLength(1_000);
    expect(new Set(all)).toEqual(new Set(orders));
    // Oldest first: every order a run asked was recorded no later than any order a later run asked.
    for (let index = 1; index < runs.length; index += 1) {
      const latest = runs[index - 1]!.asked.map((order) => recordedAt.get(order)!).sort().at(-1)!;
      const earliest = runs[index]!.asked.map((order) => recordedAt.get(order)!).sort()[0]!;
      expect(latest <= earliest, `${index}: ${latest} > ${earliest}`).toBe(true);
    }
  }, 120_000);

  it('a run short of time stops with its margin kept, and the next run starts after what it asked', async () => {
    // Every order due again: the oldest are those the first run above asked.
    now += 2 * HOUR;
    const short = await run(12_000);
    expect(short.summary.stopped).toBe('time');
    expect(short.summary.asked).toBeGreaterThan(0);
    expect(short.summary.asked).toBeLessThan(200);
    expect(short.summary.elapsed_ms).toBeLessThanOrEqual(12_000 - 8_000 + 1_000);
    expect(short.summary.left.service_order).toBeGreaterThan(0);
    const next = await run();
    expect(next.summary.asked).toBe(200);
    expect(next.asked.filter((order) => short.asked.includes(order))).toEqual([]);
  }, 60_000);
});
