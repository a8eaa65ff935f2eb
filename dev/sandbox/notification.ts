import { createNotificationBody } from '../../lib/wechatpay';
import { resourceNonce } from './ids';
import { orderResource, type Payment, type SandboxOrder } from './order';
import { rfc3339Time, compactTime } from './wechat-time';

export const USER_PAID = 'PAYSCORE.USER_PAID';
export const USER_CONFIRM = 'PAYSCORE.USER_CONFIRM';
export const USER_SIGN_PLAN = 'PAYSCORE.USER_SIGN_PLAN';
export const USER_CANCEL_SIGN_PLAN = 'PAYSCORE.USER_CANCEL_SIGN_PLAN';

/** What to notify; everything has a realistic default. */
export interface NotificationRequest {
  /** Default `PAYSCORE.USER_PAID` for an order. */
  eventType?: string;
  summary?: string;
  /** Merged over the default plaintext of the event (a field set to `null` stays `null`). */
  fields?: Record<string, unknown>;
  /** Replaces the plaintext entirely, e.g. to test a receiver with text that is not JSON. */
  plaintext?: string;
}

/** What a notification is about: a service order or a user sign plan. */
export type NotificationSubject = { orderId: string } | { signPlanId: string };

/** A notification body as WeChat Pay sends it, ready to be signed and delivered. */
export interface BuiltNotification {
  id: string;
  subject: NotificationSubject;
  eventType: string;
  /** The order's or the sign plan's notify_url. */
  notifyUrl: string;
  body: string;
  /** Waits between attempts: each event type has its own schedule. */
  retryDelaysMs: readonly number[];
}

const SUMMARIES: Record<string, string> = {
  [USER_PAID]: '扣款成功',
  [USER_CONFIRM]: '用户确认成功',
  [USER_SIGN_PLAN]: '用户签约计划成功',
  [USER_CANCEL_SIGN_PLAN]: '用户取消签约计划',
};

/** The decrypted resource of an order notification (research "Notifications": USER_CONFIRM, USER_PAID). */
export function orderPlaintext(eventType: string, order: SandboxOrder, payment: Payment): Record<string, unknown> {
  const { request } = order;
  const resource = orderResource(order);
  const base = {
    ...resource,
    // Notifications count each payment (the notice pages' post_payments[].count).
    post_payments: (resource.post_payments as Record<string, unknown>[]).map((payment) => ({ count: 1, ...payment })),
    // A sign-plan order's merchant order number is its detail's merchant_plan_detail_no, the request's out_trade_no.
    out_trade_no: request.out_trade_no,
    ...('openid' in request && request.openid !== undefined ? { openid: request.openid } : {}),
    ...('sub_openid' in request && request.sub_openid !== undefined ? { sub_openid: request.sub_openid } : {}),
  };
  const total = (base as { total_amount?: number }).total_amount ?? order.amount;
  if (eventType === USER_CONFIRM) return { ...base, state: 'DOING', state_description: 'USER_CONFIRM' };
  if (eventType !== USER_PAID) return base;
  const { state_description: _none, ...done } = base as Record<string, unknown>;
  return {
    ...done,
    state: 'DONE',
    total_amount: total,
    need_collection: true,
    collection: {
      state: 'USER_PAID',
      total_amount: total,
      paying_amount: 0,
      paid_amount: total,
      details: [{ seq: 1, amount: total, paid_type: 'NEWTON', paid_time: compactTime(payment.paidAt), transaction_id: payment.transactionId }],
    },
  };
}

export interface NotificationInput {
  id: string;
  createdAt: number;
  subject: NotificationSubject;
  notifyUrl: string;
  eventType: string;
  /** The event's default plaintext; `request` may add to or replace it. */
  plaintext: Record<string, unknown>;
  apiV3Key: Buffer;
  request: NotificationRequest;
  retryDelaysMs: readonly number[];
}

/** Encrypts the plaintext with the account's APIv3 key through lib/wechatpay's `createNotificationBody`. */
export function buildNotification(input: NotificationInput): BuiltNotification {
  const { eventType } = input;
  const plaintext = input.request.plaintext ?? { ...input.plaintext, ...input.request.fields };
  const body = createNotificationBody({
    id: input.id,
    createTime: rfc3339Time(input.createdAt),
    eventType,
    summary: input.request.summary ?? SUMMARIES[eventType] ?? 'PayScore notification',
    plaintext,
    apiV3Key: input.apiV3Key,
    nonce: resourceNonce(),
    associatedData: 'payscore',
    originalType: 'payscore',
  });
  return { id: input.id, subject: input.subject, eventType, notifyUrl: input.notifyUrl, body, retryDelaysMs: input.retryDelaysMs };
}
