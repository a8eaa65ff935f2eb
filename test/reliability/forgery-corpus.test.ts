/**
 * Forged notifications through the notify handler: 10,000 fast-check variants
 * of genuine notifications, every one a real forgery. None may be accepted or
 * reach the ledger; every answer is a 4xx FAIL. Benign re-encodings of genuine
 * notifications are shown to be accepted, so that rejecting everything cannot pass.
 */
import fc from 'fast-check';
import { createPrivateKey, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deductionNotifyHandler } from '../../lib/handlers/deduction-notify';
import type { ProxyEvent } from '../../lib/http/event';
import type { Ledger } from '../../lib/ledger/ledger';
import { createTestWorld, type TestWorld } from '../helpers/accounts';
import { lambdaContext } from '../helpers/events';
import { startLocalAws, type LocalAws } from '../helpers/local-aws';
import { buildNotification } from '../helpers/notifications';
import { fixedClock, generateRsaKeyPair, NOW_SECONDS } from '../helpers/wechatpay';
import { benignArbitrary, benignEvent } from './helpers/benign';
import { bodyForgeries } from './helpers/body-forgeries';
import { figuresFile, Tally } from './helpers/figures';
import { LONG_RUNNING } from './helpers/timing';
import type { ForgeryContext, Genuine } from './helpers/forgery-context';
import { headerForgeries } from './helpers/header-forgeries';
import { LogCollector } from './helpers/log-hygiene';
import { noiseArbitrary, notifyEvent, transportArbitrary, withNoise } from './helpers/notify-events';
import { recordingMetrics } from '../helpers/metrics';

const CORPUS_SIZE = 10_000;
const BENIGN_RUNS = 200;
const POOL_SIZE = 24;

const figures = figuresFile('forgery-corpus');
const logs = new LogCollector();
const log = logs.log();
const clock = fixedClock();
let world: TestWorld;
let aws: LocalAws;
let context: ForgeryContext;
let handler: (event: ProxyEvent, context: Context) => Promise<{ statusCode: number; body: string }>;
/** Every call that reached the ledger, whatever its outcome. */
let ledgerCalls = 0;
const unhandled: unknown[] = [];
const onUnhandled = (error: unknown) => void unhandled.push(error);

/** A genuine notification signed now (by the fixed clock), with an openid the logs must never show. */
function genuine(account: TestWorld['merchant'], index: number, extra: Record<string, unknown> = {}): Genuine {
  const openid = `oRELIABILITY${randomUUID().replace(/-/g, '')}`;
  logs.forbid('a plaintext openid', openid);
  const notification = buildNotification(world.wechatpay, account, {
    clock,
    signWith: index % 3 === 0 ? 'certificate' : 'publicKey',
    eventType: index % 4 === 0 ? 'PAYSCORE.USER_CONFIRM' : 'PAYSCORE.USER_PAID',
    plaintext: { out_order_no: `FORGERY${index}`, openid, ...extra },
  });
  logs.forbid('a full Wechatpay-Signature', notification.headers['Wechatpay-Signature']!);
  return notification;
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  world = await createTestWorld();
  aws = await startLocalAws({ merchant: world.secret(world.merchant) });
  const attacker = generateRsaKeyPair();
  logs.forbidKeys([world.merchant, world.partner], world.wechatpay.key);
  logs.forbid('the forger private key', attacker.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().split('\n')[5]!);
  context = {
    pool: Array.from({ length: POOL_SIZE }, (_, index) => genuine(world.merchant, index)),
    otherAccount: Array.from({ length: 4 }, (_, index) => genuine(world.partner, index, { sub_mchid: '1900000109' })),
    wechatpayKey: createPrivateKey(world.wechatpay.key.privateKeyPem),
    attackerKey: attacker.privateKey,
    knownSerials: [world.wechatpay.publicKeyId, world.wechatpay.key.serial],
    nowSeconds: NOW_SECONDS,
  };
  const ledger = aws.ledger();
  const counting: Pick<Ledger, 'recordNotification'> = {
    recordNotification: (notification) => {
      ledgerCalls += 1;
      return ledger.recordNotification(notification);
    },
  };
  const secrets = aws.secretCache('merchant', { clock });
  handler = deductionNotifyHandler(log, () => ({ secrets, ledger: counting, clock }), recordingMetrics());
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await aws.close();
});

const lastErrorCode = (linesBefore: number) => String(log.lines.slice(linesBefore).find((line) => line.message === 'request failed')?.attributes.code ?? 'none');

describe('reliability: forged notifications', LONG_RUNNING, () => {
  it(`benign re-encodings of ${BENIGN_RUNS} genuine notifications are accepted, each exactly once`, async () => {
    const carried = new Tally();
    const callsBefore = ledgerCalls;
    let run = POOL_SIZE;
    await fc.assert(
      fc.asyncProperty(benignArbitrary, async (benign) => {
        const linesBefore = log.lines.length;
        run += 1; // a notification of its own order each time
        const response = await handler(benignEvent(genuine(world.merchant, run), benign, context.knownSerials), lambdaContext());
        expect(response.statusCode, lastErrorCode(linesBefore)).toBe(204);
        expect(log.lines.at(-1)!.attributes.outcome).toBe('applied');
        carried.add(`${benign.transport.api}${benign.transport.base64 ? ' base64' : ''}, serial ${benign.serial}`);
      }),
      { numRuns: BENIGN_RUNS },
    );
    expect(ledgerCalls - callsBefore).toBe(BENIGN_RUNS);
    figures.record({ benign: { delivered: BENIGN_RUNS, accepted: BENIGN_RUNS, ledgerWrites: ledgerCalls - callsBefore, byCarriage: carried.counts } });
  });

  it(`${CORPUS_SIZE} forged variants: 0 accepted, 0 ledger writes, every answer a 4xx FAIL`, async () => {
    const itemsBefore = (await aws.items()).length;
    const callsBefore = ledgerCalls;
    const secretReadsBefore = aws.secretsManager.calls.GetSecretValue;
    const byKind = new Tally();
    const byAnswer = new Tally();
    const byCarriage = new Tally();
    const variant = fc.record({ base: fc.nat(POOL_SIZE - 1), forgery: fc.oneof(...headerForgeries, ...bodyForgeries), transport: transportArbitrary, noise: noiseArbitrary });
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(variant, async ({ base, forgery, transport, noise }) => {
        const linesBefore = log.lines.length;
        const event = notifyEvent(withNoise(forgery.forge(context.pool[base]!, context), noise), transport);
        const response = await handler(event, lambdaContext());
        const code = lastErrorCode(linesBefore);
        expect(response.statusCode, `${forgery.kind}: ${code}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${forgery.kind}: ${code}`).toBeLessThan(500);
        expect(JSON.parse(response.body)).toEqual({ code: 'FAIL', message: expect.any(String) });
        expect(ledgerCalls).toBe(callsBefore);
        byKind.add(forgery.kind);
        byAnswer.add(`${response.statusCode} ${code}`);
        byCarriage.add(`${transport.api}${transport.base64 ? ' base64' : ''}`);
      }),
      { numRuns: CORPUS_SIZE },
    );
    const seconds = (performance.now() - started) / 1000;
    const itemsAfter = (await aws.items()).length;

    expect(byKind.total).toBe(CORPUS_SIZE);
    expect(ledgerCalls - callsBefore).toBe(0);
    expect(itemsAfter).toBe(itemsBefore);
    // Every kind of forgery is well represented.
    for (const [kind, count] of Object.entries(byKind.counts)) expect(count, kind).toBeGreaterThanOrEqual(100);
    // The not-re-signed envelope changes report four kinds (ciphertext, nonce, AAD, other fields).
    expect(Object.keys(byKind.counts).length).toBe(headerForgeries.length + bodyForgeries.length + 3);
    figures.record({
      corpus: {
        variants: CORPUS_SIZE,
        accepted: 0,
        ledgerCalls: ledgerCalls - callsBefore,
        tableItemsBefore: itemsBefore,
        tableItemsAfter: itemsAfter,
        secretReadsCausedByUnknownSerials: aws.secretsManager.calls.GetSecretValue - secretReadsBefore,
        seconds: Math.round(seconds * 10) / 10,
        byAnswer: byAnswer.counts,
        byKind: byKind.counts,
        byCarriage: byCarriage.counts,
      },
    });
  });

  it('no unhandled error, and the logs hold no key, full signature or plaintext openid', () => {
    const hygiene = logs.check();
    figures.record({ unhandledErrors: unhandled.length, logHygiene: hygiene });
    expect(unhandled).toEqual([]);
    expect(hygiene.leaks).toEqual([]);
    expect(hygiene.logLines).toBeGreaterThan(CORPUS_SIZE);
  });
});
