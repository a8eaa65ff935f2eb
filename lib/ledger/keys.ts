/**
 * Where each ledger item lives (SPEC "The ledger": keys that cannot collide
 * whatever characters the numbers hold). One partition per object, holding the
 * object's item and everything about it (its notifications, its intents, a
 * sign plan's details), so that one Query reads it whole.
 */

/** Which account an object belongs to: a direct merchant, or a service provider acting for a sub-merchant. */
export interface Account {
  mchid: string;
  subMchid?: string | undefined;
}

export interface ServiceOrderKey extends Account {
  outOrderNo: string;
}

export interface UserSignPlanKey extends Account {
  merchantSignPlanNo: string;
}

export interface PlanKey extends Account {
  merchantPlanNo: string;
}

export interface ItemKey {
  pk: string;
  sk: string;
}

/**
 * `#` separates components and `/` the sub-merchant, so both are escaped inside
 * a component, `%` too (the escape itself), and every surrogate code unit (a lone
 * one, which a JSON `\ud800` escape can produce, is not storable text). Fixed-width
 * escapes keep it injective: two different components never encode alike.
 */
export const encodeComponent = (component: string): string =>
  component.replace(/[%#/\uD800-\uDFFF]/g, (unit) => `%${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);

/** The account as one key component: `mchid`, or `mchid/sub_mchid`. */
export const accountComponent = ({ mchid, subMchid }: Account): string =>
  subMchid === undefined ? encodeComponent(mchid) : `${encodeComponent(mchid)}/${encodeComponent(subMchid)}`;

const objectPartition = (kind: string, account: Account, number: string): string => `${kind}#${accountComponent(account)}#${encodeComponent(number)}`;

const decodeComponent = (component: string): string => component.replace(/%([0-9A-F]{4})/g, (_, code: string) => String.fromCharCode(parseInt(code, 16)));

/** What an object's partition names: its kind, account and number (the inverse of the keys below); undefined for any other partition. */
export function partitionObject(pk: string): { kind: 'SERVICE_ORDER' | 'USER_SIGN_PLAN' | 'PLAN'; account: Account; number: string } | undefined {
  const parts = pk.split('#');
  const [kind, account, number] = parts;
  if (parts.length !== 3 || (kind !== 'SERVICE_ORDER' && kind !== 'USER_SIGN_PLAN' && kind !== 'PLAN')) return undefined;
  const [mchid, subMchid, ...rest] = account!.split('/');
  if (rest.length > 0) return undefined;
  return { kind, account: { mchid: decodeComponent(mchid!), ...(subMchid === undefined ? {} : { subMchid: decodeComponent(subMchid) }) }, number: decodeComponent(number!) };
}

export const serviceOrderKey = (key: ServiceOrderKey): ItemKey => ({ pk: objectPartition('SERVICE_ORDER', key, key.outOrderNo), sk: 'SERVICE_ORDER' });

export const userSignPlanKey = (key: UserSignPlanKey): ItemKey => ({ pk: objectPartition('USER_SIGN_PLAN', key, key.merchantSignPlanNo), sk: 'USER_SIGN_PLAN' });

/** A plan detail of a user sign plan: numbered from 1, zero-padded so that the details sort in order. */
export const userSignPlanDetailKey = (key: UserSignPlanKey, planDetailNo: number): ItemKey => ({
  pk: userSignPlanKey(key).pk,
  sk: `DETAIL#${String(planDetailNo).padStart(4, '0')}`,
});

export const planKey = (key: PlanKey): ItemKey => ({ pk: objectPartition('PLAN', key, key.merchantPlanNo), sk: 'PLAN' });

/** Finds a user sign plan by WeChat Pay's `sign_plan_id` (what a service order names): a reference item of its own. */
export const signPlanIdKey = (account: Account, signPlanId: string): ItemKey => ({ pk: objectPartition('SIGN_PLAN_ID', account, signPlanId), sk: 'SIGN_PLAN_ID' });

/** A notification, in the partition of the object it is about. */
export const notificationKey = (object: ItemKey, notificationId: string): ItemKey => ({ pk: object.pk, sk: `NOTIFICATION#${encodeComponent(notificationId)}` });

/** A notification about no object the ledger models: a partition of its own. */
export const unattachedNotificationKey = (mchid: string, notificationId: string): ItemKey =>
  notificationKey({ pk: `NOTIFICATION#${encodeComponent(mchid)}#${encodeComponent(notificationId)}`, sk: '' }, notificationId);

/** The write-ahead intent of one operation on an object (`create`, `complete`, `cancel`, `stop`). */
export const intentKey = (object: ItemKey, operation: string): ItemKey => ({ pk: object.pk, sk: `INTENT#${operation}` });

/** What can be open, and so found by the pending index. */
export type PendingKind = 'INTENT' | 'SERVICE_ORDER' | 'USER_SIGN_PLAN';

/**
 * The pending index's partition: one account's open items of one kind. The account is the mchid the
 * functions act for (a service provider's covers all its sub-merchants), as one reconciliation run has it.
 */
export const pendingPartition = (mchid: string, kind: PendingKind): string => `${encodeComponent(mchid)}#${kind}`;
