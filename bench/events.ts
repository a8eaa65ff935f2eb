/** The invocations a benchmark sends: genuine signed notifications and fresh create requests. */
import { randomUUID } from 'node:crypto';
import { httpApiEvent } from '../test/helpers/events';
import { buildNotification } from '../test/helpers/notifications';
import { merchantOrder } from '../test/helpers/orders';
import type { TestWorld } from '../test/helpers/accounts';

export type BenchEvent = ReturnType<typeof httpApiEvent>;

/** A notification for an order of its own: each one is a new ledger item, as in production. */
export const notificationEvent = (keys: TestWorld): BenchEvent =>
  httpApiEvent(buildNotification(keys.wechatpay, keys.merchant, { plaintext: { out_order_no: randomUUID().replace(/-/g, '') } }));

export const notificationEvents = (keys: TestWorld, count: number): BenchEvent[] => Array.from({ length: count }, () => notificationEvent(keys));

/** Cycles through a pool of events (signatures stay within their 300 s window for the run). */
export function cycle<T>(pool: readonly T[]): () => T {
  let next = 0;
  return () => pool[next++ % pool.length]!;
}

/** A create request on a sign plan of its own, so the sandbox accepts each one. */
export const createOrderEvent = (): BenchEvent => httpApiEvent({ body: JSON.stringify(merchantOrder()) }, '/merchant/service-orders');
