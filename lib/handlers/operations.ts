/**
 * The IAM routes (README "Routes"): every entry of lib/operations/ runs here the same way. Validate
 * the whole request; read what the ledger knows (a rule the call would break is a 409, and nothing
 * is sent); write the intent ahead (PENDING); sign the exact bytes and call WeChat Pay; trust only
 * a verified answer about what was asked; record it, and complete the intent.
 */
import type { Context } from 'aws-lambda';
import { AnswerMismatchError, CodedError, ConflictError, LedgerUnavailableError, NotFoundError, RequestValidationError } from '../errors';
import { apiErrorResponse } from '../http/error-responses';
import { rawBody, type ProxyEvent } from '../http/event';
import { httpHandler } from '../http/http-handler';
import { jsonResponse, type HttpResponse } from '../http/response';
import { intentKey } from '../ledger/keys';
import type { Intent } from '../ledger/ledger';
import { withContext, type Log } from '../log';
import type { Metrics } from '../metrics';
import type { AccountKind, CallOperation, Operation, OperationCall, OperationsLedger, VerifiedAnswer } from '../operations/operation';
import type { SecretCache } from '../secrets/secret-cache';
import { validate, type FieldError } from '../service-order/schema';
import { isJsonObject, WechatPayApiError, type Clock, type Transport, type WechatPayResponse } from '../wechatpay';
import { callDeadline, measuredCall, wechatpayClient } from './wechatpay-call';

export interface OperationDependencies {
  secrets: Pick<SecretCache, 'get' | 'forceRefresh'>;
  ledger: OperationsLedger;
  transport: Transport;
  baseUrl: string;
  /** Filled in when a request omits `notify_url`. */
  notifyUrl: string | undefined;
  clock?: Clock;
  /** Total time for WeChat Pay, retries included; kept below the function's own timeout. */
  deadlineMs?: number;
  retry?: { maxRetries?: number; backoffBaseMs?: number; sleep?: (ms: number) => Promise<void>; random?: () => number };
}

/** Time kept back from the Lambda timeout for the ledger writes and the answer. */
const RESERVED_MS = 2_500;
const DEFAULT_DEADLINE_MS = 7_000;
/** Above any valid request (a plan of 100 details at every limit is about 25 KB). */
const MAX_REQUEST_BYTES = 32 * 1024;

interface Route {
  operation: Operation;
  pattern: RegExp;
  params: string[];
}

/**
 * `dependencies` is called on every invocation (memoise it): building them may
 * fail on a bad environment, and that failure must become a 500 with a clear log.
 */
export function operationsHandler(kind: AccountKind, operations: readonly Operation[], baseLog: Log, dependencies: () => OperationDependencies, metrics: Metrics) {
  const routes = operations.map((operation) => compile(kind, operation));
  const base = async (event: ProxyEvent, context: Context): Promise<HttpResponse> => {
    const deps = dependencies();
    const { operation, params } = match(routes, event);
    // The request first: a bad one costs no secret fetch.
    const request = parseRequest(operation, kind, event, params, deps.notifyUrl);
    const credentials = await deps.secrets.get();
    const clock = deps.clock ?? Date.now;
    const call: OperationCall<Record<string, unknown>> = {
      kind,
      account: { mchid: credentials.mchid, subMchid: request.sub_mchid as string | undefined },
      request,
      at: new Date(clock()).toISOString(),
    };
    const object = operation.object(call);
    const log = withContext(baseLog, { aws_request_id: context.awsRequestId, operation: operation.name, account: kind, ...operation.logFields?.(call) });
    if (operation.type === 'read') {
      const view = await operation.read(deps.ledger, call);
      if (view === undefined) throw new NotFoundError(`the ledger holds no such ${operation.name.split('.')[0]}`);
      return jsonResponse(200, view);
    }

    const prepare = operation.prepare ? await prepared(operation.prepare(deps.ledger, call)) : undefined;
    const wechatpay = operation.wechatpay(call, prepare);
    const requestText = wechatpay.body === undefined ? '' : JSON.stringify(wechatpay.body);
    const intent: Intent | undefined = operation.intent && {
      object,
      account: call.account,
      operation: operation.intent,
      method: wechatpay.method,
      path: wechatpay.path,
      request: requestText,
      at: call.at,
    };
    // The checks the request does not depend on are read while the intent is written.
    const [ahead, checked] = await Promise.allSettled([intent && writeAhead(deps.ledger, intent), operation.check && prepared(operation.check(deps.ledger, call))]);
    if (ahead.status === 'rejected') throw ahead.reason;
    if (ahead.value?.replay) {
      log.info('repeated request: answered as the first time, nothing sent to WeChat Pay', { object: object.pk });
      return ahead.value.replay;
    }
    if (checked.status === 'rejected') {
      // Nothing is sent: the intent this call wrote is FAILED at once, so that its number may be used again.
      const refusal = apiErrorResponse(checked.reason).response;
      if (intent && ahead.value?.written) await failIntent(deps.ledger, intent, { httpStatus: refusal.statusCode, response: refusal.body }, clock, log);
      throw checked.reason;
    }
    const known = operation.check ? checked.value : prepare;

    const client = wechatpayClient(credentials, {
      baseUrl: deps.baseUrl,
      verifier: () => credentials.verifier,
      refreshVerifier: async () => (await deps.secrets.forceRefresh()).verifier,
      wechatpaySerial: credentials.preferredWechatpaySerial,
      transport: deps.transport,
      clock: deps.clock,
      ...deps.retry,
    });
    const deadlineMs = callDeadline(context, deps.deadlineMs ?? DEFAULT_DEADLINE_MS, RESERVED_MS);
    let response: WechatPayResponse;
    try {
      response = await measuredCall(metrics, operation.name, clock, () => client.request({ method: wechatpay.method, path: wechatpay.path, body: Buffer.from(requestText), deadlineMs }));
    } catch (error) {
      // A refusal is final: WeChat Pay did nothing, so the same number may be used again. Anything
      // else (no answer, a 5xx) leaves the intent PENDING for the reconciliation to settle.
      if (intent && error instanceof WechatPayApiError) {
        await failIntent(deps.ledger, intent, { httpStatus: error.status, response: JSON.stringify(error.body), wechatpayRequestId: error.requestId }, clock, log);
      }
      throw error;
    }
    const answer: VerifiedAnswer = { status: response.status, text: response.body.toString('utf8'), json: response.json, requestId: response.requestId };
    // A 204 (a partner complete or cancel) names nothing: its signature is all there is to check.
    if (response.status !== 204) checkAnswerIsAbout(answer, operation, call, known);
    const fields: Record<string, unknown> = { object: object.pk, wechatpay_request_id: answer.requestId, ...(typeof answer.json.order_id === 'string' ? { order_id: answer.json.order_id } : {}) };
    try {
      fields.ledger = (await operation.record(deps.ledger, answer, call, known)) ?? 'recorded';
      if (intent) {
        await deps.ledger.completeIntent(object, intent.operation, {
          status: 'DONE',
          at: new Date(clock()).toISOString(),
          source: intent.operation,
          httpStatus: answer.status,
          response: answer.text,
          wechatpayRequestId: answer.requestId,
        });
      }
    } catch (error) {
      // WeChat Pay has done it: an error here would make the caller try again. The intent stays
      // PENDING (or the object unrecorded), and the reconciliation completes it from WeChat Pay's own account.
      fields.ledger = 'unrecorded';
      metrics.ledgerWriteFailed(operation.name);
      log.error(`LEDGER_WRITE_FAILED: WeChat Pay answered ${operation.name} but the ledger did not record it; the reconciliation will`, { ...fields, error });
    }
    log.info(`${operation.name}: WeChat Pay answered ${answer.status}`, fields);
    return answerResponse(answer.status, answer.text, answer.requestId);
  };

  return httpHandler(base, baseLog, apiErrorResponse);
}

/** Trusts a verified answer only about what was asked: its naming fields must be the call's. */
export function checkAnswerIsAbout<R, K>(verified: VerifiedAnswer, entry: CallOperation<R, K>, call: OperationCall<R>, known: K): void {
  const said = entry.answerObject ? verified.json[entry.answerObject] : verified.json;
  const fieldsSaid = isJsonObject(said) ? said : {};
  const differing = Object.entries(entry.about(call, known))
    .filter(([field, value]) => fieldsSaid[field] !== value)
    .map(([field]) => field);
  if (differing.length > 0) throw new AnswerMismatchError(differing, verified.requestId);
}

/** A ledger read before the call failing is the ledger's unavailability: nothing is sent. A rule it finds broken stays what it is. */
async function prepared<K>(preparing: Promise<K>): Promise<K> {
  try {
    return await preparing;
  } catch (error) {
    if (error instanceof CodedError) throw error;
    throw new LedgerUnavailableError(error);
  }
}

const answerResponse = (status: number, text: string, requestId: string | undefined, extra: Record<string, string> = {}): HttpResponse => {
  const headers = { ...(requestId ? { 'Request-ID': requestId } : {}), ...extra };
  return status === 204 ? { statusCode: 204, headers, body: '' } : jsonResponse(status, text, headers);
};

/**
 * Writes the intent ahead. A repeat of a call already answered is answered the same, from the
 * ledger; a repeat of one still PENDING goes to WeChat Pay again (its numbers make that safe); the
 * same number with another request is a 409. If the ledger cannot write, nothing is sent.
 */
async function writeAhead(ledger: OperationsLedger, intent: Intent): Promise<{ written: boolean; replay?: HttpResponse }> {
  let existing: Record<string, unknown>;
  try {
    if (await ledger.writeIntent(intent)) return { written: true };
    // An intent is never deleted: one that could not be written is there.
    existing = (await ledger.item(intentKey(intent.object, intent.operation)))!;
  } catch (cause) {
    throw new LedgerUnavailableError(cause);
  }
  if (existing.request !== intent.request) {
    throw new ConflictError('IDEMPOTENCY_CONFLICT', `this ${intent.operation} was already requested for the same number with a different request; use a new number, or repeat the first request`);
  }
  if (existing.status !== 'DONE') return { written: false };
  return { written: false, replay: answerResponse(Number(existing.http_status), String(existing.response), existing.wechatpay_request_id as string | undefined, { 'Idempotent-Replayed': 'true' }) };
}

async function failIntent(ledger: OperationsLedger, intent: Intent, refusal: { httpStatus: number; response: string; wechatpayRequestId?: string | undefined }, clock: Clock, log: Log): Promise<void> {
  try {
    await ledger.completeIntent(intent.object, intent.operation, { status: 'FAILED', at: new Date(clock()).toISOString(), source: intent.operation, ...refusal });
  } catch (cause) {
    // Left PENDING: the reconciliation finds WeChat Pay has no such change and marks it failed.
    log.warn('could not mark a refused intent FAILED; the reconciliation will', { operation: intent.operation, error: cause });
  }
}

function compile(kind: AccountKind, operation: Operation): Route {
  const params = [...operation.route.matchAll(/\{([a-z_]+)\}/g)].map((found) => found[1]!);
  // An optional first segment: a REST API's stage.
  const pattern = new RegExp(`^(?:/[^/]+)?/${kind}${operation.route.replace(/\{[a-z_]+\}/g, '([^/]+)')}/?$`);
  return { operation, pattern, params };
}

/** The entry an event is for, by its method and path. */
function match(routes: Route[], event: ProxyEvent): { operation: Operation; params: Record<string, string> } {
  const method = 'requestContext' in event && 'http' in event.requestContext ? event.requestContext.http.method : (event as { httpMethod?: string }).httpMethod;
  const path = 'rawPath' in event ? event.rawPath : (event as { path?: string }).path;
  for (const route of routes) {
    const found = route.operation.method === method ? route.pattern.exec(path ?? '') : null;
    if (found) return { operation: route.operation, params: Object.fromEntries(route.params.map((name, index) => [name, safeDecode(found[index + 1]!)])) };
  }
  throw new NotFoundError(`no route ${method} ${path} in this function`);
}

const safeDecode = (component: string): string => {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
};

/** The query parameters the routes take: a partner's sub-merchant. */
const QUERY_FIELDS = ['sub_mchid'];

/**
 * The body (JSON; none means `{}` where the path names the object), with the path parameters and `?sub_mchid=` joined to it, as
 * one object judged by the route's schema: every bad field at once, wherever it came from.
 */
function parseRequest(operation: Operation, kind: AccountKind, event: ProxyEvent, params: Record<string, string>, notifyUrl: string | undefined): Record<string, unknown> {
  const text = rawBody(event, MAX_REQUEST_BYTES).toString('utf8');
  let input: unknown = {};
  // A route that names its object in the path may have no body; a create must have one.
  if (text.trim() !== '' || Object.keys(params).length === 0) {
    try {
      input = JSON.parse(text);
    } catch {
      throw new RequestValidationError([{ field: 'body', message: 'is not valid JSON' }]);
    }
  }
  // Judged by the schema, so that the message is the one every other wrong type gets.
  if (!isJsonObject(input)) throw new RequestValidationError((validate(operation.schema[kind], input) as { errors: FieldError[] }).errors);
  const errors: FieldError[] = [];
  const joined: Record<string, unknown> = { ...input };
  for (const [name, value] of Object.entries(params)) {
    if (name in input) errors.push({ field: name, message: 'is given by the path: leave it out of the body' });
    joined[name] = value;
  }
  for (const [name, value] of Object.entries(queryParameters(event))) {
    if (!QUERY_FIELDS.includes(name)) errors.push({ field: `?${name}`, message: 'is not a known query parameter' });
    else if (name in input && input[name] !== value) errors.push({ field: name, message: 'differs between the body and the query' });
    else joined[name] = value;
  }
  if (operation.type === 'call' && operation.defaults) {
    for (const [name, value] of Object.entries(operation.defaults({ notifyUrl }))) if (!(name in joined) && value !== undefined) joined[name] = value;
  }
  const result = validate(operation.schema[kind], joined);
  if (!result.valid || errors.length > 0) throw new RequestValidationError([...errors, ...(result.valid ? [] : result.errors)]);
  return result.value as Record<string, unknown>;
}

function queryParameters(event: ProxyEvent): Record<string, string> {
  const query = event.queryStringParameters ?? {};
  return Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
