/**
 * The scheduled reconciliation (README "Reconciliation"), one function per account: what the
 * ledger still holds open, found by queries on the pending index (never a scan), oldest due
 * first, is asked of WeChat Pay through the same query entries as the sync routes, and what the
 * answer says is applied by the same monotonic rules, recorded with source `reconciliation`.
 * Everything asked moves to the back of the index (a change applied, or `touchPending`), so
 * that a bounded run never asks one item twice while another waits.
 */
import type { Context } from 'aws-lambda';
import { partitionObject, type PendingKind } from '../ledger/keys';
import type { IntentOperation, Ledger } from '../ledger/ledger';
import { invocationFields, lambdaTraceHeader, withContext, type Log } from '../log';
import type { Metrics } from '../metrics';
import type { AccountKind, CallOperation, OperationCall, OperationsLedger, VerifiedAnswer } from '../operations/operation';
import { syncPlan } from '../operations/plans';
import { syncServiceOrder } from '../operations/service-orders';
import { createServiceOrder } from '../operations/service-order-create';
import { PACKAGE_VALIDITY_MS, syncUserSignPlan } from '../operations/user-sign-plans';
import type { SecretCache } from '../secrets/secret-cache';
import { isJsonObject, WechatPayApiError, type Clock, type Transport } from '../wechatpay';
import { checkAnswerIsAbout } from './operations';
import { callDeadline, measuredCall, wechatpayClient } from './wechatpay-call';

export interface ReconcileLimits {
  /** A PENDING intent is asked about once it is this old (RECONCILE_PENDING_AFTER_S). */
  pendingAfterS: number;
  /** An open service order or user sign plan, once its last change is this old (RECONCILE_OPEN_AFTER_S). */
  openAfterS: number;
  /** WeChat Pay calls per run (RECONCILE_MAX_CALLS). */
  maxCalls: number;
  /** WeChat Pay requests per second, retries included (RECONCILE_PER_SECOND). */
  perSecond: number;
}

export const DEFAULT_RECONCILE_LIMITS: ReconcileLimits = { pendingAfterS: 60, openAfterS: 3_600, maxCalls: 200, perSecond: 10 };

export type ReconcileLedger = OperationsLedger & Pick<Ledger, 'pending' | 'touchPending' | 'details'>;

export interface ReconcileDependencies {
  secrets: Pick<SecretCache, 'get' | 'forceRefresh'>;
  ledger: ReconcileLedger;
  transport: Transport;
  baseUrl: string;
  clock?: Clock;
  limits?: Partial<ReconcileLimits>;
  /** Waits out the per-second limit. */
  sleep?: (ms: number) => Promise<void>;
  retry?: { maxRetries?: number; backoffBaseMs?: number; sleep?: (ms: number) => Promise<void>; random?: () => number };
}

type Kind = 'intent' | 'service_order' | 'user_sign_plan';

/** What one run did: its log line, and the function's result. */
export interface ReconcileSummary {
  /** Due items read from the index, by kind (a user sign plan whose `package` is still valid is not due). */
  found: Record<Kind, number>;
  /** WeChat Pay calls made. */
  asked: number;
  /** What the ledger learnt: intents completed DONE or FAILED, objects whose state WeChat Pay gave otherwise. */
  repaired: { intent_done: number; intent_failed: number; service_order: number; user_sign_plan: number };
  /** Asked (or, a signed plan with no order in service, looked at) and nothing new: moved to the back of the index. */
  checked: number;
  /** Items whose call or write failed: moved to the back, asked again by a later run. */
  errors: number;
  /** Due items read and not reached, by kind (a run that stops early has read the next of each kind, so any left shows); `more`: the index holds due items beyond those read. */
  left: Record<Kind, number>;
  more: boolean;
  /** Why the run ended: nothing left, the call limit, or the Lambda's time. */
  stopped: 'done' | 'max_calls' | 'time';
  elapsed_ms: number;
}

/** One call's time, retries included, and what is kept back after it for the ledger's writes. */
const CALL_DEADLINE_MS = 5_000;
const RESERVED_MS = 3_000;
/** A run takes no new item with less than this left of its Lambda time. */
const STOP_MS = CALL_DEADLINE_MS + RESERVED_MS;
const PAGE = 100;

/** WeChat Pay's "no such object": the query's 404, and the codes its pages give for it. */
const UNKNOWN_CODES = new Set(['NOT_FOUND', 'ORDER_NOT_EXIST', 'ORDERNOTEXIST', 'RESOURCE_NOT_EXISTS']);
const isUnknown = (error: unknown): error is WechatPayApiError => error instanceof WechatPayApiError && (error.status === 404 || UNKNOWN_CODES.has(error.body.code));

/** The query entry of each kind of object, and its state field. */
const QUERIES = {
  SERVICE_ORDER: { entry: syncServiceOrder, number: 'out_order_no', state: 'state' },
  USER_SIGN_PLAN: { entry: syncUserSignPlan, number: 'merchant_sign_plan_no', state: 'sign_state' },
  PLAN: { entry: syncPlan, number: 'merchant_plan_no', state: 'plan_state' },
} as const;
type ObjectKind = keyof typeof QUERIES;

/** Whether the object as WeChat Pay answers it shows the intent's change made. A create it knows is made. */
function made(operation: IntentOperation, kind: ObjectKind, json: Record<string, unknown>): boolean {
  if (operation === 'create') return true;
  if (kind === 'SERVICE_ORDER' && operation === 'complete') return json.state === 'DONE' || json.state_description === 'MCH_COMPLETE' || isJsonObject(json.collection);
  if (kind === 'SERVICE_ORDER' && operation === 'cancel') return json.state === 'REVOKED';
  if (kind === 'PLAN' && operation === 'stop') return json.plan_state === 'STOP';
  if (kind === 'USER_SIGN_PLAN' && operation === 'stop') return json.sign_state === 'SIGN_PLAN_CANCEL' && json.cancel_sign_type === 'MERCHANT';
  return false;
}

/** One kind's due items, oldest first, read a page at a time as the run reaches them. */
class DueItems {
  #items: Record<string, unknown>[] = [];
  #next: Record<string, unknown> | undefined;
  #started = false;
  read = 0;

  constructor(
    private readonly query: (startKey: Record<string, unknown> | undefined) => ReturnType<Ledger['pending']>,
    readonly kind: Kind,
    /** How old an item must be to be due: the order across kinds is by when each fell due. */
    readonly afterMs: number,
  ) {}

  async head(): Promise<Record<string, unknown> | undefined> {
    while (this.#items.length === 0 && (!this.#started || this.#next)) {
      const page = await this.query(this.#next);
      this.#started = true;
      this.#next = page.next;
      this.#items.push(...page.items);
      this.read += page.items.length;
    }
    return this.#items[0];
  }

  take(): Record<string, unknown> {
    return this.#items.shift()!;
  }

  get left(): number {
    return this.#items.length;
  }

  get more(): boolean {
    return this.#next !== undefined;
  }
}

/** `transport` with at most `perSecond` requests (retries included) started in any second of `clock`. */
function pacedTransport(transport: Transport, perSecond: number, clock: Clock, sleep: (ms: number) => Promise<void>): Transport {
  const starts: number[] = [];
  return async (url, request) => {
    if (starts.length === perSecond) {
      const wait = starts[0]! + 1_000 - clock();
      if (wait > 0) await sleep(wait);
      starts.shift();
    }
    starts.push(clock());
    return transport(url, request);
  };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `dependencies` is called on every invocation (memoise it). */
export function reconcileHandler(kind: AccountKind, baseLog: Log, dependencies: () => ReconcileDependencies, metrics: Pick<Metrics, 'reconciliation' | 'wechatpayCall'>, traceHeader: () => string | undefined = lambdaTraceHeader) {
  return async (_event: unknown, context: Pick<Context, 'awsRequestId' | 'functionName' | 'getRemainingTimeInMillis'>): Promise<ReconcileSummary> => {
    baseLog.setInvocation(invocationFields(context, undefined, traceHeader()));
    const log = withContext(baseLog, { aws_request_id: context.awsRequestId, account: kind });
    try {
      const summary = await reconcile(kind, dependencies(), log, context, metrics);
      const left = Object.values(summary.left).reduce((sum, count) => sum + count, 0);
      log.info(`reconciliation: ${summary.asked} asked, ${left}${summary.more ? '+' : ''} left for the next run`, { ...summary });
      // Every kind, every run, zeros included: the alarms count runs that left work.
      const repaired: Record<Kind, number> = { intent: summary.repaired.intent_done + summary.repaired.intent_failed, service_order: summary.repaired.service_order, user_sign_plan: summary.repaired.user_sign_plan };
      for (const each of Object.keys(summary.found) as Kind[]) metrics.reconciliation(each, { found: summary.found[each], repaired: repaired[each], left: summary.left[each] });
      return summary;
    } catch (error) {
      log.error('reconciliation run failed; the next run starts again from the oldest', { error });
      throw error;
    }
  };
}

async function reconcile(kind: AccountKind, deps: ReconcileDependencies, log: Log, context: Pick<Context, 'getRemainingTimeInMillis'>, metrics: Pick<Metrics, 'wechatpayCall'>): Promise<ReconcileSummary> {
  const clock = deps.clock ?? Date.now;
  const limits = { ...DEFAULT_RECONCILE_LIMITS, ...deps.limits };
  const { ledger } = deps;
  const started = clock();
  const credentials = await deps.secrets.get();
  const client = wechatpayClient(credentials, {
    baseUrl: deps.baseUrl,
    verifier: () => credentials.verifier,
    refreshVerifier: async () => (await deps.secrets.forceRefresh()).verifier,
    wechatpaySerial: credentials.preferredWechatpaySerial,
    transport: pacedTransport(deps.transport, limits.perSecond, clock, deps.sleep ?? defaultSleep),
    clock: deps.clock,
    ...deps.retry,
  });
  const due = (pendingKind: PendingKind, name: Kind, afterS: number) => {
    const before = new Date(started - afterS * 1_000).toISOString();
    return new DueItems((startKey) => ledger.pending({ mchid: credentials.mchid, kind: pendingKind, before, limit: PAGE, startKey }), name, afterS * 1_000);
  };
  const streams = [due('INTENT', 'intent', limits.pendingAfterS), due('SERVICE_ORDER', 'service_order', limits.openAfterS), due('USER_SIGN_PLAN', 'user_sign_plan', limits.openAfterS)];
  const summary: Omit<ReconcileSummary, 'found' | 'left' | 'more' | 'elapsed_ms'> = {
    asked: 0,
    repaired: { intent_done: 0, intent_failed: 0, service_order: 0, user_sign_plan: 0 },
    checked: 0,
    errors: 0,
    stopped: 'done',
  };
  const notDue: Record<Kind, number> = { intent: 0, service_order: 0, user_sign_plan: 0 };
  /** What WeChat Pay answered of each object asked in this run: an intent and its object are asked once. */
  const answered = new Map<string, Awaited<ReturnType<typeof query>>>();
  const now = () => new Date(clock()).toISOString();

  /** Asks WeChat Pay about an object through its query entry; a verified answer about it, or a throw. */
  async function ask<R, K>(entry: CallOperation<R, K>, call: OperationCall<R>): Promise<{ answer: VerifiedAnswer; known: K }> {
    const known = entry.prepare ? await entry.prepare(ledger, call) : (undefined as K);
    const request = entry.wechatpay(call, known);
    summary.asked += 1;
    const response = await measuredCall(metrics, entry.name, clock, () =>
      client.request({ method: request.method, path: request.path, body: Buffer.alloc(0), deadlineMs: callDeadline(context, CALL_DEADLINE_MS, RESERVED_MS) }),
    );
    const answer: VerifiedAnswer = { status: response.status, text: response.body.toString('utf8'), json: response.json, requestId: response.requestId };
    checkAnswerIsAbout(answer, entry, call, known);
    return { answer, known };
  }

  /** The query of the object a pending item is about, the answer applied (source `reconciliation`). */
  async function query(item: Record<string, unknown>, names: Record<string, unknown> = {}) {
    const object = partitionObject(String(item.pk));
    if (!object) throw new Error(`the pending item ${String(item.pk)} names no object`);
    const { entry, number } = QUERIES[object.kind];
    const request = { [number]: object.number, ...(object.account.subMchid === undefined ? {} : { sub_mchid: object.account.subMchid }), ...names };
    const call: OperationCall<Record<string, unknown>> = { kind, account: object.account, request, at: now(), source: 'reconciliation' };
    const { answer, known } = await ask(entry as unknown as CallOperation<Record<string, unknown>, unknown>, call);
    const recorded = await (entry as unknown as CallOperation<Record<string, unknown>, unknown>).record(ledger, answer, call, known);
    const queried = { object, call, answer, applied: recorded === 'applied' };
    answered.set(String(item.pk), queried);
    return queried;
  }

  /** An open object: asked, and moved back if the answer did not move it. */
  async function reconcileObject(item: Record<string, unknown>, name: 'service_order' | 'user_sign_plan'): Promise<void> {
    const { object, answer, applied } = await query(item, name === 'service_order' ? stringFields(item, ['service_id', 'appid']) : {});
    if (!applied) await ledger.touchPending({ pk: String(item.pk), sk: String(item.sk) }, now());
    if (answer.json[QUERIES[object.kind].state] !== item.state) summary.repaired[name] += 1;
    else summary.checked += 1;
  }

  /** A PENDING intent: what WeChat Pay knows of its object decides it DONE or FAILED. */
  async function reconcileIntent(item: Record<string, unknown>): Promise<void> {
    const operation = item.operation as IntentOperation;
    const object = partitionObject(String(item.pk));
    // A service order is queried by its service_id and appid: the intent's request has them.
    const intent = object?.kind === 'SERVICE_ORDER' ? await ledger.item({ pk: String(item.pk), sk: String(item.sk) }) : undefined;
    const sent = parsedRequest(intent?.request);
    let outcome: { status: 'DONE' | 'FAILED'; httpStatus: number; response: string; wechatpayRequestId: string | undefined };
    try {
      const queried = answered.get(String(item.pk)) ?? (await query(item, stringFields(sent, ['service_id', 'appid'])));
      if (queried.object.kind === 'SERVICE_ORDER' && operation === 'create') await recordCreate(queried.call, sent, queried.answer);
      const status = made(operation, queried.object.kind, queried.answer.json) ? 'DONE' : 'FAILED';
      outcome = { status, httpStatus: queried.answer.status, response: queried.answer.text, wechatpayRequestId: queried.answer.requestId };
    } catch (error) {
      // WeChat Pay has no such object: the request never arrived, and the same number may be used again.
      if (!isUnknown(error)) throw error;
      outcome = { status: 'FAILED', httpStatus: error.status, response: JSON.stringify(error.body), wechatpayRequestId: error.requestId };
    }
    await ledger.completeIntent({ pk: String(item.pk), sk: object!.kind }, operation, { ...outcome, at: now(), source: 'reconciliation' });
    summary.repaired[outcome.status === 'DONE' ? 'intent_done' : 'intent_failed'] += 1;
  }

  /** A create WeChat Pay made whose answer the ledger never recorded: recorded as the create would have (its request, the plan detail in service). */
  async function recordCreate(call: OperationCall<Record<string, unknown>>, sent: Record<string, unknown>, answer: VerifiedAnswer): Promise<void> {
    const createCall = { ...call, request: sent } as unknown as Parameters<NonNullable<typeof createServiceOrder.check>>[1];
    // A rule the create would break now (its detail since used) leaves the order unlinked, not unrecorded.
    const known = await createServiceOrder.check!(ledger, createCall).catch(() => ({ signPlan: undefined }));
    await createServiceOrder.record(ledger, answer, createCall, known);
  }

  /** A user sign plan is asked about when UNSIGNED past its `package`'s validity, or SIGNED with a plan detail in service. */
  async function reconcileSignPlan(item: Record<string, unknown>): Promise<void> {
    if (item.state === 'UNSIGNED' && Date.parse(String(item.pending_since)) + PACKAGE_VALIDITY_MS > clock()) {
      notDue.user_sign_plan += 1;
      return;
    }
    if (item.state === 'SIGNED') {
      const details = await ledger.details({ pk: String(item.pk), sk: String(item.sk) });
      if (!details.some((detail) => detail.state === 'USING')) {
        await ledger.touchPending({ pk: String(item.pk), sk: String(item.sk) }, now());
        summary.checked += 1;
        return;
      }
    }
    await reconcileObject(item, 'user_sign_plan');
  }

  for (;;) {
    const heads = await Promise.all(streams.map((stream) => stream.head()));
    let next: DueItems | undefined;
    let nextDue = Infinity;
    heads.forEach((head, index) => {
      const at = head === undefined ? Infinity : Date.parse(String(head.pending_since)) + streams[index]!.afterMs;
      if (at < nextDue) [next, nextDue] = [streams[index], at];
    });
    if (!next) break;
    if (summary.asked >= limits.maxCalls) {
      summary.stopped = 'max_calls';
      break;
    }
    if (context.getRemainingTimeInMillis() < STOP_MS) {
      summary.stopped = 'time';
      break;
    }
    const item = next.take();
    // Its object answered already: an intent is decided by that answer, the object itself is done.
    if (next.kind !== 'intent' && answered.has(String(item.pk))) continue;
    try {
      if (next.kind === 'intent') await reconcileIntent(item);
      else if (next.kind === 'service_order') await reconcileObject(item, 'service_order');
      else await reconcileSignPlan(item);
    } catch (error) {
      summary.errors += 1;
      log.warn('reconciliation: an item could not be settled; a later run asks again', { kind: next.kind, object: item.pk, operation: item.operation, error });
      await ledger.touchPending({ pk: String(item.pk), sk: String(item.sk) }, now()).catch(() => undefined);
    }
  }
  const byKind = (count: (stream: DueItems) => number) => Object.fromEntries(streams.map((stream) => [stream.kind, count(stream)])) as Record<Kind, number>;
  const found = byKind((stream) => stream.read - notDue[stream.kind]);
  const left = byKind((stream) => stream.left);
  return { found, ...summary, left, more: streams.some((stream) => stream.more), elapsed_ms: clock() - started };
}

const stringFields = (from: Record<string, unknown>, names: string[]): Record<string, string> =>
  Object.fromEntries(names.flatMap((name) => (typeof from[name] === 'string' ? [[name, from[name]]] : [])));

function parsedRequest(text: unknown): Record<string, unknown> {
  try {
    const value: unknown = typeof text === 'string' ? JSON.parse(text) : undefined;
    return isJsonObject(value) ? value : {};
  } catch {
    return {};
  }
}

