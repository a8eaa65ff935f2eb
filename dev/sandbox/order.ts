import type { ServiceOrderRequest } from '../../lib/service-order/schema';

/** CREATED until the service is completed and paid; then DONE. */
export type OrderState = 'CREATED' | 'DONE';

export interface Payment {
  transactionId: string;
  paidAt: number;
}

/** A service order as the sandbox holds it. */
export interface SandboxOrder {
  orderId: string;
  /** The caller: the direct merchant, or the service provider of a partner order. */
  mchid: string;
  request: ServiceOrderRequest;
  /** Price of the plan detail, in fen. */
  amount: number;
  state: OrderState;
  createdAt: number;
  payment?: Payment;
}

export const subMchidOf = (request: ServiceOrderRequest): string | undefined => ('sub_mchid' in request ? request.sub_mchid : undefined);

/** The order as WeChat Pay answers it (the response table of the seeds). */
export function orderResource(order: SandboxOrder): Record<string, unknown> {
  const { request } = order;
  return {
    out_order_no: request.out_trade_no,
    service_id: request.service_id,
    appid: request.appid,
    mchid: order.mchid,
    ...('sub_mchid' in request ? { sub_mchid: request.sub_mchid, ...(request.sub_appid ? { sub_appid: request.sub_appid } : {}) } : {}),
    service_introduction: request.service_introduction,
    state: order.state,
    // WeChat Pay describes only finished and in-progress orders; a new one has no description yet.
    state_description: order.state === 'DONE' ? 'MCH_COMPLETE' : '',
    post_payments: [{ name: request.service_introduction, amount: order.amount, description: `plan detail ${request.plan_detail_no}` }],
    post_discounts: [],
    risk_fund: { name: 'ESTIMATE_ORDER_COST', amount: order.amount, description: request.service_introduction },
    time_range: request.time_range,
    ...(request.location ? { location: request.location } : {}),
    ...(request.attach !== undefined ? { attach: request.attach } : {}),
    notify_url: request.notify_url,
    order_id: order.orderId,
  };
}
