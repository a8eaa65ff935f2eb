/**
 * SPEC "Events": what one change of a ledger item (a DynamoDB stream record, its images before and
 * after) tells the merchant's other systems. Pure: no AWS call, no clock, no randomness, so that a
 * retried record gives the same event, id included.
 *
 * An event is published when an object's status changes: its `state`, and for a service order also
 * its `state_description` while DOING (confirmed by the user, completed by the merchant) and its
 * `collection.state` (USER_PAYING, USER_PAID). Notifications and intents are items of their own and
 * give none; neither does a newer message in the same status, nor a plan detail's first NOT_USED
 * (every detail starts so when the plan is signed: the sign plan's own event says it).
 */
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { isJsonObject } from '../wechatpay/json';
import { jsonField } from '../ledger/plaintext';

export const EVENT_SOURCE = 'payscore.sign-plan';

/** The ledger's object kinds that publish events (lib/ledger/ledger.ts `ObjectKind`). */
export type EventObject = 'SERVICE_ORDER' | 'USER_SIGN_PLAN' | 'USER_SIGN_PLAN_DETAIL' | 'PLAN';

export interface LedgerEvent {
  /** EventBridge `detail-type`: the object and its new status. */
  detailType: string;
  /** EventBridge `time`: when the ledger recorded the change (the item's `changed_at`). */
  time: string | undefined;
  detail: LedgerEventDetail;
}

export interface LedgerEventDetail {
  /** The same for every delivery of this change: a consumer drops the duplicates by it. */
  event_id: string;
  object: EventObject;
  account: { mchid: string; sub_mchid?: string };
  /** The object's numbers (out_order_no, order_id, merchant_sign_plan_no, …), those the ledger holds. */
  [number: string]: unknown;
  state: string;
  /** null when the ledger had no item before (its first change). */
  previous_state: string | null;
  /** Amounts in fen, when the object has any (a service order's collection, a plan's or a plan detail's prices). */
  amounts?: Record<string, unknown>;
  change: { source: string | undefined; source_id: string | undefined; changed_at: string | undefined };
}

type Item = Record<string, unknown>;

/** What of an item makes its status: each change of any of these is an event. */
type Status = Record<string, string | null>;

interface ObjectEvents {
  status(item: Item): Status;
  /** The detail-type of a status; undefined: no event for it. */
  detailType(status: Status): string | undefined;
  /** Attributes copied into the detail as they are. */
  numbers: readonly string[];
  amounts(item: Item): Record<string, unknown> | undefined;
}

const text = (item: Item, name: string): string | undefined => (typeof item[name] === 'string' ? (item[name] as string) : undefined);
const stateOnly = (item: Item): Status => ({ state: text(item, 'state') ?? null });
const byState = (types: Record<string, string>) => ({ state }: Status) => (state ? types[state] : undefined);

/** A number of the ledger: exact as the JSON text has it (a JavaScript number may not hold it). */
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;
const exactNumber = (value: number | string): unknown => (typeof value === 'number' ? value : rawJson(value));

/** The collection's JSON text, parsed; undefined when absent or not an object. */
function collectionOf(item: Item): { text: string; fields: Record<string, unknown> } | undefined {
  const collection = text(item, 'collection');
  if (collection === undefined) return undefined;
  try {
    const fields: unknown = JSON.parse(collection);
    return isJsonObject(fields) ? { text: collection, fields } : undefined;
  } catch {
    return undefined;
  }
}

const COLLECTION_AMOUNTS = ['total_amount', 'paying_amount', 'paid_amount'] as const;

const serviceOrder: ObjectEvents = {
  status(item) {
    const state = text(item, 'state') ?? null;
    const collection = collectionOf(item)?.fields.state;
    return {
      state,
      // Only while DOING does it name a stage (USER_CONFIRM, MCH_COMPLETE).
      state_description: state === 'DOING' ? (text(item, 'state_description') ?? null) : null,
      collection_state: typeof collection === 'string' ? collection : null,
    };
  },
  detailType({ state, state_description: description, collection_state: collection }) {
    switch (state) {
      case 'CREATED':
        return 'Service Order Created';
      case 'DOING':
        return description === 'USER_CONFIRM' ? 'Service Order Confirmed' : description === 'MCH_COMPLETE' ? 'Service Order Completed' : 'Service Order In Progress';
      case 'DONE':
        return collection === 'USER_PAID' ? 'Service Order Paid' : 'Service Order Done';
      case 'REVOKED':
        return 'Service Order Cancelled';
      case 'EXPIRED':
        return 'Service Order Expired';
      default:
        return undefined;
    }
  },
  numbers: ['out_order_no', 'order_id', 'service_id'],
  amounts(item) {
    const collection = collectionOf(item);
    if (!collection) return undefined;
    const amounts = COLLECTION_AMOUNTS.flatMap((name) =>
      // jsonField gives the number exactly as WeChat Pay wrote it, even beyond 2^53.
      typeof collection.fields[name] === 'number' ? [[name, exactNumber(jsonField(collection.text, collection.fields, name)!)] as const] : [],
    );
    return amounts.length ? Object.fromEntries(amounts) : undefined;
  },
};

/** The amounts an item holds as attributes of its own (numbers, or exact text beyond 2^53). */
const amountAttributes =
  (names: readonly string[]) =>
  (item: Item): Record<string, unknown> | undefined => {
    const amounts = names.filter((name) => item[name] !== undefined).map((name) => [name, exactNumber(item[name] as number | string)] as const);
    return amounts.length ? Object.fromEntries(amounts) : undefined;
  };

const OBJECTS: Record<EventObject, ObjectEvents> = {
  SERVICE_ORDER: serviceOrder,
  USER_SIGN_PLAN: {
    status: stateOnly,
    detailType: byState({
      UNSIGNED: 'User Sign Plan Created',
      SIGNED: 'User Sign Plan Signed',
      COMPLETE: 'User Sign Plan Completed',
      SIGN_PLAN_CANCEL: 'User Sign Plan Cancelled',
      EXPIRE: 'User Sign Plan Expired',
    }),
    numbers: ['merchant_sign_plan_no', 'sign_plan_id', 'plan_id', 'service_id', 'going_detail_no'],
    amounts: () => undefined,
  },
  USER_SIGN_PLAN_DETAIL: {
    status: stateOnly,
    detailType: byState({ USING: 'User Sign Plan Detail Using', USED: 'User Sign Plan Detail Used', SIGN_PLAN_DETAIL_CANCEL: 'User Sign Plan Detail Cancelled' }),
    numbers: ['merchant_sign_plan_no', 'plan_detail_no', 'merchant_plan_detail_no', 'order_id'],
    amounts: amountAttributes(['original_price', 'actual_price', 'actual_pay_price']),
  },
  PLAN: {
    status: stateOnly,
    detailType: byState({ NORMAL: 'Plan Created', STOP: 'Plan Stopped' }),
    numbers: ['merchant_plan_no', 'plan_id', 'service_id'],
    amounts: amountAttributes(['total_original_price', 'total_actual_price']),
  },
};

const isEventObject = (kind: unknown): kind is EventObject => typeof kind === 'string' && Object.hasOwn(OBJECTS, kind);

/** A stream image as plain values; a number no JavaScript number holds stays its exact text. */
const plain = (image: Record<string, unknown> | undefined): Item | undefined =>
  image && unmarshall(image as Record<string, AttributeValue>, { wrapNumbers: (value) => (Number.isSafeInteger(Number(value)) ? Number(value) : value) });

const sameStatus = (a: Status, b: Status): boolean => Object.keys(a).every((name) => a[name] === b[name]);

/**
 * The event id: a hash of the item's key and its new `version`, which the ledger changes on every
 * write that moves the object and never twice alike (each write needs a greater one).
 */
export function eventId(pk: string, sk: string, version: string): string {
  return createHash('sha256').update(`${pk}\u0000${sk}\u0000${version}`).digest('hex').slice(0, 32);
}

/** The event of one stream record; undefined when the change is none of an object's status. */
export function ledgerEvent(record: DynamoDBRecord): LedgerEvent | undefined {
  const after = plain(record.dynamodb?.NewImage);
  if (!after || (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') || !isEventObject(after.kind)) return undefined;
  const object = OBJECTS[after.kind];
  const before = plain(record.dynamodb?.OldImage);
  const status = object.status(after);
  const previous = before && before.kind === after.kind ? object.status(before) : undefined;
  if (status.state === null || (previous && sameStatus(status, previous))) return undefined;
  const detailType = object.detailType(status);
  if (detailType === undefined) return undefined;

  const { state, ...rest } = status;
  const previousStatus = Object.fromEntries(Object.keys(status).map((name) => [`previous_${name}`, previous?.[name] ?? null]));
  const numbers = Object.fromEntries(object.numbers.filter((name) => after[name] !== undefined).map((name) => [name, after[name]]));
  const amounts = object.amounts(after);
  const subMchid = text(after, 'sub_mchid');
  const changedAt = text(after, 'changed_at');
  return {
    detailType,
    time: changedAt,
    detail: {
      event_id: eventId(String(after.pk), String(after.sk), text(after, 'version') ?? JSON.stringify(status)),
      object: after.kind,
      account: { mchid: String(after.mchid), ...(subMchid === undefined ? {} : { sub_mchid: subMchid }) },
      ...numbers,
      state: state!,
      ...rest,
      ...(previousStatus as { previous_state: string | null }),
      ...(amounts ? { amounts } : {}),
      change: { source: text(after, 'source'), source_id: text(after, 'source_id'), changed_at: changedAt },
    },
  };
}
