import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CERTIFICATES_PATH } from '../../lib/wechatpay';
import type { DevWechatpayKeys } from '../keys';
import { ApiError, notFound } from './api-error';
import { handleCertificates } from './certificates-route';
import { handleControl } from './control-routes';
import { handleApi, matchApiRoute } from './api-routes';
import type { DeliveryPlan, DeliveryRecord } from './deliveries';
import type { Fault, FaultInput } from './faults';
import { sendJson } from './http';
import { planResource } from './sign-plan';
import type { NotificationRequest } from './notification';
import type { DeductionPlan, SandboxOrder } from './order';
import { resolveOptions, type SandboxOptions } from './options';
import { certificateInfo, SandboxCore, type PlatformCertificateInfo, type SeededSignPlan, type SeedSignPlan, type SendNotification, type SignedNotification } from './sandbox-core';
import type { CancelSignType } from './sign-plan';

/** A running sandbox: its URL, and in-process control mirroring the `/sandbox/…` routes. */
export interface Sandbox {
  /** `http://127.0.0.1:PORT`: use as WECHATPAY_BASE_URL. */
  readonly url: string;
  /** The key WeChat Pay signs with here. */
  readonly wechatpay: DevWechatpayKeys;
  /** Stops the server, every delivery and timer; hung answers are dropped. */
  close(): Promise<void>;
  orders(): SandboxOrder[];
  order(orderId: string): SandboxOrder;
  /** The plans, as WeChat Pay answers them. */
  plans(): Record<string, unknown>[];
  /** The user sign plans, as WeChat Pay answers them. */
  signPlans(): Record<string, unknown>[];
  signPlan(signPlanId: string): Record<string, unknown>;
  /** A plan and a SIGNED user sign plan of it, at once and without a notification: ready for orders. */
  seedSignPlan(seed: SeedSignPlan): SeededSignPlan;
  /** The user signs: SIGNED, and PAYSCORE.USER_SIGN_PLAN to the sign plan's notify_url. */
  signSignPlan(signPlanId: string, delivery?: Partial<DeliveryPlan>): { notificationId: string };
  /** The user cancels (or revokes the service): SIGN_PLAN_CANCEL, and PAYSCORE.USER_CANCEL_SIGN_PLAN. */
  userCancelSignPlan(signPlanId: string, cancel?: { reason?: string; type?: Exclude<CancelSignType, 'MERCHANT'>; delivery?: Partial<DeliveryPlan> }): { notificationId: string };
  /** The merchant's complete at the plan detail's price; the sandbox deducts `deductAfterMs` later. Returns the id of the PAYSCORE.USER_PAID to come. */
  completeOrder(orderId: string, delivery?: Partial<DeliveryPlan>): { notificationId: string };
  /** Deducts a completed order now: DONE, and PAYSCORE.USER_PAID. */
  deductNow(orderId: string): { notificationId: string };
  /** The deduction succeeds `afterMs` from now (or from the completion to come). */
  deductLate(orderId: string, afterMs: number): { orderId: string; deduction: DeductionPlan };
  /** The deduction fails: the order stays USER_PAYING until `deductNow`. */
  stayPaying(orderId: string): { orderId: string; deduction: DeductionPlan };
  /** The user confirms: CREATED → DOING (USER_CONFIRM), and PAYSCORE.USER_CONFIRM (a later one leaves the state). */
  confirmOrder(orderId: string, delivery?: Partial<DeliveryPlan>): { notificationId: string };
  /** Delivers any notification about the order. */
  sendNotification(orderId: string, notification?: SendNotification): { notificationId: string };
  /** Delivers a `WECHATPAY/SIGNTEST/` probe alone, once. */
  sendProbe(orderId: string): { notificationId: string };
  /** Delivers a sent notification again (same id and body, fresh signature); its records have `replay` 1, 2, …. */
  replayNotification(notificationId: string, delivery?: Partial<DeliveryPlan>): { notificationId: string; replay: number };
  /** From now on, every delivery goes to `url` instead of the order's notify_url; null undoes it. */
  forward(url: string | null): { url: string | null };
  forwarding(): { url: string | null };
  /** A signed notification about the order, not delivered. */
  buildNotification(orderId: string, notification?: NotificationRequest): SignedNotification;
  injectFault(fault: FaultInput): Fault;
  faults(): Fault[];
  clearFaults(): void;
  deliveries(notificationId?: string): DeliveryRecord[];
  /** Resolves with the notification's deliveries once each is delivered, failed or cancelled. */
  waitForDelivery(notificationId: string): Promise<DeliveryRecord[]>;
  /** Resolves when no delivery is pending (a deduction still to come is not a delivery). */
  idle(): Promise<void>;
  /** The platform certificates `GET /v3/certificates` lists now. */
  certificates(): PlatformCertificateInfo[];
  /** Publishes a new platform certificate, which signs in certificate mode from now on. */
  rotateCertificate(): Promise<PlatformCertificateInfo>;
}

/** Starts the WeChat Pay sandbox on `host:port` (default 127.0.0.1, any free port). */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const core = new SandboxCore(resolveOptions(options));
  const server = createServer((request, response) => {
    route(core, request, response).catch((error: unknown) => {
      core.options.log(`sandbox failure on ${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) sendJson(response, 500, JSON.stringify(new ApiError(500, 'SYSTEM_ERROR', 'sandbox failure; see its log')));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(core.options.port, core.options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${core.options.host}:${port}`;
  core.options.log(`WeChat Pay sandbox on ${url}`);
  let closing: Promise<void> | undefined;
  return {
    url,
    wechatpay: core.options.wechatpay,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        core.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => core.deliveries.idle())),
    orders: () => structuredClone(core.lifecycle.orders()),
    order: (orderId) => structuredClone(core.lifecycle.orderById(orderId)),
    plans: () => core.lifecycle.plans().map(planResource),
    signPlans: () => core.lifecycle.signPlans().map((signPlan) => core.signPlanView(signPlan)),
    signPlan: (signPlanId) => core.signPlanView(core.lifecycle.signPlanById(signPlanId)),
    seedSignPlan: (seed) => core.seedSignPlan(seed),
    signSignPlan: (signPlanId, delivery) => core.signSignPlan(signPlanId, delivery),
    userCancelSignPlan: (signPlanId, cancel) => core.userCancelSignPlan(signPlanId, cancel),
    completeOrder: (orderId, delivery) => core.completeOrder(orderId, delivery),
    deductNow: (orderId) => core.deductNow(orderId),
    deductLate: (orderId, afterMs) => core.deductLate(orderId, afterMs),
    stayPaying: (orderId) => core.stayPaying(orderId),
    confirmOrder: (orderId, delivery) => core.confirmOrder(orderId, delivery),
    sendNotification: (orderId, notification) => core.sendNotification(orderId, notification),
    sendProbe: (orderId) => core.sendProbe(orderId),
    replayNotification: (notificationId, delivery) => core.replayNotification(notificationId, delivery),
    forward: (url) => core.deliveries.forward(url),
    forwarding: () => core.deliveries.forwarding(),
    buildNotification: (orderId, notification) => core.buildNotification(orderId, notification),
    injectFault: (fault) => core.faults.add(fault),
    faults: () => core.faults.pending(),
    clearFaults: () => core.faults.clear(),
    deliveries: (notificationId) => core.deliveries.list(notificationId),
    waitForDelivery: (notificationId) => core.waitForDelivery(notificationId),
    idle: () => core.deliveries.idle(),
    certificates: () => core.certificates.list().map(certificateInfo),
    rotateCertificate: () => core.rotateCertificate(),
  };
}

async function route(core: SandboxCore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://sandbox');
  const api = matchApiRoute(request.method ?? '', url.pathname);
  if (api) return handleApi(core, api, request, response, url.searchParams);
  if (url.pathname === CERTIFICATES_PATH && request.method === 'GET') return handleCertificates(core, request, response);
  if (url.pathname.startsWith('/sandbox/')) return handleControl(core, request, response, url);
  const error = notFound(`no route ${request.method} ${url.pathname}`);
  sendJson(response, error.status, JSON.stringify(error));
}
