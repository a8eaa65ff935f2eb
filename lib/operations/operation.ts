/**
 * One route of the product as data (README "Routes"): its path, its schema, the WeChat Pay call
 * it makes and what the ledger records of the answer. lib/handlers/operations.ts runs any of
 * them the same way, so that one more WeChat Pay operation is one more entry.
 */
import type { Account, ItemKey } from '../ledger/keys';
import type { IntentOperation, Ledger } from '../ledger/ledger';
import type { ChangeSource } from '../ledger/states';
import type { LogAttributes } from '../log';
import type { Schema } from '../service-order/schema';

export type AccountKind = 'merchant' | 'partner';

/** What the entries and their handler use of the ledger. */
export type OperationsLedger = Pick<Ledger, 'writeIntent' | 'completeIntent' | 'item' | 'read' | 'applyChange' | 'recordCreatedOrder' | 'recordSignPlanId' | 'signPlanOf'>;

/** A validated call, as an entry sees it. */
export interface OperationCall<R> {
  kind: AccountKind;
  /** The account the function acts for (its secret's mchid) and, for a partner, the request's sub-merchant. */
  account: Account;
  request: R;
  /** ISO 8601: when the call was received (the injected clock). */
  at: string;
  /** What a query's answer is recorded as: `sync` (the route, the default) or `reconciliation` (the scheduled run). */
  source?: QuerySource;
}

export type QuerySource = Extract<ChangeSource, 'sync' | 'reconciliation'>;

/** The request to WeChat Pay: its method, its path with any query, its JSON body. */
export interface WechatpayRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: Record<string, unknown>;
}

/** A verified answer. */
export interface VerifiedAnswer {
  status: number;
  /** Exactly as received: the bytes its signature covers. */
  text: string;
  json: Record<string, unknown>;
  requestId: string | undefined;
}

/** What every entry has. `K` is what the entry reads from the ledger before it calls (its `prepare`). */
interface Entry<R> {
  /** For logs and metrics: `plan.create`, `service-order.complete`, … */
  name: string;
  method: 'GET' | 'POST';
  /** Under `/{account}`; `{name}` path parameters join the request under their name. */
  route: string;
  schema: Record<AccountKind, Schema<R>>;
  /** The ledger object the call is about. */
  object(call: OperationCall<R>): ItemKey;
  /** What its log lines say of the call: numbers, and users only by reference (lib/log.ts `userReference`). */
  logFields?(call: OperationCall<R>): LogAttributes;
}

/** A route answered from the ledger alone. */
export interface ReadOperation<R = never> extends Entry<R> {
  type: 'read';
  /** The answer's body; undefined when the ledger holds no such object (404). */
  read(ledger: OperationsLedger, call: OperationCall<R>): Promise<unknown>;
}

/** A route that asks WeChat Pay (and, with `intent`, changes something there). */
export interface CallOperation<R = never, K = unknown> extends Entry<R> {
  type: 'call';
  /** Written ahead (PENDING) under this name before the call: only operations that create or change something. */
  intent?: IntentOperation;
  /** Filled in when the body omits them (a `notify_url` from NOTIFY_URL). */
  defaults?(environment: { notifyUrl: string | undefined }): Record<string, unknown>;
  /** What the ledger knows that the call needs or forbids; throws a ConflictError (409) for a rule the call would break. */
  prepare?(ledger: OperationsLedger, call: OperationCall<R>): Promise<K>;
  /**
   * Like `prepare`, for what the request to WeChat Pay does not depend on (a create's sign-plan
   * rules): read while the intent is written, one round trip instead of two. An entry has one or the other.
   */
  check?(ledger: OperationsLedger, call: OperationCall<R>): Promise<K>;
  wechatpay(call: OperationCall<R>, known: K): WechatpayRequest;
  /** The answer's fields that must be what was asked (read in `answerObject` of the answer when given). */
  about(call: OperationCall<R>, known: K): Record<string, string | undefined>;
  /** The answer's member that holds the object (a pre-sign answers `{sign_plan, package}`). */
  answerObject?: string;
  /** What the ledger records of a verified answer about the call; what it says of it is logged (`new`, `existing`; a query's `applied` or `unchanged`). */
  record(ledger: OperationsLedger, answer: VerifiedAnswer, call: OperationCall<R>, known: K): Promise<string | void>;
}

// `any`: an entry list holds entries of different request types; each entry is checked where it is written.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Operation = ReadOperation<any> | CallOperation<any, any>;

/** The account's key parts of a call (a partner's sub-merchant, a merchant's none). */
export const subMchidOf = (request: unknown): string | undefined => (request as { sub_mchid?: string }).sub_mchid;
