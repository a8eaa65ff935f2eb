import type { ServiceOrderRequest } from '../../lib/service-order/schema';
import { invalidRequest, notFound, paramError } from './api-error';
import { subMchidOf, type SandboxOrder } from './order';
import { canonicalJson } from './same-json';
import type { CancelRequest, CompleteRequest, PlanRequest, UserSignPlanRequest } from './schemas';
import { signState, type CancelSignType, type SandboxPlan, type SignedDetail, type UserSignPlan } from './sign-plan';

/** Who owns an object: the caller's mchid and, for a partner, the sub-merchant. */
export interface Owner {
  mchid: string;
  subMchid?: string;
}

const ownerKey = (owner: Owner, number: string) => JSON.stringify([owner.mchid, owner.subMchid ?? '', number]);
const same = (a: Owner, b: Owner) => a.mchid === b.mchid && (a.subMchid ?? '') === (b.subMchid ?? '');

interface Keyed<T> {
  value: T;
  /** The creating request as canonical JSON: a repeat with the same content is the same request. */
  canonical: string;
}

/**
 * Plans, user sign plans and service orders, and the rules between them
 * (research "Rules a faithful sandbox enforces"). Every refusal is an ApiError;
 * notifications and timers are the caller's (SandboxCore).
 */
export class Lifecycle {
  readonly #plans = new Map<string, Keyed<SandboxPlan>>();
  readonly #plansById = new Map<string, SandboxPlan>();
  readonly #signPlans = new Map<string, Keyed<UserSignPlan>>();
  readonly #signPlansById = new Map<string, UserSignPlan>();
  /** merchant_plan_detail_no → sign plan, per merchant: they must be unique there. */
  readonly #detailNumbers = new Map<string, string>();
  readonly #orders = new Map<string, Keyed<SandboxOrder>>();
  readonly #ordersById = new Map<string, SandboxOrder>();

  // ── plans ──

  /** The new plan, or the existing one for a repeat of the same request. */
  createPlan(owner: Owner, request: PlanRequest, build: () => SandboxPlan): SandboxPlan {
    const key = ownerKey(owner, request.merchant_plan_no);
    const existing = this.#repeat(this.#plans.get(key), request, `merchant_plan_no ${request.merchant_plan_no}`);
    if (existing) return existing;
    checkPlanAmounts(request);
    const plan = build();
    this.#plans.set(key, { value: plan, canonical: canonicalJson(request) });
    this.#plansById.set(plan.planId, plan);
    return plan;
  }

  plan(owner: Owner, merchantPlanNo: string): SandboxPlan {
    const plan = this.#plans.get(ownerKey(owner, merchantPlanNo))?.value;
    if (!plan) throw notFound(`no plan with merchant_plan_no ${merchantPlanNo}`);
    return plan;
  }

  planById(planId: string): SandboxPlan {
    const plan = this.#plansById.get(planId);
    if (!plan) throw notFound(`no plan ${planId.slice(0, 64)}`);
    return plan;
  }

  /** NORMAL → STOP; a stopped plan takes no new signers, signed ones go on. Stopping again answers the same. */
  stopPlan(owner: Owner, merchantPlanNo: string, at: number): SandboxPlan {
    const plan = this.plan(owner, merchantPlanNo);
    if (plan.state === 'NORMAL') {
      plan.state = 'STOP';
      plan.stop = { mchid: owner.mchid, at };
    }
    return plan;
  }

  plans(): SandboxPlan[] {
    return [...this.#plansById.values()];
  }

  // ── user sign plans ──

  /** Pre-signs a NORMAL plan for one user: UNSIGNED until the user signs. */
  createSignPlan(owner: Owner, request: UserSignPlanRequest, build: (plan: SandboxPlan) => UserSignPlan): UserSignPlan {
    const key = ownerKey(owner, request.merchant_sign_plan_no);
    const existing = this.#repeat(this.#signPlans.get(key), request, `merchant_sign_plan_no ${request.merchant_sign_plan_no}`);
    if (existing) return existing;
    const plan = this.#plansById.get(request.plan_id);
    if (!plan || !same(owner, { mchid: plan.mchid, ...(plan.request.sub_mchid ? { subMchid: plan.request.sub_mchid } : {}) })) {
      throw invalidRequest(`plan_id ${request.plan_id} is not a plan of this merchant`);
    }
    if (plan.state !== 'NORMAL') throw invalidRequest(`plan ${plan.planId} is ${plan.state}: a stopped plan takes no new signers`);
    if (request.service_id !== plan.request.service_id) throw invalidRequest(`service_id ${request.service_id} is not the service of plan ${plan.planId}`);
    checkSignPlanDetails(request, plan);
    const numbers = request.sign_plan_detail.map((detail) => ownerKey(owner, detail.merchant_plan_detail_no));
    const taken = numbers.findIndex((number) => this.#detailNumbers.has(number));
    if (taken >= 0) throw invalidRequest(`merchant_plan_detail_no ${request.sign_plan_detail[taken]!.merchant_plan_detail_no} is already used by another sign plan of this merchant`);
    const signPlan = build(plan);
    if (this.#signPlansById.has(signPlan.signPlanId)) throw invalidRequest(`sign_plan_id ${signPlan.signPlanId} already exists`);
    this.#signPlans.set(key, { value: signPlan, canonical: canonicalJson(request) });
    this.#signPlansById.set(signPlan.signPlanId, signPlan);
    for (const number of numbers) this.#detailNumbers.set(number, signPlan.signPlanId);
    return signPlan;
  }

  signPlan(owner: Owner, merchantSignPlanNo: string): UserSignPlan {
    const signPlan = this.#signPlans.get(ownerKey(owner, merchantSignPlanNo))?.value;
    if (!signPlan) throw notFound(`no user sign plan with merchant_sign_plan_no ${merchantSignPlanNo}`);
    return signPlan;
  }

  signPlanById(signPlanId: string): UserSignPlan {
    const signPlan = this.#signPlansById.get(signPlanId);
    if (!signPlan) throw notFound(`no user sign plan ${signPlanId.slice(0, 64)}`);
    return signPlan;
  }

  signPlans(): UserSignPlan[] {
    return [...this.#signPlansById.values()];
  }

  /** The user signs: UNSIGNED → SIGNED, while the package is valid. */
  sign(signPlanId: string, at: number): UserSignPlan {
    const signPlan = this.signPlanById(signPlanId);
    const state = signState(signPlan, this.planById(signPlan.planId), at);
    if (state !== 'UNSIGNED') throw invalidRequest(`user sign plan ${signPlanId} is ${state}: only an UNSIGNED one can be signed`);
    signPlan.state = 'SIGNED';
    signPlan.signTime = at;
    return signPlan;
  }

  /** SIGNED (or UNSIGNED, by the merchant) → SIGN_PLAN_CANCEL; refused while an order of it is in service. Cancelling again answers the same. */
  cancelSignPlan(signPlanId: string, cancel: { at: number; type: CancelSignType; reason: string }): UserSignPlan {
    const signPlan = this.signPlanById(signPlanId);
    if (signPlan.state === 'SIGN_PLAN_CANCEL') return signPlan;
    const state = signState(signPlan, this.planById(signPlan.planId), cancel.at);
    const allowed = cancel.type === 'MERCHANT' ? ['UNSIGNED', 'SIGNED'] : ['SIGNED'];
    if (!allowed.includes(state)) throw invalidRequest(`user sign plan ${signPlanId} is ${state}: it cannot be cancelled`);
    if (signPlan.openOrderId) throw invalidRequest(`user sign plan ${signPlanId} has service order ${signPlan.openOrderId} in service: cancel or complete it first`);
    signPlan.state = 'SIGN_PLAN_CANCEL';
    signPlan.cancel = cancel;
    return signPlan;
  }

  // ── service orders ──

  /** The new order, or the existing one for a repeat of the same request (`created: false`). */
  createOrder(owner: Owner, request: ServiceOrderRequest, now: number, build: (amount: number) => SandboxOrder): { order: SandboxOrder; created: boolean } {
    const key = ownerKey(owner, request.out_trade_no);
    const existing = this.#repeat(this.#orders.get(key), request, `out_trade_no ${request.out_trade_no}`);
    if (existing) return { order: existing, created: false };
    const { signPlan, detail, price } = this.#checkNewOrder(owner, request, now);
    const order = build(price);
    this.#orders.set(key, { value: order, canonical: canonicalJson(request) });
    this.#ordersById.set(order.orderId, order);
    detail.state = 'USING';
    detail.orderId = order.orderId;
    detail.useTime = now;
    signPlan.openOrderId = order.orderId;
    signPlan.goingDetailNo = detail.planDetailNo;
    return { order, created: true };
  }

  #checkNewOrder(owner: Owner, request: ServiceOrderRequest, now: number): { signPlan: UserSignPlan; detail: SignedDetail; price: number } {
    const signPlan = this.#signPlansById.get(request.sign_plan_id);
    const id = request.sign_plan_id;
    if (!signPlan || !same(owner, { mchid: signPlan.mchid, ...(subMchidOf(signPlan.request) ? { subMchid: subMchidOf(signPlan.request)! } : {}) })) {
      throw invalidRequest(`sign_plan_id ${id} is not a user sign plan of this merchant`);
    }
    const plan = this.planById(signPlan.planId);
    if (request.service_id !== signPlan.request.service_id) throw invalidRequest(`service_id ${request.service_id} is not the service of sign plan ${id}`);
    const state = signState(signPlan, plan, now);
    if (state !== 'SIGNED') throw invalidRequest(`sign plan ${id} is ${state}: orders are created only for a SIGNED sign plan`);
    const detail = signPlan.details.find((candidate) => candidate.planDetailNo === request.plan_detail_no);
    if (!detail) throw invalidRequest(`plan_detail_no ${request.plan_detail_no} is not a plan detail of sign plan ${id} (it has ${signPlan.details.length})`);
    if (signPlan.openOrderId) {
      const open = this.orderById(signPlan.openOrderId);
      throw invalidRequest(`sign plan ${id} already has an open service order (plan_detail_no ${open.request.plan_detail_no}, ${open.state}): cancel it, or complete it and wait for the payment`);
    }
    const expected = signPlan.goingDetailNo + 1;
    if (request.plan_detail_no < expected) throw invalidRequest(`plan_detail_no ${request.plan_detail_no} of sign plan ${id} already has a service order`);
    if (request.plan_detail_no > expected) throw invalidRequest(`plan_detail_no ${request.plan_detail_no} of sign plan ${id} is out of order: the next one is ${expected}`);
    if (request.out_trade_no !== detail.merchantPlanDetailNo) {
      throw invalidRequest(`out_trade_no ${request.out_trade_no} must be the merchant_plan_detail_no of plan detail ${detail.planDetailNo}: ${detail.merchantPlanDetailNo}`);
    }
    return { signPlan, detail, price: plan.request.plan_detail_list[detail.planDetailNo - 1]!.actual_price };
  }

  order(owner: Owner, outOrderNo: string): SandboxOrder {
    const order = this.#orders.get(ownerKey(owner, outOrderNo))?.value;
    if (!order) throw notFound(`no service order with out_order_no ${outOrderNo}`);
    return order;
  }

  orderById(orderId: string): SandboxOrder {
    const order = this.#ordersById.get(orderId);
    if (!order) throw notFound(`no service order ${orderId.slice(0, 64)}`);
    return order;
  }

  orders(): SandboxOrder[] {
    return [...this.#ordersById.values()];
  }

  /** The user confirms: CREATED → DOING (USER_CONFIRM). Anything else is unchanged (a late confirmation). */
  confirm(orderId: string): SandboxOrder {
    const order = this.orderById(orderId);
    if (order.state === 'CREATED') {
      order.state = 'DOING';
      order.stateDescription = 'USER_CONFIRM';
    }
    return order;
  }

  /**
   * The merchant completes the served detail: DOING (MCH_COMPLETE), collection
   * USER_PAYING, deducting. A sign-plan order may be completed while CREATED or
   * DOING (USER_CONFIRM): the user confirmed every deduction when signing. A repeat
   * of the same complete answers the same; total_amount may not exceed the detail's price.
   */
  complete(orderId: string, request: CompleteRequest, at: number): { order: SandboxOrder; completed: boolean } {
    const order = this.orderById(orderId);
    const canonical = canonicalJson(request);
    if (repeatOf(order.completion, canonical, `service order ${order.request.out_trade_no} is already completed with a different request`)) return { order, completed: false };
    checkOrderNames(order, request);
    if (!(order.state === 'CREATED' || (order.state === 'DOING' && order.stateDescription === 'USER_CONFIRM'))) {
      throw invalidRequest(`service order ${order.request.out_trade_no} is ${order.state}: only a CREATED or USER_CONFIRM order can be completed`);
    }
    const paid = request.post_payments.reduce((sum, payment) => sum + payment.amount, 0) - (request.post_discounts ?? []).reduce((sum, discount) => sum + discount.amount, 0);
    if (paid !== request.total_amount) throw paramError({ field: 'total_amount', value: request.total_amount, issue: `must be the post_payments less the post_discounts: ${paid}` });
    if (request.total_amount > order.amount) throw invalidRequest(`total_amount ${request.total_amount} exceeds the plan detail's price ${order.amount}`);
    order.completion = { request, canonical, at };
    order.state = 'DOING';
    order.stateDescription = 'MCH_COMPLETE';
    order.collection = 'USER_PAYING';
    order.deducting = true;
    this.#detailOf(order).actualPayPrice = request.total_amount;
    return { order, completed: true };
  }

  /** The deduction succeeded: DONE, USER_PAID; the detail is USED and the sign plan may go on (COMPLETE after its last detail). */
  paid(orderId: string, payment: { transactionId: string; paidAt: number }): SandboxOrder {
    const order = this.orderById(orderId);
    if (order.collection !== 'USER_PAYING') throw invalidRequest(`service order ${order.request.out_trade_no} is ${order.state}${order.collection ? ` (${order.collection})` : ''}: only a completed, unpaid order is deducted`);
    order.state = 'DONE';
    delete order.stateDescription;
    order.collection = 'USER_PAID';
    order.deducting = false;
    order.payment = payment;
    const detail = this.#detailOf(order);
    detail.state = 'USED';
    detail.completeTime = payment.paidAt;
    this.#close(order);
    return order;
  }

  /**
   * The merchant cancels: allowed while CREATED, DOING with USER_CONFIRM, or
   * USER_PAYING once a deduction failed; refused while the deduction runs. The
   * detail is SIGN_PLAN_DETAIL_CANCEL and the next one may follow. Cancelling again answers the same.
   */
  cancel(orderId: string, request: CancelRequest, at: number): { order: SandboxOrder; cancelled: boolean } {
    const order = this.orderById(orderId);
    const canonical = canonicalJson(request);
    if (repeatOf(order.cancellation, canonical, `service order ${order.request.out_trade_no} is already REVOKED`)) return { order, cancelled: false };
    checkOrderNames(order, request);
    if (order.deducting) throw invalidRequest(`单据正在扣款中: service order ${order.request.out_trade_no} is being deducted; retry the cancel in 3 minutes`);
    if (order.state !== 'CREATED' && order.state !== 'DOING') throw invalidRequest(`service order ${order.request.out_trade_no} is ${order.state}: only a CREATED or DOING order can be cancelled`);
    order.state = 'REVOKED';
    delete order.stateDescription;
    order.cancellation = { reason: request.reason, at, canonical };
    const detail = this.#detailOf(order);
    detail.state = 'SIGN_PLAN_DETAIL_CANCEL';
    detail.cancelTime = at;
    delete detail.actualPayPrice;
    this.#close(order);
    return { order, cancelled: true };
  }

  /** The order is out of service: its sign plan may take the next detail, and is COMPLETE after its last. */
  #close(order: SandboxOrder): void {
    const signPlan = this.signPlanById(order.request.sign_plan_id);
    delete signPlan.openOrderId;
    if (signPlan.state === 'SIGNED' && signPlan.goingDetailNo === signPlan.details.length) signPlan.state = 'COMPLETE';
  }

  #detailOf(order: SandboxOrder): SignedDetail {
    return this.signPlanById(order.request.sign_plan_id).details.find((detail) => detail.orderId === order.orderId)!;
  }

  #repeat<T>(existing: Keyed<T> | undefined, request: unknown, what: string): T | undefined {
    if (!existing) return undefined;
    if (existing.canonical !== canonicalJson(request)) throw invalidRequest(`${what} was already used with a different request`);
    return existing.value;
  }
}

/** Whether a call repeats the earlier one it follows (then it answers the same); a different one is refused. */
function repeatOf(previous: { canonical: string } | undefined, canonical: string, refusal: string): boolean {
  if (!previous) return false;
  if (previous.canonical === canonical) return true;
  throw invalidRequest(refusal);
}

/** A complete or cancel names the order's service (and, directly, its appid). */
function checkOrderNames(order: SandboxOrder, request: CompleteRequest | CancelRequest): void {
  if (request.service_id !== order.request.service_id) throw invalidRequest(`service_id ${request.service_id} is not the order's`);
  if ('appid' in request && request.appid !== order.request.appid) throw invalidRequest(`appid ${request.appid} is not the order's`);
}

/**
 * The plan rules of the development guide: as many details as deductions; each
 * detail's original_price ≥ its actual_price, and no actual_price above the
 * previous detail's; the totals are the details' sums (inferred).
 */
function checkPlanAmounts(request: PlanRequest): void {
  const details = request.plan_detail_list;
  if (details.length !== request.deduction_quantity) {
    throw paramError({ field: 'deduction_quantity', value: request.deduction_quantity, issue: `must be the number of plan details: ${details.length}` });
  }
  details.forEach((detail, index) => {
    if (detail.original_price < detail.actual_price) throw paramError({ field: `plan_detail_list.${index}.actual_price`, value: detail.actual_price, issue: 'must not exceed the original_price' });
    const previous = details[index - 1];
    if (previous && detail.actual_price > previous.actual_price) {
      throw paramError({ field: `plan_detail_list.${index}.actual_price`, value: detail.actual_price, issue: "must not exceed the previous detail's actual_price" });
    }
  });
  const sum = (key: 'original_price' | 'actual_price') => details.reduce((total, detail) => total + detail[key], 0);
  if (request.total_original_price !== sum('original_price')) throw paramError({ field: 'total_original_price', value: request.total_original_price, issue: `must be the sum of the details' original_price: ${sum('original_price')}` });
  if (request.total_actual_price !== sum('actual_price')) throw paramError({ field: 'total_actual_price', value: request.total_actual_price, issue: `must be the sum of the details' actual_price: ${sum('actual_price')}` });
}

/** Every plan detail once, in the plan's order (the development guide, step 2.5). */
function checkSignPlanDetails(request: UserSignPlanRequest, plan: SandboxPlan): void {
  const count = plan.request.plan_detail_list.length;
  request.sign_plan_detail.forEach((detail, index) => {
    if (detail.plan_detail_no !== index + 1) throw paramError({ field: `sign_plan_detail.${index}.plan_detail_no`, value: detail.plan_detail_no, issue: `must be ${index + 1}: every plan detail once, in order` });
  });
  if (request.sign_plan_detail.length !== count) throw paramError({ field: 'sign_plan_detail', issue: `must list each of the plan's ${count} details` });
  const numbers = new Set(request.sign_plan_detail.map((detail) => detail.merchant_plan_detail_no));
  if (numbers.size !== count) throw paramError({ field: 'sign_plan_detail', issue: 'must give each detail its own merchant_plan_detail_no' });
}
