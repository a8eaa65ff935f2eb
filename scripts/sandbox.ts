/**
 * `npm run sandbox -- <command>`: what a developer does by hand against the running WeChat Pay
 * sandbox (`npm start`), in the spirit of the Stripe CLI's `trigger`. Each command is one
 * `/sandbox/…` control route (dev/sandbox/README.md); this file only calls it and says what happened.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { DeliveryRecord, SandboxOrder, SeededSignPlan } from '../dev/sandbox';
import { DEFAULT_PORTS, portsFromEnvironment } from '../dev/stack/ports';
import { findRunningStack, localUrl, RUNNING_STACKS_DIR, runningStacks } from '../dev/stack/running-stack';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where the sandbox is: `--url`, else `SANDBOX_URL`, else the running `npm start`'s (found by
 * itself, whatever its ports), else the port variables' or the default port.
 */
export function sandboxUrl(flag: string | undefined, env: Env, stacksDir = RUNNING_STACKS_DIR): string {
  if (flag) return flag;
  if (env.SANDBOX_URL) return env.SANDBOX_URL;
  if (runningStacks(stacksDir).length === 0) return localUrl(portsFromEnvironment(env).sandbox);
  return localUrl(findRunningStack(env, stacksDir).ports.sandbox);
}

export interface Io {
  env: Env;
  out: (line: string) => void;
  err: (line: string) => void;
}

const DEFAULT_WAIT_SECONDS = 10;

/** A mistake in the arguments: the message and where help is, exit 2. */
class UsageError extends Error {}
/** The sandbox is unreachable or refused the call: the message, exit 1. */
class SandboxError extends Error {}

interface Context {
  call: (method: string, path: string, body?: unknown, signal?: AbortSignal) => Promise<unknown>;
  args: string[];
  off: boolean;
  waitSeconds: number;
  out: (line: string) => void;
}

interface Command {
  name: string;
  args: string;
  /** The control route it calls. */
  route: string;
  does: string;
  example: string;
  /** How many arguments: [least, most]. */
  arity: [number, number];
  run: (context: Context) => Promise<void>;
}

const ORDER_ID = '100020261204093615952000001';
const SIGN_PLAN_ID = '01012026120409361595200000100000';

const path = (...segments: string[]) => `/sandbox/${segments.map(encodeURIComponent).join('/')}`;

/** `POST /sandbox/<collection>/{id}/<action>`, which sends a notification; then its delivery. */
function notifyingCommand(collection: 'orders' | 'sign-plans', name: string, action: string, does: string, said: (id: string, notificationId: string) => string): Command {
  const [idName, example] = collection === 'orders' ? ['order_id', ORDER_ID] : ['sign_plan_id', SIGN_PLAN_ID];
  return {
    name,
    args: `<${idName}>`,
    route: `POST /sandbox/${collection}/{${idName}}/${action}`,
    does,
    example: `npm run sandbox -- ${name} ${example}`,
    arity: [1, 1],
    run: async (context) => {
      const [id] = context.args as [string];
      const { notificationId } = (await context.call('POST', path(collection, id, action))) as { notificationId: string };
      context.out(said(id, notificationId));
      await reportDeliveries(context, notificationId);
    },
  };
}

const orderCommand = (name: string, does: string, said: (orderId: string, notificationId: string) => string) => notifyingCommand('orders', name, name, does, said);

/** `POST /sandbox/orders/{order_id}/<name>`, which changes how the order's deduction goes. */
function deductionCommand(name: string, does: string, args = '', example = ''): Command {
  return {
    name,
    args: `<order_id>${args ? ` ${args}` : ''}`,
    route: `POST /sandbox/orders/{order_id}/${name}${args ? ' {after_ms}' : ''}`,
    does,
    example: `npm run sandbox -- ${name} ${ORDER_ID}${example ? ` ${example}` : ''}`,
    arity: args ? [2, 2] : [1, 1],
    run: async ({ call, args: [orderId, afterMs], out }) => {
      if (afterMs !== undefined && !/^\d{1,9}$/.test(afterMs)) throw new UsageError(`${name} takes <order_id> <ms>: ${afterMs} is not a number of milliseconds`);
      const answer = (await call('POST', path('orders', orderId!, name), afterMs === undefined ? undefined : { after_ms: Number(afterMs) })) as { deduction: { kind: string; afterMs?: number } };
      out(answer.deduction.kind === 'late' ? `order ${orderId}: the deduction succeeds ${answer.deduction.afterMs} ms from now (or from its completion)` : `order ${orderId}: the deduction fails, the order stays USER_PAYING (deduct ${orderId} makes it succeed)`);
    },
  };
}

/** `GET /sandbox/<collection>`: one line per item, then the count. */
function listCommand<T>(name: string, does: string, line: (item: T) => string, counted: string): Command {
  return {
    name,
    args: '',
    route: `GET /sandbox/${name}`,
    does,
    example: `npm run sandbox -- ${name}`,
    arity: [0, 0],
    run: async ({ call, out }) => {
      const items = (await call('GET', path(name))) as T[];
      for (const item of items) out(line(item));
      out(`${items.length} ${counted}(s)`);
    },
  };
}

interface SignPlanLine {
  sign_plan_id: string;
  sign_state: string;
  merchant_sign_plan_no: string;
  going_detail_no: number;
  deduction_quantity: number;
  mchid: string;
  sub_mchid?: string;
}

const COMMANDS: Command[] = [
  listCommand<SandboxOrder>(
    'orders',
    "lists the sandbox's service orders",
    ({ orderId, state, collection, request }) =>
      `${orderId}  ${state}${collection ? ` ${collection}` : ''}  out_trade_no ${request.out_trade_no}  sign plan ${request.sign_plan_id} #${request.plan_detail_no}  notify_url ${request.notify_url}`,
    'order',
  ),
  listCommand<SignPlanLine>(
    'sign-plans',
    "lists the sandbox's user sign plans",
    (plan) => `${plan.sign_plan_id}  ${plan.sign_state}  merchant_sign_plan_no ${plan.merchant_sign_plan_no}  detail ${plan.going_detail_no} of ${plan.deduction_quantity}  mchid ${plan.mchid}${plan.sub_mchid ? ` sub_mchid ${plan.sub_mchid}` : ''}`,
    'sign plan',
  ),
  {
    name: 'seed',
    args: '<mchid> [sub_mchid]',
    route: 'POST /sandbox/sign-plans {mchid, sub_mchid?}',
    does: 'makes a plan of three details and a SIGNED user sign plan of it, ready for orders; says what an order needs',
    example: 'npm run sandbox -- seed 1900000109',
    arity: [1, 2],
    run: async ({ call, args: [mchid, subMchid], out }) => {
      const seeded = (await call('POST', path('sign-plans'), { mchid, ...(subMchid === undefined ? {} : { sub_mchid: subMchid }) })) as SeededSignPlan;
      out(`sign plan ${seeded.sign_plan_id} SIGNED (plan ${seeded.plan_id}, merchant_sign_plan_no ${seeded.merchant_sign_plan_no})`);
      for (const detail of seeded.details) out(`  plan_detail_no ${detail.plan_detail_no}: out_trade_no ${detail.merchant_plan_detail_no}, ${detail.actual_price} fen`);
    },
  },
  notifyingCommand('sign-plans', 'sign', 'sign', 'the user signs the sign plan (SIGNED) and PAYSCORE.USER_SIGN_PLAN is delivered', (id, notificationId) => `sign plan ${id} signed: notification ${notificationId} (PAYSCORE.USER_SIGN_PLAN)`),
  notifyingCommand('sign-plans', 'cancel-sign', 'cancel', 'the user cancels the sign plan (SIGN_PLAN_CANCEL) and PAYSCORE.USER_CANCEL_SIGN_PLAN is delivered', (id, notificationId) => `sign plan ${id} cancelled by the user: notification ${notificationId} (PAYSCORE.USER_CANCEL_SIGN_PLAN)`),
  orderCommand('complete', "completes the order as its merchant would, at the plan detail's price; the sandbox then deducts and delivers PAYSCORE.USER_PAID", (orderId, id) => `order ${orderId} completed: the sandbox deducts and sends notification ${id} (PAYSCORE.USER_PAID)`),
  orderCommand('deduct', 'deducts a completed order now (DONE) and delivers PAYSCORE.USER_PAID', (orderId, id) => `order ${orderId} deducted: notification ${id} (PAYSCORE.USER_PAID)`),
  deductionCommand('deduct-late', "makes the order's deduction succeed <ms> from now (or from its completion)", '<ms>', '30000'),
  deductionCommand('stay-paying', "makes the order's deduction fail: it stays USER_PAYING until deduct"),
  orderCommand('confirm', 'the user confirms the order (CREATED → DOING, USER_CONFIRM) and PAYSCORE.USER_CONFIRM is delivered', (orderId, id) => `order ${orderId} confirmed: notification ${id} (PAYSCORE.USER_CONFIRM)`),
  orderCommand('probe', 'delivers one signature probe (WECHATPAY/SIGNTEST/), which a receiver must refuse', (orderId, id) => `order ${orderId}: signature probe ${id} (WECHATPAY/SIGNTEST/) sent`),
  {
    name: 'replay',
    args: '<notification_id>',
    route: 'POST /sandbox/notifications/{notification_id}/replay',
    does: 'delivers a sent notification again: same id and body, freshly signed',
    example: 'npm run sandbox -- replay 8b33f79f-8869-5ae5-b41b-3c0b59f957d0',
    arity: [1, 1],
    run: async (context) => {
      const [notificationId] = context.args as [string];
      const { replay } = (await context.call('POST', path('notifications', notificationId, 'replay'))) as { replay: number };
      context.out(`notification ${notificationId} replayed (replay ${replay}: same id and body, freshly signed)`);
      await reportDeliveries(context, notificationId, replay);
    },
  },
  {
    name: 'deliveries',
    args: '[notification_id]',
    route: 'GET /sandbox/deliveries[?notification_id=…]',
    does: 'lists the deliveries and their outcomes, of every notification or of one',
    example: 'npm run sandbox -- deliveries 8b33f79f-8869-5ae5-b41b-3c0b59f957d0',
    arity: [0, 1],
    run: async ({ call, args, out }) => {
      const [notificationId] = args;
      const query = notificationId === undefined ? '' : `?notification_id=${encodeURIComponent(notificationId)}`;
      const records = (await call('GET', `${path('deliveries')}${query}`)) as DeliveryRecord[];
      for (const record of records) out(`${record.notificationId} ${record.eventType} ${record.orderId === undefined ? `sign plan ${record.signPlanId}` : `order ${record.orderId}`}: ${describeDelivery(record)}`);
      out(`${records.length} deliver${records.length === 1 ? 'y' : 'ies'}`);
    },
  },
  {
    name: 'forward',
    args: '[<url> | --off]',
    route: 'PUT /sandbox/forward {url}, DELETE /sandbox/forward, GET /sandbox/forward',
    does: 'delivers every later notification to <url> instead of its notify_url; --off undoes it; alone: says which',
    example: 'npm run sandbox -- forward https://abc123.execute-api.eu-west-1.amazonaws.com/dev/merchant/notify',
    arity: [0, 1],
    run: async ({ call, args, off, out }) => {
      const [url] = args;
      if (off && url !== undefined) throw new UsageError('forward takes a URL or --off, not both');
      const method = off ? 'DELETE' : url === undefined ? 'GET' : 'PUT';
      const forwarding = (await call(method, path('forward'), url === undefined ? undefined : { url })) as { url: string | null };
      if (forwarding.url === null) out(`${off ? 'forwarding off: ' : ''}notifications go to their order's notify_url`);
      else out(`notifications are forwarded to ${forwarding.url}${method === 'PUT' ? ' from now on' : ''} (forward --off undoes it)`);
    },
  },
];

/** After a send (the first, or replay n): its deliveries once settled, or as they stand after `--wait` seconds. */
async function reportDeliveries(context: Context, notificationId: string, replay = 0): Promise<void> {
  const query = `notification_id=${encodeURIComponent(notificationId)}&replay=${replay}`;
  let records: DeliveryRecord[] | undefined;
  if (context.waitSeconds > 0) {
    const timeout = AbortSignal.timeout(context.waitSeconds * 1000);
    try {
      records = (await context.call('GET', `${path('deliveries')}?${query}&wait=true`, undefined, timeout)) as DeliveryRecord[];
    } catch (error) {
      if (!timeout.aborted) throw error;
    }
  }
  records ??= (await context.call('GET', `${path('deliveries')}?${query}`)) as DeliveryRecord[];
  for (const record of records) context.out(`  ${describeDelivery(record)}`);
  if (records.length === 0) context.out(`  not sent yet${context.waitSeconds > 0 ? ` after ${context.waitSeconds} s` : ''}: npm run sandbox -- deliveries ${notificationId} shows when it is`);
  if (records.some((record) => record.outcome === 'pending')) {
    context.out(`  still pending${context.waitSeconds > 0 ? ` after ${context.waitSeconds} s` : ''}: npm run sandbox -- deliveries ${notificationId} shows how it goes on`);
  }
}

/** One delivery in a line: where, its outcome, the last HTTP status or error, how many attempts. */
function describeDelivery(record: DeliveryRecord): string {
  const count = record.attempts.length;
  const attempts = `${count} attempt${count === 1 ? '' : 's'}`;
  const last = record.attempts.at(-1);
  const answer = last === undefined ? 'no answer yet' : last.statusCode !== undefined ? `HTTP ${last.statusCode}` : last.error;
  const replay = record.replay > 0 ? ` (replay ${record.replay})` : '';
  if (record.probe) {
    if (record.outcome === 'delivered') return `signature probe ACCEPTED by ${record.url} (${answer}): the receiver does not check signatures; it must refuse WECHATPAY/SIGNTEST/${replay}`;
    if (record.outcome === 'failed' && last?.statusCode !== undefined) return `signature probe refused by ${record.url} (${answer}), as it must be${replay}`;
    return `signature probe to ${record.url}: ${record.outcome}, ${answer}${replay}`;
  }
  const copy = record.copy > 1 ? ` (copy ${record.copy})` : '';
  if (record.outcome === 'pending') return `pending to ${record.url}: ${count === 0 ? 'no attempt answered yet' : `${answer} after ${attempts}, retrying`}${copy}${replay}`;
  const outcome = record.outcome === 'cancelled' ? 'cancelled (the sandbox stopped)' : record.outcome;
  return `${outcome} to ${record.url}: ${answer} after ${attempts}${copy}${replay}`;
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => `${command.name} ${command.args}`.length)) + 2;
  return [
    'usage: npm run sandbox -- <command> [options]',
    'Drives the running WeChat Pay sandbox (npm start) through its control routes (dev/sandbox/README.md).',
    '',
    'commands:',
    ...COMMANDS.flatMap((command) => [
      `  ${`${command.name} ${command.args}`.padEnd(width)}${command.does}`,
      `  ${''.padEnd(width)}${command.route}`,
      `  ${''.padEnd(width)}e.g. ${command.example}`,
    ]),
    '',
    'options:',
    `  --url <url>      the sandbox; default SANDBOX_URL, else the running npm start's, else http://127.0.0.1:$SANDBOX_PORT (${DEFAULT_PORTS.sandbox} unless set)`,
    `  --wait <s>       how long the commands that send a notification wait for its delivery's outcome (default ${DEFAULT_WAIT_SECONDS}; 0: do not wait)`,
    '  --help           this text',
  ].join('\n');
}

/** A control call that is not a wait answers at once; a host that accepts and never answers is not the sandbox. */
const CALL_TIMEOUT_MS = 10_000;

async function callSandbox(baseUrl: string, method: string, routePath: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
  let response: Response;
  const ownTimeout = AbortSignal.timeout(CALL_TIMEOUT_MS);
  try {
    response = await fetch(`${baseUrl}${routePath}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
      signal: signal ?? ownTimeout,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    if (ownTimeout.aborted) throw new SandboxError(`${baseUrl} did not answer ${method} ${routePath} within ${CALL_TIMEOUT_MS / 1000} s: is --url or SANDBOX_URL the sandbox?`);
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new SandboxError(`cannot reach the WeChat Pay sandbox at ${baseUrl} (${cause}): is npm start running? Otherwise give --url or SANDBOX_URL`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SandboxError(`${baseUrl} answered ${method} ${routePath} with HTTP ${response.status}, not as the WeChat Pay sandbox does: is --url or SANDBOX_URL right?`);
  }
  if (!response.ok) {
    const { code, message } = json as { code?: string; message?: string };
    throw new SandboxError(`the sandbox refused ${method} ${routePath}: ${message ?? text} (HTTP ${response.status}${code ? ` ${code}` : ''})`);
  }
  return json;
}

/** Runs one command; returns the exit code (0 done, 1 the sandbox unreachable or refusing, 2 a usage mistake). */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { url: { type: 'string' }, wait: { type: 'string' }, off: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
    if (values.help) {
      io.out(usage());
      return 0;
    }
    const [name, ...args] = positionals;
    if (name === undefined) throw new UsageError('no command given');
    const command = COMMANDS.find((candidate) => candidate.name === name);
    if (!command) throw new UsageError(`unknown command ${name}`);
    const [least, most] = command.arity;
    if (args.length < least || args.length > most) throw new UsageError(`${name} takes ${command.args || 'no arguments'}`);
    if (values.off && name !== 'forward') throw new UsageError('--off belongs to forward');
    const waitSeconds = values.wait === undefined ? DEFAULT_WAIT_SECONDS : Number(values.wait);
    if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new UsageError(`--wait ${values.wait} is not a number of seconds`);
    let baseUrl: string;
    try {
      baseUrl = sandboxUrl(values.url, io.env).replace(/\/+$/, '');
    } catch (error) {
      // A port variable that is no port, or several stacks running and nothing picking one.
      throw new UsageError((error as Error).message);
    }
    if (!/^https?:\/\/[^/]/i.test(baseUrl) || !URL.canParse(baseUrl)) throw new UsageError(`the sandbox URL ${baseUrl} (--url or SANDBOX_URL) is not an http URL`);
    await command.run({ call: (method, routePath, body, signal) => callSandbox(baseUrl, method, routePath, body, signal), args, off: values.off, waitSeconds, out: io.out });
    return 0;
  } catch (error) {
    if (error instanceof SandboxError) {
      io.err(`npm run sandbox: ${error.message}`);
      return 1;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) {
      io.err(`npm run sandbox: ${(error as Error).message} (npm run sandbox -- --help lists the commands)`);
      return 2;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2), { env: process.env, out: (line) => console.log(line), err: (line) => console.error(line) });
}
