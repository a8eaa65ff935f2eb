/**
 * What the GET routes answer, and what the checks before WeChat Pay read: ledger objects as a
 * caller wants them, without the ledger's own bookkeeping, and a user sign plan's details with
 * the state their orders give them.
 */
import { serviceOrderKey, userSignPlanKey, type UserSignPlanKey } from '../ledger/keys';
import type { LedgerRecord } from '../ledger/ledger';
import { PLAN_DETAIL_STATES, SERVICE_ORDER_STATES } from '../ledger/states';
import type { OperationsLedger } from './operation';

/** The ledger's keys, versions and index attributes: how it keeps an object, not what the object is. */
const BOOKKEEPING = new Set(['pk', 'sk', 'version', 'pending_pk', 'pending_since', 'create_request', 'create_response']);
/** Attributes kept as JSON text (their numbers exactly as WeChat Pay wrote them). */
const JSON_TEXT = new Set(['collection', 'plan_detail_list']);

/** An item as a caller reads it. */
export function itemView(item: Record<string, unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (BOOKKEEPING.has(name)) continue;
    view[name] = JSON_TEXT.has(name) && typeof value === 'string' ? JSON.parse(value) : value;
  }
  return view;
}

/** An object with what the ledger holds about it: its notifications and intents, in short. */
export function recordView(record: LedgerRecord): Record<string, unknown> | undefined {
  if (!record.object) return undefined;
  return {
    ...itemView(record.object),
    notifications: record.notifications.map((item) => pick(item, ['id', 'event_type', 'create_time', 'received_at'])),
    intents: record.intents.map((item) => pick(item, ['operation', 'status', 'created_at', 'completed_at', 'completed_by', 'http_status'])),
  };
}

const pick = (item: Record<string, unknown>, names: string[]) => Object.fromEntries(names.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]));

/** What an order's state says of its plan detail: in service, used, or given up. */
const DETAIL_STATE_OF_ORDER: Record<string, string> = { CREATED: 'USING', DOING: 'USING', DONE: 'USED', REVOKED: 'SIGN_PLAN_DETAIL_CANCEL', EXPIRED: 'SIGN_PLAN_DETAIL_CANCEL' };

export interface DetailStatus {
  planDetailNo: number;
  /** The later of the detail's own state and the one its order gives it. */
  state: string;
  merchantPlanDetailNo: string | undefined;
  outOrderNo: string | undefined;
  item: Record<string, unknown>;
  order: Record<string, unknown> | undefined;
}

export interface SignPlanStatus {
  record: LedgerRecord;
  details: DetailStatus[];
}

/**
 * A user sign plan with each detail's order. A notification tells the order's state, not the
 * detail's, so a detail is as far as either says (states never move backwards).
 */
export async function signPlanStatus(ledger: OperationsLedger, key: UserSignPlanKey): Promise<SignPlanStatus> {
  const record = await ledger.read(userSignPlanKey(key));
  const details = await Promise.all(
    record.details.map(async (item) => {
      const outOrderNo = typeof item.out_order_no === 'string' ? item.out_order_no : undefined;
      const order = outOrderNo === undefined ? undefined : await ledger.item(serviceOrderKey({ ...key, outOrderNo }));
      const own = String(item.state);
      const given = typeof order?.state === 'string' && order.state in SERVICE_ORDER_STATES.ranks ? DETAIL_STATE_OF_ORDER[order.state]! : own;
      return {
        planDetailNo: Number(item.plan_detail_no),
        state: (PLAN_DETAIL_STATES.ranks[given] ?? 0) > (PLAN_DETAIL_STATES.ranks[own] ?? 0) ? given : own,
        merchantPlanDetailNo: typeof item.merchant_plan_detail_no === 'string' ? item.merchant_plan_detail_no : undefined,
        outOrderNo,
        item,
        order,
      };
    }),
  );
  return { record, details };
}

/** A user sign plan as the GET route answers it: its details in order, each with its order and what was paid. */
export function signPlanView(status: SignPlanStatus): Record<string, unknown> | undefined {
  const view = recordView(status.record);
  if (!view) return undefined;
  return {
    ...view,
    details: status.details
      .sort((a, b) => a.planDetailNo - b.planDetailNo)
      .map((detail) => ({
        ...itemView(detail.item),
        state: detail.state,
        ...(detail.order ? { order: orderSummary(detail.order) } : {}),
      })),
  };
}

function orderSummary(order: Record<string, unknown>): Record<string, unknown> {
  const collection = typeof order.collection === 'string' ? (JSON.parse(order.collection) as Record<string, unknown>) : undefined;
  return pick({ ...order, collection_state: collection?.state, paid_amount: collection?.paid_amount }, ['out_order_no', 'order_id', 'state', 'state_description', 'collection_state', 'paid_amount']);
}
