/** The invocations a benchmark sends: genuine signed notifications and fresh create requests. */
import { randomUUID } from 'node:crypto';
import { httpApiEvent } from '../test/helpers/events';
import { buildNotification } from '../test/helpers/notifications';
import { merchantOrder, SEED_MERCHANT_ORDER } from '../test/helpers/orders';
import type { TestWorld } from '../test/helpers/accounts';

export type BenchEvent = ReturnType<typeof httpApiEvent>;

const uniqueNumber = () => randomUUID().replace(/-/g, '');

/** A notification for an order of its own: each one is a new ledger item, as in production. */
export const notificationEvent = (keys: TestWorld): BenchEvent =>
  httpApiEvent(buildNotification(keys.wechatpay, keys.merchant, { plaintext: { out_order_no: uniqueNumber() } }));

export const notificationEvents = (keys: TestWorld, count: number): BenchEvent[] => Array.from({ length: count }, () => notificationEvent(keys));

/** Cycles through a pool of events (signatures stay within their 300 s window for the run). */
export function cycle<T>(pool: readonly T[]): () => T {
  let next = 0;
  return () => pool[next++ % pool.length]!;
}

/** A create request on a sign plan of its own, so the sandbox accepts each one. */
export const createOrderEvent = (): BenchEvent => httpApiEvent({ body: JSON.stringify(merchantOrder()) }, '/merchant/service-orders');

/** A direct merchant's plan of three details under a number of its own, so the sandbox creates each one. */
export const planRequest = (): Record<string, unknown> => ({
  service_id: SEED_MERCHANT_ORDER.service_id,
  appid: SEED_MERCHANT_ORDER.appid,
  plan_name: 'bench plan',
  plan_duration: 30,
  deduction_quantity: 3,
  total_original_price: 300,
  total_actual_price: 300,
  plan_detail_list: [1, 2, 3].map((n) => ({ original_price: 100, actual_price: 100, plan_detail_name: `detail ${n}` })),
  merchant_plan_no: `P${uniqueNumber().slice(0, 31)}`,
});

/** The lifecycle function's benchmarked route: a plan's create. */
export const planCreateEvent = (): BenchEvent => httpApiEvent({ body: JSON.stringify(planRequest()) }, '/merchant/plans');
