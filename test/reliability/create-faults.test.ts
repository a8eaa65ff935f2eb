/**
 * WeChat Pay failing the create call: 5xx on every attempt, no answer, an
 * unreachable host, 2xx answers that are unsigned, badly signed or stale, and a
 * signed answer about another order. Each gets its one status (504 for no answer,
 * 502 otherwise) inside the deadline, and the ledger holds no record claiming
 * the order was created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_FAULT_KINDS, type CreateFaultKind, type Sandbox } from '../../dev/sandbox';
import { serviceOrderKey } from '../../lib/ledger/keys';
import { createTestWorld, type TestWorld } from '../helpers/accounts';
import { httpApiEvent, lambdaContext } from '../helpers/events';
import { startLocalAws, type LocalAws } from '../helpers/local-aws';
import { merchantOrder, SEED_MERCHANT_ORDER } from '../helpers/orders';
import { figuresFile } from './helpers/figures';
import { LogCollector } from './helpers/log-hygiene';
import { merchantCreateHandler, startWorldSandbox } from './helpers/sandbox-world';
import { LONG_RUNNING, maxMs, timed, type Timed } from './helpers/timing';

const CALLS_PER_FAULT = 4;
const DEADLINE_MS = 1_000;
/** What the handler may add to the deadline: signing, the error answer, the event loop. */
const SLACK_MS = 1_000;

const figures = figuresFile('create-faults');
const logs = new LogCollector();
let world: TestWorld;
let aws: LocalAws;
let sandbox: Sandbox;

beforeAll(async () => {
  world = await createTestWorld();
  aws = await startLocalAws({ merchant: world.secret(world.merchant) });
  sandbox = await startWorldSandbox(world, () => ({}));
  logs.forbidKeys([world.merchant], world.wechatpay.key);
  logs.forbid('a plaintext openid', SEED_MERCHANT_ORDER.openid as string);
});
afterAll(async () => {
  await sandbox.close();
  await aws.close();
});

const BAD_GATEWAY = { status: 502, code: 'BAD_GATEWAY', logged: 'WECHATPAY_UNAVAILABLE' };
/** What each fault must be answered: one status, one answer code, one logged error code. */
const EXPECTED: Record<CreateFaultKind | 'otherOrder' | 'connection refused', { status: number; code: string; logged: string }> = {
  systemError: BAD_GATEWAY,
  hang: { status: 504, code: 'GATEWAY_TIMEOUT', logged: 'WECHATPAY_TIMEOUT' },
  unsigned: BAD_GATEWAY,
  badSignature: BAD_GATEWAY,
  staleTimestamp: BAD_GATEWAY,
  otherOrder: { ...BAD_GATEWAY, logged: 'WECHATPAY_ANSWER_MISMATCH' },
  'connection refused': BAD_GATEWAY,
};

const faults = [
  ...CREATE_FAULT_KINDS.map((kind) => ({ name: kind, baseUrl: () => sandbox.url, inject: () => void sandbox.injectFault({ kind, count: kind === 'systemError' ? 3 : 1 }) })),
  { name: 'otherOrder' as const, baseUrl: () => sandbox.url, inject: () => void sandbox.injectFault({ kind: 'otherOrder', field: 'out_order_no' }) },
  { name: 'connection refused' as const, baseUrl: () => 'http://127.0.0.1:9', inject: () => undefined },
];

describe('reliability: WeChat Pay faults on create', LONG_RUNNING, () => {
  it.each(faults)(`$name × ${CALLS_PER_FAULT}: its one status inside the ${DEADLINE_MS} ms deadline, no ledger record`, async (fault) => {
    const expected = EXPECTED[fault.name];
    const timings: Timed[] = [];
    const log = logs.log();
    const handler = timed(merchantCreateHandler(aws, log, fault.baseUrl(), { deadlineMs: DEADLINE_MS }), timings);
    const answers: string[] = [];
    for (let call = 0; call < CALLS_PER_FAULT; call += 1) {
      fault.inject();
      const order = merchantOrder();
      const response = await handler(httpApiEvent({ body: JSON.stringify(order) }, '/merchant/service-orders'), lambdaContext());
      expect(response.statusCode).toBe(expected.status);
      expect(JSON.parse(response.body).code).toBe(expected.code);
      answers.push(`${response.statusCode} ${JSON.parse(response.body).code}`);
      expect(await aws.item(serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: order.out_trade_no as string }))).toBeUndefined();
    }
    expect(maxMs(timings)).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(log.lines.filter((line) => line.message === 'request failed').map((line) => line.attributes.code)).toEqual(answers.map(() => expected.logged));
    figures.record({ [fault.name]: { calls: CALLS_PER_FAULT, answers: [...new Set(answers)], maxAnswerMs: maxMs(timings), deadlineMs: DEADLINE_MS, ledgerRecords: 0 } });
  });

  it('the logs hold no key, signature or plaintext openid', () => {
    const hygiene = logs.check();
    figures.record({ logHygiene: hygiene });
    expect(hygiene.leaks).toEqual([]);
  });
});
