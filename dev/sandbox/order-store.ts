import type { ServiceOrderRequest } from '../../lib/service-order/schema';
import { invalidRequest, notFound } from './api-error';
import { subMchidOf, type Payment, type SandboxOrder } from './order';
import { canonicalJson } from './same-json';

interface SignPlan {
  lastDetailNo: number;
  open?: SandboxOrder;
}

interface Stored {
  order: SandboxOrder;
  /** The request as canonical JSON: a repeat with the same content is the same request. */
  canonical: string;
}

export interface NewOrder {
  mchid: string;
  request: ServiceOrderRequest;
  /** Called only when the request really creates an order. */
  build: () => SandboxOrder;
}

/**
 * The sandbox's orders and the sign-plan rules. A sign plan is keyed by mchid,
 * sub_mchid and sign_plan_id. Its plan details are created in order: the first
 * must be plan_detail_no 1, each next one the previous + 1. At most one order
 * per sign plan is open (CREATED) at a time.
 */
export class OrderStore {
  readonly #byId = new Map<string, SandboxOrder>();
  readonly #byOutTradeNo = new Map<string, Stored>();
  readonly #plans = new Map<string, SignPlan>();

  /** The new order, or the existing one for a repeat of the same request (`created: false`). */
  create(input: NewOrder): { order: SandboxOrder; created: boolean } {
    const { mchid, request } = input;
    const canonical = canonicalJson(request);
    const tradeKey = JSON.stringify([mchid, subMchidOf(request) ?? '', request.out_trade_no]);
    const existing = this.#byOutTradeNo.get(tradeKey);
    if (existing) {
      if (existing.canonical !== canonical) throw invalidRequest(`out_trade_no ${request.out_trade_no} was already used with a different request`);
      return { order: existing.order, created: false };
    }
    const planKey = JSON.stringify([mchid, subMchidOf(request) ?? '', request.sign_plan_id]);
    const plan = this.#plans.get(planKey) ?? { lastDetailNo: 0 };
    checkSignPlan(plan, request);
    const order = input.build();
    this.#plans.set(planKey, { lastDetailNo: request.plan_detail_no, open: order });
    this.#byOutTradeNo.set(tradeKey, { order, canonical });
    this.#byId.set(order.orderId, order);
    return { order, created: true };
  }

  get(orderId: string): SandboxOrder {
    const order = this.#byId.get(orderId);
    if (!order) throw notFound(`no service order ${orderId.slice(0, 64)}`);
    return order;
  }

  list(): SandboxOrder[] {
    return [...this.#byId.values()];
  }

  /** Marks the order paid: it is DONE and its sign plan may go on to the next detail. */
  complete(orderId: string, payment: Payment): SandboxOrder {
    const order = this.get(orderId);
    if (order.state !== 'CREATED') throw invalidRequest(`service order ${orderId} is already ${order.state}`);
    order.state = 'DONE';
    order.payment = payment;
    for (const plan of this.#plans.values()) {
      if (plan.open === order) delete plan.open;
    }
    return order;
  }
}

function checkSignPlan(plan: SignPlan, request: ServiceOrderRequest): void {
  if (plan.open) {
    throw invalidRequest(`sign plan ${request.sign_plan_id} already has an open service order (plan_detail_no ${plan.open.request.plan_detail_no}); complete it first`);
  }
  const expected = plan.lastDetailNo + 1;
  if (request.plan_detail_no !== expected) {
    throw invalidRequest(
      request.plan_detail_no < expected
        ? `plan_detail_no ${request.plan_detail_no} of sign plan ${request.sign_plan_id} already has a service order`
        : `plan_detail_no ${request.plan_detail_no} of sign plan ${request.sign_plan_id} is out of order: the next one is ${expected}`,
    );
  }
}
