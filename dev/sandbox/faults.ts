import * as v from 'valibot';
import type { DeliveryPlan } from './deliveries';
import type { SignatureFault } from './response-signing';

/** How the next create answers go wrong. */
export const CREATE_FAULT_KINDS = ['systemError', 'hang', 'unsigned', 'badSignature', 'staleTimestamp'] as const;
export type CreateFaultKind = (typeof CREATE_FAULT_KINDS)[number];

const count = v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)), 1);

/**
 * A fault for the next `count` create answers or notifications:
 * - `systemError`: 500 SYSTEM_ERROR, the order is not created;
 * - `hang`: the order is created but the answer never comes (until close), like a timeout after commit;
 * - `unsigned`, `badSignature`, `staleTimestamp` (10 min old): the order is created, the answer's signature is spoiled;
 * - `duplicateDelivery` / `concurrentDelivery`: the notification is delivered `copies` times, one after the other / at once;
 * - `probe`: a `WECHATPAY/SIGNTEST/` probe with the same body precedes the notification.
 */
export const faultSchema = v.variant('kind', [
  v.strictObject({ kind: v.picklist(CREATE_FAULT_KINDS), count }),
  v.strictObject({ kind: v.picklist(['duplicateDelivery', 'concurrentDelivery']), copies: v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(100)), count }),
  v.strictObject({ kind: v.literal('probe'), count }),
]);

export type Fault = v.InferOutput<typeof faultSchema>;
export type FaultInput = v.InferInput<typeof faultSchema>;

export const isSignatureFault = (kind: CreateFaultKind | undefined): kind is SignatureFault =>
  kind === 'unsigned' || kind === 'badSignature' || kind === 'staleTimestamp';

type CreateFault = Extract<Fault, { kind: CreateFaultKind }>;
type DeliveryFault = Exclude<Fault, CreateFault>;

const isCreateFault = (fault: Fault): fault is CreateFault => (CREATE_FAULT_KINDS as readonly string[]).includes(fault.kind);
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

  takeCreateFault(): CreateFaultKind | undefined {
    return this.#take(isCreateFault)?.kind;
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
