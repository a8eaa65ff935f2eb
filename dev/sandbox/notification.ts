import { createNotificationBody } from '../../lib/wechatpay';
import { resourceNonce } from './ids';
import { orderResource, type Payment, type SandboxOrder } from './order';
import { rfc3339Time, compactTime } from './wechat-time';

export const USER_PAID = 'PAYSCORE.USER_PAID';
export const USER_CONFIRM = 'PAYSCORE.USER_CONFIRM';

/** What to notify about an order; everything has a realistic default. */
export interface NotificationRequest {
  /** Default `PAYSCORE.USER_PAID`. */
  eventType?: string;
  summary?: string;
  /** Merged over the default plaintext of the event (a field set to `null` stays `null`). */
  fields?: Record<string, unknown>;
  /** Replaces the plaintext entirely, e.g. to test a receiver with text that is not JSON. */
  plaintext?: string;
}

/** A notification body as WeChat Pay sends it, ready to be signed and delivered. */
export interface BuiltNotification {
  id: string;
  orderId: string;
  eventType: string;
  /** The order's notify_url. */
  notifyUrl: string;
  body: string;
}

const SUMMARIES: Record<string, string> = { [USER_PAID]: '扣款成功', [USER_CONFIRM]: '用户确认成功' };

/** The decrypted resource WeChat Pay sends for `eventType` (SPEC "Receiving a deduction notification"). */
export function notificationPlaintext(eventType: string, order: SandboxOrder, payment: Payment): Record<string, unknown> {
  const { request } = order;
  const base = {
    ...orderResource(order),
    ...('openid' in request && request.openid !== undefined ? { openid: request.openid } : {}),
    ...('sub_openid' in request && request.sub_openid !== undefined ? { sub_openid: request.sub_openid } : {}),
    total_amount: order.amount,
  };
  if (eventType === USER_CONFIRM) return { ...base, state: 'DOING', state_description: 'USER_CONFIRM' };
  if (eventType !== USER_PAID) return base;
  return {
    ...base,
    state: 'DONE',
    state_description: 'MCH_COMPLETE',
    need_collection: true,
    collection: {
      state: 'USER_PAID',
      total_amount: order.amount,
      paying_amount: 0,
      paid_amount: order.amount,
      details: [{ seq: 1, amount: order.amount, paid_type: 'NEWTON', paid_time: compactTime(payment.paidAt), transaction_id: payment.transactionId }],
    },
  };
}

export interface NotificationInput {
  id: string;
  createdAt: number;
  order: SandboxOrder;
  /** The payment a USER_PAID reports: the order's own once it is paid. */
  payment: Payment;
  apiV3Key: Buffer;
  request: NotificationRequest;
}

/** Encrypts the plaintext with the account's APIv3 key through lib/wechatpay's `createNotificationBody`. */
export function buildNotification(input: NotificationInput): BuiltNotification {
  const eventType = input.request.eventType ?? USER_PAID;
  const plaintext = input.request.plaintext ?? { ...notificationPlaintext(eventType, input.order, input.payment), ...input.request.fields };
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
  return { id: input.id, orderId: input.order.orderId, eventType, notifyUrl: input.order.request.notify_url, body };
}
