/**
 * 10,000 generated create bodies through the create handlers (merchant and
 * partner, HTTP API and REST, plain and base64): each is a 400 naming the
 * fields it broke, or a valid call WeChat Pay (the sandbox) answers. Never a 5xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../dev/sandbox';
import { operationsHandler } from '../../lib/handlers/operations';
import { createServiceOrder } from '../../lib/operations/service-order-create';
import { createTestWorld, type TestWorld } from '../helpers/accounts';
import { httpApiEvent, lambdaContext, restEvent } from '../helpers/events';
import { startLocalAws, type LocalAws } from '../helpers/local-aws';
import { SEED_MERCHANT_ORDER } from '../helpers/orders';
import { figuresFile, Tally } from './helpers/figures';
import { LONG_RUNNING } from './helpers/timing';
import { LogCollector } from './helpers/log-hygiene';
import { transportArbitrary } from './helpers/notify-events';
import { explains, orderInputArbitrary } from './helpers/order-inputs';
import { startWorldSandbox } from './helpers/sandbox-world';
import { nodeTransport } from '../../lib/http/transport';
import { recordingMetrics } from '../helpers/metrics';

const CORPUS_SIZE = 10_000;
const MAX_REQUEST_BYTES = 32 * 1024;

const figures = figuresFile('create-bad-input');
const logs = new LogCollector();
const log = logs.log();
let world: TestWorld;
let aws: LocalAws;
let sandbox: Sandbox;
let handlers: Record<'merchant' | 'partner', ReturnType<typeof operationsHandler>>;

beforeAll(async () => {
  world = await createTestWorld();
  aws = await startLocalAws({ merchant: world.secret(world.merchant), partner: world.secret(world.partner) });
  sandbox = await startWorldSandbox(world, () => ({}));
  logs.forbidKeys([world.merchant, world.partner], world.wechatpay.key);
  logs.forbid('a plaintext openid', SEED_MERCHANT_ORDER.openid as string);
  const deps = (secretId: string) => {
    const built = { secrets: aws.secretCache(secretId), ledger: aws.ledger(), transport: nodeTransport(), baseUrl: sandbox.url, notifyUrl: undefined };
    return () => built;
  };
  handlers = { merchant: operationsHandler('merchant', [createServiceOrder], log, deps('merchant'), recordingMetrics()), partner: operationsHandler('partner', [createServiceOrder], log, deps('partner'), recordingMetrics()) };
});
afterAll(async () => {
  await sandbox.close();
  await aws.close();
});

interface Answer {
  code?: string;
  order_id?: string;
  errors?: Array<{ field: string; message: string }>;
}

/** A 400 of our own validation: every error names a field that the body's changes explain. */
function expectFieldErrors(answer: Answer, touched: string[], namedFields: Tally): void {
  expect(answer).toMatchObject({ code: 'INVALID_REQUEST', message: expect.any(String) });
  expect(answer.errors!.length).toBeGreaterThan(0);
  for (const error of answer.errors!) {
    expect(error.message).toEqual(expect.any(String));
    expect(touched.some((path) => explains(path, error.field)), `${error.field} not among ${touched.join(', ')}`).toBe(true);
    namedFields.add(error.message === 'is not a known field' ? '(an unknown field)' : error.field.split('.')[0]!);
  }
}

describe('reliability: bad input on create', LONG_RUNNING, () => {
  it(`${CORPUS_SIZE} generated bodies: a 400 naming the broken fields, or a valid call; never a 5xx`, async () => {
    const answers = new Tally();
    const namedFields = new Tally();
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(orderInputArbitrary, transportArbitrary, async (input, transport) => {
        const eventInput = { body: input.body, base64: transport.base64 };
        const path = `/${input.variant}/service-orders`;
        const event = transport.api === 'http' ? httpApiEvent(eventInput, path) : restEvent(eventInput, path);
        const response = await handlers[input.variant](event, lambdaContext());
        const answer = JSON.parse(response.body) as Answer;
        const fromWechatPay = response.headers?.['Request-ID'] !== undefined;
        answers.add(`${response.statusCode} ${answer.code ?? 'order created'}${fromWechatPay ? ' (from WeChat Pay)' : ''}`);
        expect(response.statusCode, response.body).toBeLessThan(500);
        if (response.statusCode === 413) {
          expect(Buffer.byteLength(input.body)).toBeGreaterThan(MAX_REQUEST_BYTES);
        } else if (fromWechatPay) {
          // A valid call: WeChat Pay (the sandbox) checked our signature and its field rules, which are ours.
          expect(['order created', 'INVALID_REQUEST', 'NO_AUTH']).toContain(answer.code ?? 'order created');
        } else {
          expectFieldErrors(answer, input.touched, namedFields);
        }
      }),
      { numRuns: CORPUS_SIZE },
    );
    figures.record({
      bodies: CORPUS_SIZE,
      answersOf5xx: 0,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      byAnswer: answers.counts,
      fieldErrorsByTopLevelField: namedFields.counts,
    });
  });

  it('the logs hold no key, signature or plaintext openid', () => {
    const hygiene = logs.check();
    figures.record({ logHygiene: hygiene });
    expect(hygiene.leaks).toEqual([]);
  });
});
