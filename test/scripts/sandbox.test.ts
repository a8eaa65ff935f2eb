/** `npm run sandbox`: each command against a sandbox started here, through the CLI's main with its output captured. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, freePort } from '../../dev/stack/ports';
import { recordRunningStack, stageNames } from '../../dev/stack/running-stack';
import { main, sandboxUrl } from '../../scripts/sandbox';
import { createOrder, merchantOrder, perTestSandboxFixture, startReceiver, type Reaction, type startWorldSandbox } from '../dev/sandbox/helpers';

const fx = perTestSandboxFixture();

/** A receiver reacting as scripted, a sandbox delivering to it, and the CLI pointed at it. */
async function setUp(script: Reaction[] = [], options: Parameters<typeof startWorldSandbox>[1] = {}) {
  const { receiver, sandbox } = await fx.setUp(script, options);
  const newOrderId = async () => (await createOrder(sandbox, fx.world.merchant, merchantOrder())).order_id as string;
  /** Runs the CLI against this sandbox (unless `--url` or `env` say otherwise). */
  const cli = (argv: string[], env: Record<string, string> = { SANDBOX_URL: sandbox.url }) => run(argv, env);
  return { receiver, sandbox, newOrderId, cli };
}

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { env, out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

const COMMANDS = ['orders', 'sign-plans', 'seed', 'sign', 'cancel-sign', 'complete', 'deduct', 'deduct-late', 'stay-paying', 'confirm', 'probe', 'replay', 'deliveries', 'forward'];

describe('npm run sandbox -- --help', () => {
  it('lists every command with its control route and an example', async () => {
    const { code, out, err } = await run(['--help']);
    expect([code, err]).toEqual([0, []]);
    const help = out.join('\n');
    const listed = [...help.matchAll(/^ {2}([a-z][a-z-]*) /gm)].map((match) => match[1]);
    expect(listed).toEqual(COMMANDS);
    for (const command of COMMANDS) expect(help).toContain(`e.g. npm run sandbox -- ${command}`);
    expect(help).toContain('POST /sandbox/notifications/{notification_id}/replay');
    expect((await run(['-h'])).out).toEqual(out);
  });
});

describe('the sandbox URL', () => {
  it('is --url, else SANDBOX_URL, else 127.0.0.1 on the sandbox port of npm start', () => {
    const none = mkdtempSync(join(tmpdir(), 'no-stack-'));
    try {
      expect(sandboxUrl('http://127.0.0.1:9000', { SANDBOX_URL: 'http://127.0.0.1:9001', SANDBOX_PORT: '9002' }, none)).toBe('http://127.0.0.1:9000');
      expect(sandboxUrl(undefined, { SANDBOX_URL: 'http://127.0.0.1:9001', SANDBOX_PORT: '9002' }, none)).toBe('http://127.0.0.1:9001');
      expect(sandboxUrl(undefined, { SANDBOX_URL: '', SANDBOX_PORT: '9002' }, none)).toBe('http://127.0.0.1:9002');
      expect(sandboxUrl(undefined, {}, none)).toBe('http://127.0.0.1:4102');
    } finally {
      rmSync(none, { recursive: true, force: true });
    }
  });

  it('is the running npm start\'s, whatever its ports, when neither --url nor SANDBOX_URL is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'one-stack-'));
    try {
      recordRunningStack({ pid: process.pid, stage: 'local', ports: { ...DEFAULT_PORTS, sandbox: 5102 }, ...stageNames('local') }, dir);
      expect(sandboxUrl(undefined, {}, dir)).toBe('http://127.0.0.1:5102');
      expect(sandboxUrl(undefined, { SANDBOX_PORT: '5202' }, dir)).toBe('http://127.0.0.1:5202');
      expect(sandboxUrl(undefined, { SANDBOX_URL: 'http://127.0.0.1:9001' }, dir)).toBe('http://127.0.0.1:9001');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reaches the sandbox by each of them', async () => {
    const { sandbox, newOrderId, cli } = await setUp();
    const orderId = await newOrderId();
    const port = new URL(sandbox.url).port;
    for (const [argv, env] of [
      [['orders', '--url', `${sandbox.url}/`], {}],
      [['orders'], { SANDBOX_URL: sandbox.url }],
      [['orders'], { SANDBOX_PORT: port }],
    ] as const) {
      const { code, out } = await cli([...argv], env);
      expect([code, out.at(-1)]).toEqual([0, '1 order(s)']);
      expect(out[0]).toMatch(new RegExp(`^${orderId}  CREATED  out_trade_no [0-9A-F]{24}-1  sign plan [0-9A-F]{32} #1  notify_url https://merchant.example/notify$`));
    }
  });
});

describe('commands', () => {
  it('complete: the merchant completes, the sandbox deducts (DONE), and the USER_PAID delivery is reported with its attempts and last status', async () => {
    const { receiver, sandbox, newOrderId, cli } = await setUp([500, 200]);
    const orderId = await newOrderId();
    const { code, out, err } = await cli(['complete', orderId]);
    expect([code, err]).toEqual([0, []]);
    const [notificationId] = sandbox.deliveries().map((delivery) => delivery.notificationId);
    expect(out).toEqual([`order ${orderId} completed: the sandbox deducts and sends notification ${notificationId} (PAYSCORE.USER_PAID)`, `  delivered to ${receiver.url}: HTTP 200 after 2 attempts`]);
    expect(sandbox.order(orderId)).toMatchObject({ state: 'DONE', collection: 'USER_PAID' });
    // Completing again is the same complete: nothing is deducted twice.
    expect((await cli(['complete', orderId])).out[0]).toBe(out[0]);
    expect(sandbox.deliveries()).toHaveLength(1);
  });

  it('stay-paying, deduct: the deduction fails and the order stays USER_PAYING until deduct', async () => {
    const { sandbox, newOrderId, cli } = await setUp();
    const orderId = await newOrderId();
    expect(await cli(['stay-paying', orderId])).toEqual({ code: 0, out: [`order ${orderId}: the deduction fails, the order stays USER_PAYING (deduct ${orderId} makes it succeed)`], err: [] });
    const completed = await cli(['complete', orderId, '--wait', '0']);
    expect(completed.out[1]).toMatch(/^ {2}not sent yet: npm run sandbox -- deliveries [0-9a-f-]{36} shows when it is$/);
    expect(sandbox.order(orderId)).toMatchObject({ state: 'DOING', collection: 'USER_PAYING', deducting: false });
    const deducted = await cli(['deduct', orderId]);
    expect(deducted.out[0]).toMatch(new RegExp(`^order ${orderId} deducted: notification [0-9a-f-]{36} \\(PAYSCORE.USER_PAID\\)$`));
    expect(sandbox.order(orderId).state).toBe('DONE');
    expect((await cli(['deduct', orderId])).code).toBe(1);
  });

  it('deduct-late: the deduction succeeds that many milliseconds after the completion', async () => {
    const { sandbox, newOrderId, cli } = await setUp();
    const orderId = await newOrderId();
    expect((await cli(['deduct-late', orderId, '600000'])).out).toEqual([`order ${orderId}: the deduction succeeds 600000 ms from now (or from its completion)`]);
    await cli(['complete', orderId, '--wait', '0']);
    expect(sandbox.order(orderId)).toMatchObject({ state: 'DOING', collection: 'USER_PAYING', deducting: true, deduction: { kind: 'late', afterMs: 600000 } });
    expect((await cli(['deduct-late', orderId, 'soon'])).code).toBe(2);
  });

  it('seed, sign-plans, sign, cancel-sign: a user sign plan ready for orders; the user signs and cancels', async () => {
    const { receiver, sandbox, cli } = await setUp();
    const seeded = await cli(['seed', fx.world.merchant.mchid]);
    const signPlanId = /^sign plan (\d{32}) SIGNED/.exec(seeded.out[0]!)![1]!;
    const numbers = (sandbox.signPlan(signPlanId).signed_detail_list as { merchant_plan_detail_no: string }[]).map((detail) => detail.merchant_plan_detail_no);
    expect(seeded.out.slice(1)).toEqual(numbers.map((number, index) => `  plan_detail_no ${index + 1}: out_trade_no ${number}, 1000 fen`));
    expect((await cli(['sign-plans'])).out).toEqual([expect.stringMatching(new RegExp(`^${signPlanId}  SIGNED  merchant_sign_plan_no \\w+  detail 0 of 3  mchid ${fx.world.merchant.mchid}$`)), '1 sign plan(s)']);
    expect((await cli(['sign', signPlanId])).err).toEqual([`npm run sandbox: the sandbox refused POST /sandbox/sign-plans/${signPlanId}/sign: user sign plan ${signPlanId} is SIGNED: only an UNSIGNED one can be signed (HTTP 400 INVALID_REQUEST)`]);
    const cancelled = await cli(['cancel-sign', signPlanId]);
    expect(cancelled.out).toEqual([expect.stringMatching(new RegExp(`^sign plan ${signPlanId} cancelled by the user: notification [0-9a-f-]{36} \\(PAYSCORE.USER_CANCEL_SIGN_PLAN\\)$`)), `  delivered to ${receiver.url}: HTTP 204 after 1 attempt`]);
    expect(sandbox.signPlan(signPlanId)).toMatchObject({ sign_state: 'SIGN_PLAN_CANCEL', cancel_sign_type: 'USER' });
  });

  it('confirm: PAYSCORE.USER_CONFIRM is delivered and the order is DOING (USER_CONFIRM)', async () => {
    const { receiver, sandbox, newOrderId, cli } = await setUp();
    const orderId = await newOrderId();
    const { code, out } = await cli(['confirm', orderId]);
    const [delivery] = sandbox.deliveries();
    expect(delivery!.eventType).toBe('PAYSCORE.USER_CONFIRM');
    expect([code, out]).toEqual([0, [`order ${orderId} confirmed: notification ${delivery!.notificationId} (PAYSCORE.USER_CONFIRM)`, `  delivered to ${receiver.url}: HTTP 204 after 1 attempt`]]);
    expect(sandbox.order(orderId)).toMatchObject({ state: 'DOING', stateDescription: 'USER_CONFIRM' });
  });

  it('probe: says whether the receiver refused the WECHATPAY/SIGNTEST/ signature, as it must, or accepted it', async () => {
    const { receiver, sandbox, newOrderId, cli } = await setUp([401, 200]);
    const orderId = await newOrderId();
    const refused = await cli(['probe', orderId]);
    const accepted = await cli(['probe', orderId]);
    const [first, second] = sandbox.deliveries().map((delivery) => delivery.notificationId);
    expect(refused).toEqual({
      code: 0,
      out: [`order ${orderId}: signature probe ${first} (WECHATPAY/SIGNTEST/) sent`, `  signature probe refused by ${receiver.url} (HTTP 401), as it must be`],
      err: [],
    });
    expect(accepted.out).toEqual([
      `order ${orderId}: signature probe ${second} (WECHATPAY/SIGNTEST/) sent`,
      `  signature probe ACCEPTED by ${receiver.url} (HTTP 200): the receiver does not check signatures; it must refuse WECHATPAY/SIGNTEST/`,
    ]);
    expect(receiver.received.map((received) => String(received.headers['wechatpay-signature']).startsWith('WECHATPAY/SIGNTEST/'))).toEqual([true, true]);
  });

  it('replay: the same notification again, and only the replay’s delivery is reported', async () => {
    const { receiver, sandbox, newOrderId, cli } = await setUp();
    const { notificationId } = sandbox.completeOrder(await newOrderId());
    await sandbox.waitForDelivery(notificationId);
    const { code, out } = await cli(['replay', notificationId]);
    expect([code, out]).toEqual([0, [`notification ${notificationId} replayed (replay 1: same id and body, freshly signed)`, `  delivered to ${receiver.url}: HTTP 204 after 1 attempt (replay 1)`]]);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.body.equals(receiver.received[0]!.body)).toBe(true);
  });

  it('deliveries: one line each, of every notification or of one', async () => {
    const { receiver, sandbox, newOrderId, cli } = await setUp([503]);
    const paid = sandbox.completeOrder(await newOrderId());
    await sandbox.waitForDelivery(paid.notificationId);
    const confirmOrderId = await newOrderId();
    const confirmed = sandbox.confirmOrder(confirmOrderId);
    await sandbox.waitForDelivery(confirmed.notificationId);
    const paidLine = `${paid.notificationId} PAYSCORE.USER_PAID order ${sandbox.deliveries()[0]!.orderId}: delivered to ${receiver.url}: HTTP 204 after 2 attempts`;
    const confirmedLine = `${confirmed.notificationId} PAYSCORE.USER_CONFIRM order ${confirmOrderId}: delivered to ${receiver.url}: HTTP 204 after 1 attempt`;
    expect(await cli(['deliveries'])).toEqual({ code: 0, out: [paidLine, confirmedLine, '2 deliveries'], err: [] });
    expect(await cli(['deliveries', confirmed.notificationId])).toEqual({ code: 0, out: [confirmedLine, '1 delivery'], err: [] });
  });

  it('forward: later deliveries go to the URL until forward --off; alone it says which', async () => {
    const { receiver, sandbox, newOrderId, cli } = await setUp();
    const stage = await startReceiver();
    fx.closeAfterTest(() => stage.close());
    expect((await cli(['forward'])).out).toEqual(["notifications go to their order's notify_url"]);
    expect(await cli(['forward', stage.url])).toEqual({ code: 0, out: [`notifications are forwarded to ${stage.url} from now on (forward --off undoes it)`], err: [] });
    expect((await cli(['forward'])).out).toEqual([`notifications are forwarded to ${stage.url} (forward --off undoes it)`]);
    expect((await cli(['complete', await newOrderId()])).out[1]).toBe(`  delivered to ${stage.url}: HTTP 204 after 1 attempt`);
    expect(await cli(['forward', '--off'])).toEqual({ code: 0, out: ["forwarding off: notifications go to their order's notify_url"], err: [] });
    expect((await cli(['complete', await newOrderId()])).out[1]).toBe(`  delivered to ${receiver.url}: HTTP 204 after 1 attempt`);
    expect([stage.received.length, receiver.received.length, sandbox.forwarding()]).toEqual([1, 1, { url: null }]);
    expect(await cli(['forward', 'ftp://127.0.0.1/notify'])).toEqual({
      code: 1,
      out: [],
      err: ['npm run sandbox: the sandbox refused PUT /sandbox/forward: /url must be an http or https URL (HTTP 400 PARAM_ERROR)'],
    });
  });

  it('a delivery still pending after --wait is reported as it stands, saying how to follow it', async () => {
    const { receiver, newOrderId, cli } = await setUp(['hang', 'hang'], { deliveryTimeoutMs: 60_000 });
    for (const wait of ['0.2', '0']) {
      const orderId = await newOrderId();
      const { code, out } = await cli(['confirm', orderId, '--wait', wait]);
      const notificationId = /notification ([0-9a-f-]{36})/.exec(out[0]!)![1];
      expect([code, out.slice(1)]).toEqual([
        0,
        [`  pending to ${receiver.url}: no attempt answered yet`, `  still pending${wait === '0' ? '' : ' after 0.2 s'}: npm run sandbox -- deliveries ${notificationId} shows how it goes on`],
      ]);
    }
  });
});

describe('errors', () => {
  it('no sandbox listening: exit 1, naming the URL and how to give another', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    expect(await run(['orders', '--url', url])).toEqual({
      code: 1,
      out: [],
      err: [`npm run sandbox: cannot reach the WeChat Pay sandbox at ${url} (connect ECONNREFUSED ${url.slice('http://'.length)}): is npm start running? Otherwise give --url or SANDBOX_URL`],
    });
  });

  it('something else listening: exit 1, saying it is not the sandbox', async () => {
    const { receiver, cli } = await setUp();
    const origin = new URL(receiver.url).origin;
    expect((await cli(['orders', '--url', origin])).err).toEqual([
      `npm run sandbox: ${origin} answered GET /sandbox/orders with HTTP 204, not as the WeChat Pay sandbox does: is --url or SANDBOX_URL right?`,
    ]);
  });

  it.each([
    ['complete', '404', 'POST /sandbox/orders/404/complete: no service order 404'],
    ['confirm', '404', 'POST /sandbox/orders/404/confirm: no service order 404'],
    ['probe', '404', 'POST /sandbox/orders/404/probe: no service order 404'],
    ['replay', 'EV-0', 'POST /sandbox/notifications/EV-0/replay: no notification EV-0 was sent'],
    ['deliveries', 'EV-0', 'GET /sandbox/deliveries?notification_id=EV-0: no notification EV-0 was sent'],
  ])('%s of an unknown %s: exit 1, saying so', async (command, id, said) => {
    const { cli } = await setUp();
    expect(await cli([command, id])).toEqual({ code: 1, out: [], err: [`npm run sandbox: the sandbox refused ${said} (HTTP 404 NOT_FOUND)`] });
  });

  it.each<[string[], string, Record<string, string>?]>([
    [[], 'no command given'],
    [['trigger'], 'unknown command trigger'],
    [['complete'], 'complete takes <order_id>'],
    [['orders', 'extra'], 'orders takes no arguments'],
    [['complete', '1', '--wait', 'soon'], '--wait soon is not a number of seconds'],
    [['complete', '1', '--off'], '--off belongs to forward'],
    [['forward', 'http://127.0.0.1:1/notify', '--off'], 'forward takes a URL or --off, not both'],
    [['orders', '--port', '1'], "Unknown option '--port'"],
    [['orders'], 'SANDBOX_PORT=x is not a port number', { SANDBOX_PORT: 'x' }],
    [['orders', '--url', '127.0.0.1:4102'], 'the sandbox URL 127.0.0.1:4102 (--url or SANDBOX_URL) is not an http URL'],
    [['orders'], 'the sandbox URL localhost:4102 (--url or SANDBOX_URL) is not an http URL', { SANDBOX_URL: 'localhost:4102' }],
  ])('%j: exit 2, saying what is wrong', async (argv, message, env = {}) => {
    const { code, out, err } = await run(argv, env);
    expect([code, out, err.length]).toEqual([2, [], 1]);
    expect(err[0]).toContain(message);
    expect(err[0]).toMatch(/^npm run sandbox: .*\(npm run sandbox -- --help lists the commands\)$/);
  });
});

describe('the script', () => {
  it('runs as npm run sandbox, with its exit code', async () => {
    const { newOrderId, sandbox } = await setUp();
    const orderId = await newOrderId();
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'sandbox', '--', 'orders'], { env: { ...process.env, SANDBOX_URL: sandbox.url } });
    expect(stdout).toMatch(new RegExp(`^${orderId}  CREATED .*\\n1 order\\(s\\)\\n$`));
    const url = `http://127.0.0.1:${await freePort()}`;
    await expect(promisify(execFile)('npm', ['run', '-s', 'sandbox', '--', 'orders', '--url', url])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining(`cannot reach the WeChat Pay sandbox at ${url}`) });
  });
});
