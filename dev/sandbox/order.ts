import type { ServiceOrderRequest } from '../../lib/service-order/schema';
import type { CompleteRequest } from './schemas';
import { compactTime } from './wechat-time';

/** WeChat Pay's service order states (research "States"): CREATED → DOING → DONE, or REVOKED / EXPIRED. */
export type OrderState = 'CREATED' | 'DOING' | 'DONE' | 'REVOKED' | 'EXPIRED';
/** Said only while DOING. */
export type StateDescription = 'USER_CONFIRM' | 'MCH_COMPLETE';

export interface Payment {
  transactionId: string;
  paidAt: number;
}

/** How the sandbox's own deduction of a completed order goes (control actions). */
export type DeductionPlan = { kind: 'normal' } | { kind: 'late'; afterMs: number } | { kind: 'stayPaying' };

/** A service order as the sandbox holds it. */
export interface SandboxOrder {
  orderId: string;
  /** The caller: the direct merchant, or the service provider of a partner order. */
  mchid: string;
  request: ServiceOrderRequest;
  /** The plan detail's actual_price, in fen. */
  amount: number;
  state: OrderState;
  stateDescription?: StateDescription;
  createdAt: number;
  /** The merchant's complete call, once made. */
  completion?: { request: CompleteRequest; canonical: string; at: number };
  /** After completion: USER_PAYING until the deduction succeeds, then USER_PAID. */
  collection?: 'USER_PAYING' | 'USER_PAID';
  /** Between completion and the deduction's outcome: a cancel is refused ("单据正在扣款中"). */
  deducting: boolean;
  deduction: DeductionPlan;
  /** The PAYSCORE.USER_PAID that the deduction sends, reserved at completion. */
  paidNotificationId?: string;
  payment?: Payment;
  cancellation?: { reason: string; at: number; canonical: string };
}

export const subMchidOf = (request: { sub_mchid?: string } | object): string | undefined => ('sub_mchid' in request ? (request.sub_mchid as string | undefined) : undefined);

/** What the merchant is charged: the completion's payments, else the plan detail's price. */
function charges(order: SandboxOrder) {
  const completion = order.completion?.request;
  if (completion) return { post_payments: completion.post_payments.map((payment) => ({ count: 1, ...payment })), post_discounts: completion.post_discounts ?? [], total_amount: completion.total_amount };
  const { request } = order;
  return { post_payments: [{ name: request.service_introduction, amount: order.amount, description: `plan detail ${request.plan_detail_no}` }], post_discounts: [], total_amount: order.amount };
}

/** The order as WeChat Pay answers it (the seeds' response table; the query page's fields once it is completed). */
export function orderResource(order: SandboxOrder): Record<string, unknown> {
  const { request } = order;
  const { post_payments, post_discounts, total_amount } = charges(order);
  return {
    out_order_no: request.out_trade_no,
    service_id: request.service_id,
    appid: request.appid,
    mchid: order.mchid,
    ...('sub_mchid' in request ? { sub_mchid: request.sub_mchid, ...(request.sub_appid ? { sub_appid: request.sub_appid } : {}) } : {}),
    service_introduction: request.service_introduction,
    state: order.state,
    // Described only while DOING (the query page).
    ...(order.state === 'DOING' && order.stateDescription ? { state_description: order.stateDescription } : {}),
    post_payments,
    post_discounts,
    // The sign-plan create page lists risk_fund with its amount alone.
    risk_fund: { amount: order.amount },
    ...(order.completion ? { total_amount } : {}),
    time_range: request.time_range,
    ...(request.location ? { location: request.location } : {}),
    ...(request.attach !== undefined ? { attach: request.attach } : {}),
    notify_url: request.notify_url,
    order_id: order.orderId,
    ...(order.collection ? { need_collection: true, collection: collectionOf(order, total_amount) } : {}),
  };
}

function collectionOf(order: SandboxOrder, total: number): Record<string, unknown> {
  const payment = order.payment;
  return {
    state: order.collection,
    total_amount: total,
    paying_amount: payment ? 0 : total,
    paid_amount: payment ? total : 0,
    ...(payment ? { details: [{ seq: 1, amount: total, paid_type: 'NEWTON', paid_time: compactTime(payment.paidAt), transaction_id: payment.transactionId }] } : {}),
  };
}
