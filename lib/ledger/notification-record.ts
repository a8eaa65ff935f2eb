/** How a verified, decrypted notification lands in the ledger. */
import type { ServiceOrderKey, UserSignPlanKey } from './keys';

/** Event types about a service order's state (SPEC "Receiving a deduction notification"). */
export const SERVICE_ORDER_EVENTS: ReadonlySet<string> = new Set(['PAYSCORE.USER_CONFIRM', 'PAYSCORE.USER_PAID']);

/** Event types about a user sign plan's state: their plaintext is the whole sign plan, details included. */
export const USER_SIGN_PLAN_EVENTS: ReadonlySet<string> = new Set(['PAYSCORE.USER_SIGN_PLAN', 'PAYSCORE.USER_CANCEL_SIGN_PLAN']);

export interface ReceivedNotification {
  id: string;
  eventType: string;
  /** As WeChat Pay sent it. */
  createTime: string;
  /** ISO 8601, when this system accepted it. */
  receivedAt: string;
  /** The decrypted resource exactly as WeChat Pay sent it, and parsed. */
  plaintext: { text: string; fields: Record<string, unknown> };
  /** The order it is about; undefined when the plaintext names none (other event types). */
  order: ServiceOrderKey | undefined;
  /** The user sign plan it is about (its `merchant_sign_plan_no`); undefined when the plaintext names none. */
  signPlan?: UserSignPlanKey | undefined;
  /** The account it was verified for. */
  mchid: string;
}

/**
 * `applied`: it moved the order (or user sign plan); `late`: recorded, but the object already has a later state or newer data;
 * `duplicate`: seen before (another copy recorded it); `recorded`: kept, about no state the ledger orders.
 */
export type NotificationOutcome = 'applied' | 'late' | 'duplicate' | 'recorded';
