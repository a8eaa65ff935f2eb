/**
 * The create functions (SPEC "Creating a service order"): validate, sign the
 * exact bytes, call WeChat Pay, trust only a verified answer, record the order.
 */
import type { Context } from 'aws-lambda';
import { AnswerMismatchError, RequestValidationError } from '../errors';
import { apiErrorResponse } from '../http/error-responses';
import { httpHandler } from '../http/http-handler';
import { rawBody, type ProxyEvent } from '../http/event';
import { jsonResponse, type HttpResponse } from '../http/response';
import type { CreateRecord, Ledger } from '../ledger/ledger';
import { userReference, withContext, type Log } from '../log';
import type { SecretCache } from '../secrets/secret-cache';
import { validate } from '../service-order/schema';
import { isJsonObject, type Clock, type Transport, type WechatPayResponse } from '../wechatpay';
import type { ServiceOrderVariant } from './service-order-variants';
import { callDeadline, wechatpayClient } from './wechatpay-call';

export interface CreateServiceOrderDependencies {
  secrets: Pick<SecretCache, 'get' | 'forceRefresh'>;
  ledger: Pick<Ledger, 'recordCreatedOrder'>;
  transport: Transport;
  baseUrl: string;
  /** Filled in when a request omits `notify_url`. */
  notifyUrl: string | undefined;
  clock?: Clock;
  /** Total time for WeChat Pay, retries included; kept below the function's own timeout. */
  deadlineMs?: number;
  retry?: { maxRetries?: number; backoffBaseMs?: number; sleep?: (ms: number) => Promise<void>; random?: () => number };
}

/** Time kept back from the Lambda timeout for the ledger write and the answer. */
const RESERVED_MS = 2_500;
const DEFAULT_DEADLINE_MS = 7_000;
/** Far above any valid order (a few hundred bytes of bounded fields). */
const MAX_REQUEST_BYTES = 16 * 1024;

/**
 * `dependencies` is called on every invocation (memoise it): building them may
 * fail on a bad environment, and that failure must become a 500 with a clear log.
 */
export function createServiceOrderHandler<T extends object>(variant: ServiceOrderVariant<T>, baseLog: Log, dependencies: () => CreateServiceOrderDependencies) {
  const base = async (event: ProxyEvent, context: Context): Promise<HttpResponse> => {
    const deps = dependencies();
    const log = withContext(baseLog, { aws_request_id: context.awsRequestId, variant: variant.name });
    // The body first: a bad one costs no secret fetch. (Starting the fetch first gained nothing: the
    // SDK's request only goes out once this synchronous check has finished.)
    const order = parseOrder(variant, rawBody(event, MAX_REQUEST_BYTES), deps.notifyUrl);
    const outTradeNo = (order as { out_trade_no: string }).out_trade_no;
    const requestText = JSON.stringify(order);
    const body = Buffer.from(requestText);

    const credentials = await deps.secrets.get();
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
    const response = await client.request({ method: 'POST', path: variant.wechatpayPath, body, deadlineMs });
    checkAnswerIsAbout(response, { out_order_no: outTradeNo, mchid: credentials.mchid, sub_mchid: variant.subMchid(order), service_id: (order as { service_id: string }).service_id });

    const responseText = response.body.toString('utf8');
    const orderId = response.json.order_id;
    const fields = {
      out_trade_no: outTradeNo,
      order_id: orderId,
      wechatpay_request_id: response.requestId,
      user_ref: userReference(variant.openid(order)),
    };
    let record: CreateRecord | undefined;
    try {
      record = await deps.ledger.recordCreatedOrder({
        key: { mchid: credentials.mchid, subMchid: variant.subMchid(order), outOrderNo: outTradeNo },
        request: requestText,
        response: responseText,
        wechatpayRequestId: response.requestId,
        at: new Date((deps.clock ?? Date.now)()).toISOString(),
      });
    } catch (error) {
      // WeChat Pay has the order: an error here would make the caller retry under a new number.
      log.error('LEDGER_WRITE_FAILED: WeChat Pay created the order but the ledger has no record of it; reconcile by out_trade_no', { ...fields, error });
    }
    // A repeated create with the same out_trade_no is answered the same order: say which it was.
    log.info(record === 'existing' ? 'service order already existed: WeChat Pay answered the same order' : 'service order created', { ...fields, order: record ?? 'unrecorded' });
    return jsonResponse(200, responseText, response.requestId ? { 'Request-ID': response.requestId } : {});
  };

  return httpHandler(base, baseLog, apiErrorResponse);
}

/** A signed answer proves WeChat Pay said it, not that it answers this request: it must name this order. */
function checkAnswerIsAbout(response: WechatPayResponse, asked: Record<string, string | undefined>): void {
  const differing = Object.entries(asked)
    .filter(([field, value]) => response.json[field] !== value)
    .map(([field]) => field);
  if (differing.length > 0) throw new AnswerMismatchError(differing, response.requestId);
}

function parseOrder<T>(variant: ServiceOrderVariant<T>, body: Buffer, notifyUrl: string | undefined): T {
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RequestValidationError([{ field: 'body', message: 'is not valid JSON' }]);
  }
  // Stryker disable next-line ConditionalExpression: without NOTIFY_URL, a notify_url filled in as undefined is reported missing, as an absent one is.
  if (notifyUrl !== undefined && isJsonObject(input) && !('notify_url' in input)) {
    input = { ...input, notify_url: notifyUrl };
  }
  const result = validate(variant.schema, input);
  if (!result.valid) throw new RequestValidationError(result.errors);
  return result.value;
}
