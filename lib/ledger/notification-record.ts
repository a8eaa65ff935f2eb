/** How a verified, decrypted notification lands in the ledger. */
import type { OrderKey } from './order-key';

/** Event types that move an order's state, by rank: a lower rank never overwrites a higher one. */
export const STATE_EVENT_RANKS: Readonly<Record<string, number>> = {
  'PAYSCORE.USER_CONFIRM': 1,
  'PAYSCORE.USER_PAID': 2,
};

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
  order: OrderKey | undefined;
  /** The account it was verified for. */
  mchid: string;
}

/** `applied`: a new state; `late`: recorded, but the order already has a later state; `duplicate`: seen before, nothing written. */
export type NotificationOutcome = 'applied' | 'late' | 'duplicate' | 'recorded';
