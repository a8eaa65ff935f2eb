import * as v from 'valibot';
import type { DeliveryPlan } from './deliveries';
import type { SignatureFault } from './response-signing';

/** How the next create answers go wrong. */
export const CREATE_FAULT_KINDS = ['systemError', 'hang', 'unsigned', 'badSignature', 'staleTimestamp'] as const;
export type CreateFaultKind = (typeof CREATE_FAULT_KINDS)[number];

const count = v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)), 1);

/** The fields by which a create answer names the order it is about. */
export const ORDER_IDENTITY_FIELDS = ['out_order_no', 'mchid', 'sub_mchid', 'service_id'] as const;

/**
 * A fault for the next `count` create answers or notifications:
 * - `systemError`: 500 SYSTEM_ERROR, the order is not created;
 * - `hang`: the order is created but the answer never comes (until close), like a timeout after commit;
 * - `unsigned`, `badSignature`, `staleTimestamp` (10 min old): the order is created, the answer's signature is spoiled;
 * - `duplicateDelivery` / `concurrentDelivery`: the notification is delivered `copies` times, one after the other / at once;
 * - `otherOrder`: the order is created, and the answer, correctly signed, is about another order (`field` differs);
 * - `probe`: a `WECHATPAY/SIGNTEST/` probe with the same body precedes the notification.
 */
export const faultSchema = v.variant('kind', [
  v.strictObject({ kind: v.picklist(CREATE_FAULT_KINDS), count }),
  v.strictObject({ kind: v.picklist(['duplicateDelivery', 'concurrentDelivery']), copies: v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(100)), count }),
  v.strictObject({ kind: v.literal('otherOrder'), field: v.picklist(ORDER_IDENTITY_FIELDS), count }),
  v.strictObject({ kind: v.literal('probe'), count }),
]);

export type Fault = v.InferOutput<typeof faultSchema>;
export type FaultInput = v.InferInput<typeof faultSchema>;

export const isSignatureFault = (kind: string | undefined): kind is SignatureFault =>
  kind === 'unsigned' || kind === 'badSignature' || kind === 'staleTimestamp';

export type CreateFault = Extract<Fault, { kind: CreateFaultKind | 'otherOrder' }>;
type DeliveryFault = Exclude<Fault, CreateFault>;

const isCreateFault = (fault: Fault): fault is CreateFault => fault.kind === 'otherOrder' || (CREATE_FAULT_KINDS as readonly string[]).includes(fault.kind);

/** The answer `json` as about another order: `field` changed (or added, for a `sub_mchid` the order has none of). */
export function otherOrderAnswer(json: Record<string, unknown>, field: (typeof ORDER_IDENTITY_FIELDS)[number]): Record<string, unknown> {
  const value = json[field];
  return { ...json, [field]: typeof value === 'string' ? `${value.slice(0, 31)}${value.endsWith('9') ? '8' : '9'}` : '1900000999' };
}
const isDeliveryFault = (fault: Fault): fault is DeliveryFault => !isCreateFault(fault);

/** Faults waiting to happen: each create answer, and each notification, takes at most one, first in first out. */
export class FaultQueue {
  #faults: Fault[] = [];

  add(fault: FaultInput): Fault {
    const parsed = v.parse(faultSchema, fault);
    this.#faults.push(parsed);
    return parsed;
  }

  pending(): Fault[] {
    return this.#faults.map((fault) => ({ ...fault }));
  }

  clear(): void {
    this.#faults = [];
  }

  takeCreateFault(): CreateFault | undefined {
    return this.#take(isCreateFault);
  }

  /** The plan for the next notification: plain unless a delivery fault is waiting. */
  takeDeliveryPlan(): Partial<DeliveryPlan> {
    const fault = this.#take(isDeliveryFault);
    if (!fault) return {};
    return fault.kind === 'probe' ? { probe: true } : { copies: fault.copies, concurrent: fault.kind === 'concurrentDelivery' };
  }

  #take<T extends Fault>(matches: (fault: Fault) => fault is T): T | undefined {
    const index = this.#faults.findIndex(matches);
    if (index < 0) return undefined;
    const fault = this.#faults[index] as T;
    if (fault.count > 1) this.#faults[index] = { ...fault, count: fault.count - 1 };
    else this.#faults.splice(index, 1);
    return fault;
  }
}
