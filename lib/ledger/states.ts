/**
 * The states of each ledger object and the order of changes (SPEC "The ledger":
 * no state ever moves backwards; within one state an older message never
 * overwrites a newer one's data).
 */
import { encodeComponent } from './keys';

export interface StateMachine {
  /** Forward order: a state never gives way to a lower rank. */
  ranks: Readonly<Record<string, number>>;
  /** Final: only a newer message in the same state may change the data. */
  terminal: readonly string[];
}

export const SERVICE_ORDER_STATES: StateMachine = {
  ranks: { CREATED: 1, DOING: 2, DONE: 3, REVOKED: 3, EXPIRED: 3 },
  terminal: ['DONE', 'REVOKED', 'EXPIRED'],
};

/** `collection.state` moves forward too: a deduction once paid is never paying again. */
export const COLLECTION_RANKS: Readonly<Record<string, number>> = { USER_PAYING: 1, USER_PAID: 2 };

export const USER_SIGN_PLAN_STATES: StateMachine = {
  ranks: { UNSIGNED: 1, SIGNED: 2, COMPLETE: 3, SIGN_PLAN_CANCEL: 3, EXPIRE: 3 },
  terminal: ['COMPLETE', 'SIGN_PLAN_CANCEL', 'EXPIRE'],
};

export const PLAN_DETAIL_STATES: StateMachine = {
  ranks: { NOT_USED: 1, USING: 2, USED: 3, SIGN_PLAN_DETAIL_CANCEL: 3 },
  terminal: ['USED', 'SIGN_PLAN_DETAIL_CANCEL'],
};

export const PLAN_STATES: StateMachine = { ranks: { NORMAL: 1, STOP: 2 }, terminal: ['STOP'] };

/** Where a change came from (SPEC: every change records it). */
export type ChangeSource = 'create' | 'notification' | 'sync' | 'reconciliation' | 'stop' | 'cancel' | 'complete';

export interface ChangeOrder {
  state: string;
  /** A second forward order inside the state (a service order's `collection.state`); 0 when none. */
  subRank?: number;
  /** When WeChat Pay said it: a notification's `create_time`, or when WeChat Pay was asked. */
  at: string;
  /** Breaks ties between messages of the same time: a notification id, or the source. */
  tieBreak: string;
}

/** `create_time` is RFC 3339 with an offset; compared in UTC. Unreadable sorts before any time (older than everything). */
export function utcTime(time: string): string {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/**
 * One string whose byte order is the order of changes: rank, sub-rank, time,
 * tie-break (encoded: storable whatever a notification id holds). `#` sorts below every digit,
 * so an empty time is the oldest.
 * Undefined for a state the machine does not know (nothing to order it by).
 */
export function changeVersion(machine: StateMachine, change: ChangeOrder): string | undefined {
  const rank = machine.ranks[change.state];
  if (rank === undefined) return undefined;
  return `${rank}#${change.subRank ?? 0}#${utcTime(change.at)}#${encodeComponent(change.tieBreak)}`;
}
