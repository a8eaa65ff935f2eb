import type { ServiceOrderRequest } from '../../lib/service-order/schema';
import { registerAccounts, type RegisteredAccount } from './accounts';
import { Deliveries, PLAIN_DELIVERY, type DeliveryPlan, type DeliveryRecord } from './deliveries';
import { FaultQueue } from './faults';
import { IdSource } from './ids';
import { buildNotification, USER_CONFIRM, USER_PAID, type NotificationRequest } from './notification';
import type { SandboxOrder } from './order';
import { OrderStore } from './order-store';
import type { ResolvedOptions } from './options';
import { PlatformCertificates, type PublishedCertificate } from './platform-certificates';
import { ResponseSigning } from './response-signing';
import { scaledRetryDelays } from './retry-schedule';
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

/** The sandbox's state and operations, independent of HTTP: the routes and the handle both use it. */
export class SandboxCore {
  readonly options: ResolvedOptions;
  readonly accounts: ReadonlyMap<string, RegisteredAccount>;
  readonly certificates: PlatformCertificates;
  readonly signing: ResponseSigning;
  readonly faults = new FaultQueue();
  readonly orders = new OrderStore();
  readonly timers = new Timers();
  readonly deliveries: Deliveries;
  readonly #ids: IdSource;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.accounts = registerAccounts(options.accounts);
    this.certificates = new PlatformCertificates(options.wechatpay.key, options.clock);
    this.signing = new ResponseSigning(options.wechatpay, options.signingMode, options.clock, this.certificates);
    this.#ids = new IdSource(options.clock);
    this.deliveries = new Deliveries({
      clock: options.clock,
      timers: this.timers,
      retryDelaysMs: scaledRetryDelays(options.retryTimeScale),
      timeoutMs: options.deliveryTimeoutMs,
      sign: (body) => this.signing.headers(body),
      signProbe: (body) => this.signing.probeHeaders(body),
      resolveUrl: options.resolveNotifyUrl,
      log: options.log,
      notice: options.notice,
    });
  }

  /** Creates the order (or finds the one of an identical earlier request) and schedules its auto-completion. */
  createOrder(account: RegisteredAccount, request: ServiceOrderRequest): SandboxOrder {
    const { order, created } = this.orders.create({
      mchid: account.config.mchid,
      request,
      build: () => ({ orderId: this.#ids.orderId(), mchid: account.config.mchid, request, amount: this.options.planDetailAmount, state: 'CREATED', createdAt: this.options.clock() }),
    });
    const autoComplete = this.options.autoCompleteAfterMs;
    if (created && autoComplete !== null) {
      this.timers.after(autoComplete, () => {
        if (order.state === 'CREATED') this.completeOrder(order.orderId);
      });
    }
    return order;
  }

  /** The service is done and the user has paid: the order is DONE and PAYSCORE.USER_PAID is delivered. */
  completeOrder(orderId: string, delivery?: Partial<DeliveryPlan>): { notificationId: string } {
    const order = this.orders.complete(orderId, { transactionId: this.#ids.transactionId(), paidAt: this.options.clock() });
    this.options.log(`order ${orderId} completed`);
    return this.sendNotification(order.orderId, { eventType: USER_PAID, ...(delivery ? { delivery } : {}) });
  }

  /** PAYSCORE.USER_CONFIRM for the order; its state is unchanged (useful for a late confirmation). */
  confirmOrder(orderId: string, delivery?: Partial<DeliveryPlan>): { notificationId: string } {
    return this.sendNotification(orderId, { eventType: USER_CONFIRM, ...(delivery ? { delivery } : {}) });
  }

  sendNotification(orderId: string, send: SendNotification = {}): { notificationId: string } {
    const notification = this.#build(orderId, send);
    this.deliveries.deliver(notification, { ...PLAIN_DELIVERY, ...this.faults.takeDeliveryPlan(), ...send.delivery });
    return { notificationId: notification.id };
  }

  /** A `WECHATPAY/SIGNTEST/` probe alone (one attempt, no retry): a receiver that checks signatures refuses it. Queued faults are left alone. */
  sendProbe(orderId: string): { notificationId: string } {
    const notification = this.#build(orderId, {});
    this.deliveries.deliver(notification, { ...PLAIN_DELIVERY, copies: 0, probe: true });
    return { notificationId: notification.id };
  }

  /** The notification delivered again, same id and body, freshly signed; plain unless `delivery` says otherwise (queued faults are left alone). */
  replayNotification(notificationId: string, delivery?: Partial<DeliveryPlan>): { notificationId: string; replay: number } {
    return this.deliveries.replay(notificationId, { ...PLAIN_DELIVERY, ...delivery });
  }

  /** A signed notification that is not delivered. */
  buildNotification(orderId: string, request: NotificationRequest = {}): SignedNotification {
    const notification = this.#build(orderId, request);
    return { ...notification, headers: this.signing.headers(notification.body) };
  }

  #build(orderId: string, request: NotificationRequest) {
    const order = this.orders.get(orderId);
    // Orders are only ever created by registered accounts.
    const account = this.accounts.get(order.mchid)!;
    const clock = this.options.clock;
    return buildNotification({
      id: this.#ids.notificationId(),
      createdAt: clock(),
      order,
      // An unpaid order has no payment yet; a USER_PAID sent for it on purpose reports a fresh one.
      payment: order.payment ?? { transactionId: this.#ids.transactionId(), paidAt: clock() },
      apiV3Key: account.apiV3Key,
      request,
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
