/**
 * The answer and error bodies of the routes, as valibot schemas converted by the same generator
 * as the request bodies. Errors are lib/http/error-responses.ts's; WeChat Pay's answers are
 * passed through as received, so only what the functions check of them is required.
 */
import * as v from 'valibot';

const message = v.pipe(v.string(), v.description('Written for a person; match on `code`, not on this.'));
const fixed = <const C extends string>(code: C, description: string) => v.pipe(v.strictObject({ code: v.literal(code), message }), v.description(description));

/** The codes a 409 carries, by the rule the ledger shows the call would break (lib/operations/). */
export const CONFLICT_CODES = {
  /** A number already used with another request (every call that writes its intent ahead). */
  idempotency: ['IDEMPOTENCY_CONFLICT'],
  /** SPEC "Checks before WeChat Pay": a service order's create for a sign plan the ledger holds. */
  'service-order.create': ['SIGN_PLAN_NOT_SIGNED', 'PLAN_DETAIL_UNKNOWN', 'OUT_TRADE_NO_NOT_PLAN_DETAIL', 'PLAN_DETAIL_USED', 'SIGN_PLAN_ORDER_OPEN'],
} as const;

export const conflict = (codes: readonly string[]) =>
  v.pipe(v.strictObject({ code: v.picklist(codes), message }), v.description('A rule the ledger shows the call would break: nothing was sent to WeChat Pay.'));

export const ERROR_BODIES = {
  InvalidRequest: v.pipe(
    v.strictObject({
      code: v.literal('INVALID_REQUEST'),
      message,
      errors: v.pipe(
        v.array(
          v.strictObject({
            field: v.pipe(v.string(), v.description('A dotted path (`time_range.start_time`, `post_payments.0.amount`); `body` for the body as a whole; `?name` for a query parameter.')),
            message: v.string(),
          }),
        ),
        v.minLength(1),
      ),
    }),
    v.description('Every bad field of the body, the path and the query at once; nothing was sent to WeChat Pay.'),
  ),
  NotFound: fixed('NOT_FOUND', 'The ledger holds no such object.'),
  PayloadTooLarge: fixed('PAYLOAD_TOO_LARGE', 'A body over 32 KiB.'),
  BadGateway: fixed('BAD_GATEWAY', 'WeChat Pay gave no trustworthy answer (5xx on every attempt, unreachable, a forged or unsigned answer, or one about another object): retry with the same number.'),
  LedgerUnavailable: fixed('LEDGER_UNAVAILABLE', 'The ledger could not be read or take the write-ahead: nothing was sent to WeChat Pay; retry.'),
  GatewayTimeout: fixed('GATEWAY_TIMEOUT', 'No trustworthy answer within the deadline: retry with the same number.'),
  InternalError: fixed('INTERNAL_ERROR', 'Anything else (the secret unreadable, …); the details are in the function logs only.'),
  WechatpayError: v.pipe(
    v.looseObject({
      code: v.string(),
      message: v.string(),
      detail: v.optional(v.looseObject({ field: v.optional(v.string()), value: v.optional(v.unknown()), issue: v.optional(v.string()), location: v.optional(v.string()) })),
    }),
    v.description("WeChat Pay's own refusal, passed through with its `Request-ID` (once its signature verified, when it claims one)."),
  ),
  ApiGatewayMessage: v.pipe(
    v.looseObject({ message: v.string() }),
    v.description("API Gateway's own answer, before any function runs: 403 when the SigV4 signature or the caller's IAM policy does not allow the call, 429 when the stage throttles."),
  ),
  NotifyFailure: v.pipe(v.strictObject({ code: v.literal('FAIL'), message: v.string() }), v.description('WeChat Pay retries the notification on anything but a 2xx.')),
};

// ── WeChat Pay's answers, as received ──

const number = v.pipe(v.number(), v.integer());
const loose = <const E extends v.ObjectEntries>(entries: E, description: string) => v.pipe(v.looseObject(entries), v.description(description));
const optionalString = v.optional(v.string());

const serviceOrder = loose(
  {
    out_order_no: v.string(),
    mchid: v.string(),
    sub_mchid: optionalString,
    service_id: v.string(),
    appid: optionalString,
    sub_appid: optionalString,
    order_id: optionalString,
    state: v.optional(v.picklist(['CREATED', 'DOING', 'DONE', 'REVOKED', 'EXPIRED'])),
    state_description: optionalString,
    service_introduction: optionalString,
    total_amount: v.optional(number),
    post_payments: v.optional(v.array(v.looseObject({ name: optionalString, amount: v.optional(number), description: optionalString, count: v.optional(number) }))),
    post_discounts: v.optional(v.array(v.looseObject({ name: optionalString, amount: v.optional(number), description: optionalString }))),
    collection: v.optional(v.looseObject({ state: v.optional(v.picklist(['USER_PAYING', 'USER_PAID'])), paid_amount: v.optional(number) })),
  },
  "WeChat Pay's service order, as received. The function checks that it names the order asked about (`out_order_no`, `mchid`, `sub_mchid`, `service_id`), else 502.",
);

const plan = loose(
  {
    merchant_plan_no: v.string(),
    mchid: v.string(),
    sub_mchid: optionalString,
    plan_id: optionalString,
    plan_state: v.optional(v.picklist(['NORMAL', 'STOP'])),
    plan_detail_list: v.optional(v.array(v.looseObject({ plan_detail_no: v.optional(number) }))),
  },
  "WeChat Pay's plan, as received; the function checks `merchant_plan_no`, `mchid` and `sub_mchid`, else 502.",
);

const userSignPlan = loose(
  {
    merchant_sign_plan_no: v.string(),
    mchid: v.string(),
    sub_mchid: optionalString,
    sign_plan_id: optionalString,
    sign_state: v.optional(v.picklist(['UNSIGNED', 'SIGNED', 'SIGN_PLAN_CANCEL', 'COMPLETE', 'EXPIRE'])),
    signed_detail_list: v.optional(
      v.array(v.looseObject({ plan_detail_no: v.optional(number), merchant_plan_detail_no: optionalString, plan_detail_state: v.optional(v.picklist(['NOT_USED', 'USING', 'USED', 'SIGN_PLAN_DETAIL_CANCEL'])) })),
    ),
  },
  "WeChat Pay's user sign plan, as received; the function checks `merchant_sign_plan_no`, `mchid` and `sub_mchid`, else 502.",
);

// ── the ledger's views (lib/operations/views.ts) ──

const notifications = v.array(v.looseObject({ id: v.string(), event_type: optionalString, create_time: optionalString, received_at: optionalString }));
const intents = v.array(
  v.looseObject({ operation: v.picklist(['create', 'complete', 'cancel', 'stop']), status: v.picklist(['PENDING', 'DONE', 'FAILED']), created_at: optionalString, completed_at: optionalString, completed_by: optionalString, http_status: v.optional(number) }),
);
const recordFields = { mchid: v.string(), sub_mchid: optionalString, state: optionalString, source: optionalString, source_id: optionalString, changed_at: optionalString, notifications, intents };

export const ANSWER_BODIES = {
  ServiceOrder: serviceOrder,
  CancelledServiceOrder: loose(
    { out_order_no: v.string(), mchid: v.string(), appid: optionalString, service_id: optionalString, order_id: optionalString },
    "WeChat Pay's answer to a direct merchant's cancel, as received; the function checks `out_order_no` and `mchid`, else 502.",
  ),
  Plan: plan,
  UserSignPlan: userSignPlan,
  PreSign: loose(
    { sign_plan: userSignPlan, package: v.pipe(v.string(), v.description('What the front end opens the signing page with (businessType `wxpayScorePlan`); valid two hours.')) },
    "WeChat Pay's pre-sign answer, as received.",
  ),
  LedgerRecord: loose(
    recordFields,
    "The ledger's object (README \"The ledger\": a service order's or a plan's fields), without the ledger's keys and versions, with its notifications and intents in short.",
  ),
  LedgerUserSignPlan: loose(
    {
      ...recordFields,
      details: v.array(
        v.looseObject({
          plan_detail_no: number,
          state: v.picklist(['NOT_USED', 'USING', 'USED', 'SIGN_PLAN_DETAIL_CANCEL']),
          merchant_plan_detail_no: optionalString,
          order: v.optional(
            v.looseObject({ out_order_no: optionalString, order_id: optionalString, state: optionalString, state_description: optionalString, collection_state: optionalString, paid_amount: v.optional(number) }),
          ),
        }),
      ),
    },
    "The ledger's user sign plan, each plan detail in order with its order and what was paid; a detail is as far as its own state or its order's says.",
  ),
};

/** The notification envelope WeChat Pay posts (its APIv3 notification page); the function reads it only once its signature verified. */
export const NOTIFICATION = v.pipe(
  v.looseObject({
    id: v.string(),
    create_time: v.string(),
    event_type: v.string(),
    resource_type: v.string(),
    summary: v.optional(v.string()),
    resource: v.looseObject({
      original_type: v.string(),
      algorithm: v.literal('AEAD_AES_256_GCM'),
      associated_data: v.optional(v.string()),
      nonce: v.string(),
      ciphertext: v.string(),
    }),
  }),
  v.description(
    'PAYSCORE.USER_CONFIRM, PAYSCORE.USER_PAID (a service order), PAYSCORE.USER_SIGN_PLAN, PAYSCORE.USER_CANCEL_SIGN_PLAN (a user sign plan): the resource decrypts with the APIv3 key.',
  ),
);
