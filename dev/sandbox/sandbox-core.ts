import type { ServiceOrderRequest } from '../../lib/service-order/schema';
import { registerAccounts, type RegisteredAccount } from './accounts';
import { invalidRequest, noAuth, notFound } from './api-error';
import { Deliveries, PLAIN_DELIVERY, type DeliveryPlan, type DeliveryRecord } from './deliveries';
import { FaultQueue } from './faults';
import { IdSource } from './ids';
import { Lifecycle, type Owner } from './lifecycle';
import { buildNotification, orderPlaintext, USER_CANCEL_SIGN_PLAN, USER_CONFIRM, USER_PAID, USER_SIGN_PLAN, type NotificationRequest, type NotificationSubject } from './notification';
import { subMchidOf, type DeductionPlan, type SandboxOrder } from './order';
import type { ResolvedOptions } from './options';
import { PlatformCertificates, type PublishedCertificate } from './platform-certificates';
import { ResponseSigning } from './response-signing';
import { scaledRetryDelays, SIGN_PLAN_RETRY_DELAYS_MS } from './retry-schedule';
import type { CancelRequest, CompleteRequest, PlanRequest, UserSignPlanRequest } from './schemas';
import { signPlanResource, type CancelSignType, type SandboxPlan, type UserSignPlan } from './sign-plan';
import { Timers } from './timers';

/** A notification to send: what it says and how it is delivered (faults waiting in the queue apply too). */
export interface SendNotification extends NotificationRequest {
  delivery?: Partial<DeliveryPlan>;
}

/** A notification ready to POST: for tests that deliver it themselves. */
export interface SignedNotification {
  id: string;
  orderId: string;
  eventType: string;
  notifyUrl: string;
  body: string;
  headers: Record<string, string>;
}

/** A published platform certificate, without its private key. */
export interface PlatformCertificateInfo {
  serial: string;
  certificatePem: string;
  notBefore: string;
  notAfter: string;
}

export const certificateInfo = (certificate: PublishedCertificate): PlatformCertificateInfo => ({
  serial: certificate.serial,
  certificatePem: certificate.certificatePem,
  notBefore: new Date(certificate.notBefore).toISOString(),
  notAfter: new Date(certificate.notAfter).toISOString(),
});

/** A SIGNED user sign plan made in one step, for tests and demos that need one ready for orders. */
export interface SeedSignPlan {
  mchid: string;
  /** Required for a service provider. */
  sub_mchid?: string;
  /** Default: one the sandbox assigns. */
  sign_plan_id?: string;
  /** One per plan detail (their count is the plan's); default three fresh ones. */
  merchant_plan_detail_nos?: string[];
  /** Each detail's price in fen; default `planDetailAmount`. */
  price?: number;
  /** The user sign plan's notify_url (USER_CANCEL_SIGN_PLAN goes there); default the seeds' `https://api.test.com`. */
  notify_url?: string;
}

export interface SeededSignPlan {
  plan_id: string;
  merchant_plan_no: string;
  sign_plan_id: string;
  merchant_sign_plan_no: string;
  service_id: string;
  details: { plan_detail_no: number; merchant_plan_detail_no: string; actual_price: number }[];
}

/** The seeds' example values: what a seeded plan is made of. */
const SEED = { service_id: '2002000000000558128851361561536', appid: 'wxd678efh567hg6787', openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', notify_url: 'https://api.test.com' };

const ownerOf = (account: RegisteredAccount, request: object): Owner => {
  const subMchid = subMchidOf(request);
  return { mchid: account.config.mchid, ...(subMchid !== undefined ? { subMchid } : {}) };
};

/** The sandbox's state and operations, independent of HTTP: the routes and the handle both use it. */
export class SandboxCore {
  readonly options: ResolvedOptions;
  readonly accounts: ReadonlyMap<string, RegisteredAccount>;
  readonly certificates: PlatformCertificates;
  readonly signing: ResponseSigning;
  readonly faults = new FaultQueue();
  readonly lifecycle = new Lifecycle();
  readonly timers = new Timers();
  readonly deliveries: Deliveries;
  readonly #ids: IdSource;
  readonly #orderRetries: readonly number[];
  readonly #signPlanRetries: readonly number[];
  /** Per order, the generation of its pending deduction: a reschedule or stay-paying outdates the timer before it. */
  readonly #deductions = new Map<string, number>();
  /** How the USER_PAID of a completion is delivered, when its complete said so. */
  readonly #paidDelivery = new Map<string, Partial<DeliveryPlan>>();

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.accounts = registerAccounts(options.accounts);
    this.certificates = new PlatformCertificates(options.wechatpay.key, options.clock);
    this.signing = new ResponseSigning(options.wechatpay, options.signingMode, options.clock, this.certificates);
    this.#ids = new IdSource(options.clock);
    this.#orderRetries = scaledRetryDelays(options.retryTimeScale);
    this.#signPlanRetries = scaledRetryDelays(options.retryTimeScale, SIGN_PLAN_RETRY_DELAYS_MS);
    this.deliveries = new Deliveries({
      clock: options.clock,
      timers: this.timers,
      timeoutMs: options.deliveryTimeoutMs,
      sign: (body) => this.signing.headers(body),
      signProbe: (body) => this.signing.probeHeaders(body),
      resolveUrl: options.resolveNotifyUrl,
      log: options.log,
      notice: options.notice,
    });
  }

  #now(): number {
    return this.options.clock();
  }

  // ── plans and user sign plans ──

  createPlan(account: RegisteredAccount, request: PlanRequest): SandboxPlan {
    return this.lifecycle.createPlan(ownerOf(account, request), request, () => ({ planId: this.#ids.planId(), mchid: account.config.mchid, request, state: 'NORMAL', createdAt: this.#now() }));
  }

  createSignPlan(account: RegisteredAccount, request: UserSignPlanRequest, signPlanId = this.#ids.signPlanId()): UserSignPlan {
    return this.lifecycle.createSignPlan(ownerOf(account, request), request, (plan) => ({
      signPlanId,
      mchid: account.config.mchid,
      planId: plan.planId,
      request,
      state: 'UNSIGNED',
      createdAt: this.#now(),
      package: this.#ids.signPackage(),
      details: request.sign_plan_detail.map((detail) => ({ planDetailNo: detail.plan_detail_no, merchantPlanDetailNo: detail.merchant_plan_detail_no, state: 'NOT_USED' })),
      goingDetailNo: 0,
    }));
  }

  signPlanView(signPlan: UserSignPlan): Record<string, unknown> {
    return signPlanResource(signPlan, this.lifecycle.planById(signPlan.planId), this.#now());
  }

  /** The user signs in WeChat: SIGNED, and PAYSCORE.USER_SIGN_PLAN to the sign plan's notify_url. */
  signSignPlan(signPlanId: string, delivery?: Partial<DeliveryPlan>): { notificationId: string } {
    const signPlan = this.lifecycle.sign(signPlanId, this.#now());
    this.options.log(`user sign plan ${signPlanId} signed`);
    return this.#notifySignPlan(signPlan, USER_SIGN_PLAN, delivery);
  }

  /** The user cancels (or revokes the service): SIGN_PLAN_CANCEL, and PAYSCORE.USER_CANCEL_SIGN_PLAN. */
  userCancelSignPlan(signPlanId: string, cancel: { reason?: string; type?: Exclude<CancelSignType, 'MERCHANT'>; delivery?: Partial<DeliveryPlan> } = {}): { notificationId: string } {
    const signPlan = this.lifecycle.cancelSignPlan(signPlanId, { at: this.#now(), type: cancel.type ?? 'USER', reason: cancel.reason ?? '用户取消' });
    this.options.log(`user sign plan ${signPlanId} cancelled by the user`);
    return this.#notifySignPlan(signPlan, USER_CANCEL_SIGN_PLAN, cancel.delivery);
  }

  /** The merchant's stop: SIGN_PLAN_CANCEL (MERCHANT), no notification (the notice pages notify user cancels only). */
  stopSignPlan(owner: Owner, merchantSignPlanNo: string, reason: string): UserSignPlan {
    const signPlan = this.lifecycle.signPlan(owner, merchantSignPlanNo);
    return this.lifecycle.cancelSignPlan(signPlan.signPlanId, { at: this.#now(), type: 'MERCHANT', reason });
  }

  #notifySignPlan(signPlan: UserSignPlan, eventType: string, delivery?: Partial<DeliveryPlan>): { notificationId: string } {
    const notification = buildNotification({
      id: this.#ids.notificationId(),
      createdAt: this.#now(),
      subject: { signPlanId: signPlan.signPlanId },
      notifyUrl: signPlan.request.notify_url,
      eventType,
      plaintext: this.signPlanView(signPlan),
      apiV3Key: this.accounts.get(signPlan.mchid)!.apiV3Key,
      request: {},
      retryDelaysMs: this.#signPlanRetries,
    });
    this.deliveries.deliver(notification, { ...PLAIN_DELIVERY, ...this.faults.takeDeliveryPlan(), ...delivery });
    return { notificationId: notification.id };
  }

  /** A plan and a user sign plan of it, SIGNED at once and without a notification: an order can follow. */
  seedSignPlan(seed: SeedSignPlan): SeededSignPlan {
    const account = this.accounts.get(seed.mchid);
    if (!account) throw notFound(`mchid ${seed.mchid} is not a registered merchant`);
    if ((account.config.kind === 'partner') !== (seed.sub_mchid !== undefined)) throw noAuth(`sub_mchid is ${account.config.kind === 'partner' ? 'required for a service provider' : 'only for a service provider'}`);
    const unique = this.#ids.signPackage().replace(/[^0-9A-Za-z]/g, '').slice(0, 20);
    const numbers = seed.merchant_plan_detail_nos ?? [1, 2, 3].map((n) => `${unique}D${n}`);
    const price = seed.price ?? this.options.planDetailAmount;
    const sub = seed.sub_mchid !== undefined ? { sub_mchid: seed.sub_mchid } : {};
    const plan = this.createPlan(account, {
      service_id: SEED.service_id,
      appid: SEED.appid,
      ...sub,
      plan_name: `seeded plan ${numbers.length}`,
      plan_duration: 365,
      deduction_quantity: numbers.length,
      total_original_price: price * numbers.length,
      total_actual_price: price * numbers.length,
      plan_detail_list: numbers.map((_, index) => ({ original_price: price, actual_price: price, plan_detail_name: `detail ${index + 1}` })),
      merchant_plan_no: `P${unique}`,
    });
    const signPlan = this.createSignPlan(
      account,
      {
        service_id: SEED.service_id,
        plan_id: plan.planId,
        appid: SEED.appid,
        ...sub,
        openid: SEED.openid,
        merchant_sign_plan_no: `S${unique}`,
        notify_url: seed.notify_url ?? SEED.notify_url,
        sign_plan_detail: numbers.map((number, index) => ({ plan_detail_no: index + 1, merchant_plan_detail_no: number })),
      },
      seed.sign_plan_id,
    );
    this.lifecycle.sign(signPlan.signPlanId, this.#now());
    return {
      plan_id: plan.planId,
      merchant_plan_no: plan.request.merchant_plan_no,
      sign_plan_id: signPlan.signPlanId,
      merchant_sign_plan_no: signPlan.request.merchant_sign_plan_no,
      service_id: SEED.service_id,
      details: numbers.map((number, index) => ({ plan_detail_no: index + 1, merchant_plan_detail_no: number, actual_price: price })),
    };
  }

  // ── service orders ──

  /** Creates the order (or finds the one of an identical earlier request) and schedules its auto-completion. */
  createOrder(account: RegisteredAccount, request: ServiceOrderRequest): SandboxOrder {
    const { order, created } = this.lifecycle.createOrder(ownerOf(account, request), request, this.#now(), (amount) => ({
      orderId: this.#ids.orderId(),
      mchid: account.config.mchid,
      request,
      amount,
      state: 'CREATED',
      createdAt: this.#now(),
      deducting: false,
      deduction: { kind: 'normal' },
    }));
    const autoComplete = this.options.autoCompleteAfterMs;
    if (created && autoComplete !== null) {
      this.timers.after(autoComplete, () => {
        if (order.state === 'CREATED') this.completeOrder(order.orderId);
      });
    }
    return order;
  }

  /** The merchant's complete call; the sandbox then deducts by itself (`deductAfterMs`, or as a deduction control said). */
  merchantComplete(orderId: string, request: CompleteRequest, delivery?: Partial<DeliveryPlan>): SandboxOrder {
    const { order, completed } = this.lifecycle.complete(orderId, request, this.#now());
    if (!completed) return order;
    this.options.log(`order ${orderId} completed: ${request.total_amount} fen to deduct`);
    order.paidNotificationId = this.#ids.notificationId();
    this.deliveries.reserve(order.paidNotificationId);
    if (delivery) this.#paidDelivery.set(orderId, delivery);
    this.#planDeduction(order);
    return order;
  }

  /**
   * Completes the order as its merchant would, at the plan detail's price. Returns the
   * id of the PAYSCORE.USER_PAID the deduction will send (`waitForDelivery` waits for it).
   */
  completeOrder(orderId: string, delivery?: Partial<DeliveryPlan>): { notificationId: string } {
    const order = this.lifecycle.orderById(orderId);
    const { request } = order;
    const completion: CompleteRequest = {
      service_id: request.service_id,
      ...('sub_mchid' in request ? { sub_mchid: request.sub_mchid } : { appid: request.appid }),
      post_payments: [{ name: request.service_introduction, amount: order.amount, description: `plan detail ${request.plan_detail_no}`, count: 1 }],
      total_amount: order.amount,
    } as CompleteRequest;
    return { notificationId: this.merchantComplete(orderId, completion, delivery).paidNotificationId! };
  }

  #planDeduction(order: SandboxOrder): void {
    const generation = (this.#deductions.get(order.orderId) ?? 0) + 1;
    this.#deductions.set(order.orderId, generation);
    const plan = order.deduction;
    if (plan.kind === 'stayPaying') {
      order.deducting = false;
      this.options.log(`order ${order.orderId}: the deduction fails, the order stays USER_PAYING`);
      return;
    }
    order.deducting = true;
    this.timers.after(plan.kind === 'late' ? plan.afterMs : this.options.deductAfterMs, () => {
      if (this.#deductions.get(order.orderId) === generation && order.collection === 'USER_PAYING') this.#deduct(order);
    });
  }

  #deduct(order: SandboxOrder): { notificationId: string } {
    this.#deductions.set(order.orderId, (this.#deductions.get(order.orderId) ?? 0) + 1);
    this.lifecycle.paid(order.orderId, { transactionId: this.#ids.transactionId(), paidAt: this.#now() });
    this.options.log(`order ${order.orderId} deducted: USER_PAID`);
    const delivery = this.#paidDelivery.get(order.orderId);
    this.#paidDelivery.delete(order.orderId);
    return this.sendNotification(order.orderId, { eventType: USER_PAID, ...(delivery ? { delivery } : {}) }, order.paidNotificationId);
  }

  /** Deducts a completed order now, whatever its deduction was to do. */
  deductNow(orderId: string): { notificationId: string } {
    // Refused by the lifecycle unless the order is completed and unpaid.
    return this.#deduct(this.lifecycle.orderById(orderId));
  }

  /** The deduction succeeds `afterMs` from now (from its completion, if the order is not completed yet). */
  deductLate(orderId: string, afterMs: number): { orderId: string; deduction: DeductionPlan } {
    return this.#setDeduction(orderId, { kind: 'late', afterMs });
  }

  /** The deduction fails: the order stays DOING, USER_PAYING (a cancel is allowed again) until `deductNow`. */
  stayPaying(orderId: string): { orderId: string; deduction: DeductionPlan } {
    return this.#setDeduction(orderId, { kind: 'stayPaying' });
  }

  #setDeduction(orderId: string, plan: DeductionPlan): { orderId: string; deduction: DeductionPlan } {
    const order = this.lifecycle.orderById(orderId);
    if (order.collection === 'USER_PAID' || order.state === 'REVOKED' || order.state === 'EXPIRED') throw invalidRequest(`service order ${orderId} is ${order.state}: there is no deduction to come`);
    order.deduction = plan;
    if (order.collection === 'USER_PAYING') this.#planDeduction(order);
    return { orderId, deduction: plan };
  }

  cancelOrder(orderId: string, request: CancelRequest): SandboxOrder {
    const { order, cancelled } = this.lifecycle.cancel(orderId, request, this.#now());
    if (cancelled) {
      this.options.log(`order ${orderId} cancelled`);
      this.#deductions.set(orderId, (this.#deductions.get(orderId) ?? 0) + 1);
      if (order.paidNotificationId) this.deliveries.drop(order.paidNotificationId);
    }
    return order;
  }

  /** The user confirms the order: CREATED → DOING (USER_CONFIRM), and PAYSCORE.USER_CONFIRM; a later confirmation leaves the state as it is. */
  confirmOrder(orderId: string, delivery?: Partial<DeliveryPlan>): { notificationId: string } {
    this.lifecycle.confirm(orderId);
    return this.sendNotification(orderId, { eventType: USER_CONFIRM, ...(delivery ? { delivery } : {}) });
  }

  sendNotification(orderId: string, send: SendNotification = {}, id?: string): { notificationId: string } {
    const notification = this.#buildOrderNotification(orderId, send, id);
    this.deliveries.deliver(notification, { ...PLAIN_DELIVERY, ...this.faults.takeDeliveryPlan(), ...send.delivery });
    return { notificationId: notification.id };
  }

  /** A `WECHATPAY/SIGNTEST/` probe alone (one attempt, no retry): a receiver that checks signatures refuses it. Queued faults are left alone. */
  sendProbe(orderId: string): { notificationId: string } {
    const notification = this.#buildOrderNotification(orderId, {});
    this.deliveries.deliver(notification, { ...PLAIN_DELIVERY, copies: 0, probe: true });
    return { notificationId: notification.id };
  }

  /** The notification delivered again, same id and body, freshly signed; plain unless `delivery` says otherwise (queued faults are left alone). */
  replayNotification(notificationId: string, delivery?: Partial<DeliveryPlan>): { notificationId: string; replay: number } {
    return this.deliveries.replay(notificationId, { ...PLAIN_DELIVERY, ...delivery });
  }

  /** A signed notification about the order that is not delivered. */
  buildNotification(orderId: string, request: NotificationRequest = {}): SignedNotification {
    const notification = this.#buildOrderNotification(orderId, request);
    return { id: notification.id, orderId, eventType: notification.eventType, notifyUrl: notification.notifyUrl, body: notification.body, headers: this.signing.headers(notification.body) };
  }

  #buildOrderNotification(orderId: string, request: NotificationRequest, id = this.#ids.notificationId()) {
    const order = this.lifecycle.orderById(orderId);
    const eventType = request.eventType ?? USER_PAID;
    // An unpaid order has no payment yet; a USER_PAID sent for it on purpose reports a fresh one.
    const payment = order.payment ?? { transactionId: this.#ids.transactionId(), paidAt: this.#now() };
    const subject: NotificationSubject = { orderId };
    return buildNotification({
      id,
      createdAt: this.#now(),
      subject,
      notifyUrl: order.request.notify_url,
      eventType,
      plaintext: orderPlaintext(eventType, order, payment),
      // Orders are only ever created by registered accounts.
      apiV3Key: this.accounts.get(order.mchid)!.apiV3Key,
      request,
      retryDelaysMs: this.#orderRetries,
    });
  }

  /** A new platform certificate: published beside the old one, and signing in certificate mode from now on. */
  async rotateCertificate(): Promise<PlatformCertificateInfo> {
    const certificate = await this.certificates.rotate();
    this.options.log(`platform certificate rotated: ${certificate.serial} signs from now on`);
    return certificateInfo(certificate);
  }

  waitForDelivery(notificationId: string, replay?: number): Promise<DeliveryRecord[]> {
    return this.deliveries.settled(notificationId, replay);
  }

  /** Stops every delivery and timer. */
  stop(): void {
    this.deliveries.stop();
    this.timers.cancelAll();
  }
}
