/**
 * Create requests as the seeds give them (docs/wechatpay/seeds/), each on a sign plan
 * of its own. The sandbox takes orders only for a SIGNED user sign plan, detail by
 * detail, with `out_trade_no` the detail's `merchant_plan_detail_no`: after
 * `signPlansIn(world, sandbox)`, every sign plan these helpers make is seeded, SIGNED,
 * in that sandbox (three details, numbered by `detailTradeNo`).
 */
import { randomUUID } from 'node:crypto';
import type { Sandbox } from '../../dev/sandbox';
import { readJsonVector } from './vectors';

/** The merchant seed's `json` object, byte for byte the derived vector's body. */
export const SEED_MERCHANT_ORDER: Record<string, unknown> = JSON.parse(
  readJsonVector<{ post_create_sign_plan_serviceorder: { body: string } }>('derived/request_signatures.json').post_create_sign_plan_serviceorder.body,
);

/** The partner seed's sub-merchant. */
export const SEED_SUB_MCHID = '1900000109';

const unique = (length: number) => randomUUID().replace(/-/g, '').slice(0, length).toUpperCase();

interface Target {
  sandbox: Pick<Sandbox, 'seedSignPlan'>;
  mchids: Record<'merchant' | 'partner', string>;
}

/** The sandboxes of this test file that sign plans are seeded in (vitest gives each file its own module). */
const targets: Target[] = [];

/** Every sign plan made from now on (`newSignPlan`, `merchantOrder`, `partnerOrder`) is also seeded, SIGNED, in `sandbox`, for `world`'s accounts. */
export function signPlansIn(world: { merchant: { mchid: string }; partner: { mchid: string } }, ...sandboxes: Pick<Sandbox, 'seedSignPlan'>[]): void {
  for (const sandbox of sandboxes) targets.push({ sandbox, mchids: { merchant: world.merchant.mchid, partner: world.partner.mchid } });
}

/** A detail's merchant_plan_detail_no on a sign plan made here: what its order's out_trade_no must be. */
export const detailTradeNo = (signPlanId: string, planDetailNo: number): string => `${signPlanId.slice(0, 24)}-${planDetailNo}`;

/** A fresh sign plan id of three details, SIGNED in every sandbox given to `signPlansIn`. */
export function newSignPlan(kind: 'merchant' | 'partner' = 'merchant', subMchid = SEED_SUB_MCHID): string {
  const signPlanId = unique(32);
  for (const { sandbox, mchids } of targets) {
    try {
      sandbox.seedSignPlan({
        mchid: mchids[kind],
        ...(kind === 'partner' ? { sub_mchid: subMchid } : {}),
        sign_plan_id: signPlanId,
        merchant_plan_detail_nos: [1, 2, 3].map((n) => detailTradeNo(signPlanId, n)),
      });
    } catch (error) {
      // A sandbox without that account takes none of its orders anyway.
      if ((error as { code?: string }).code !== 'NOT_FOUND') throw error;
    }
  }
  return signPlanId;
}

/**
 * An order body on `overrides.sign_plan_id` (default a new sign plan) at `overrides.plan_detail_no`
 * (default 1), with that detail's out_trade_no unless overridden.
 */
export function orderOn(base: Record<string, unknown>, overrides: Record<string, unknown>, newPlan: () => string): Record<string, unknown> {
  const signPlanId = typeof overrides.sign_plan_id === 'string' ? overrides.sign_plan_id : newPlan();
  const detail = overrides.plan_detail_no;
  const planDetailNo = typeof detail === 'number' && Number.isInteger(detail) && detail > 0 && detail < 1e6 ? detail : 1;
  return { ...base, sign_plan_id: signPlanId, plan_detail_no: 1, out_trade_no: detailTradeNo(signPlanId, planDetailNo), ...overrides };
}

/** The seed, on a sign plan of its own, at plan detail 1 unless `overrides` say otherwise. */
export function merchantOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return orderOn(SEED_MERCHANT_ORDER, overrides, () => newSignPlan('merchant'));
}

/**
 * The partner seed. It gives both openid and sub_openid, which SPEC forbids
 * ("exactly one of"), so this keeps sub_openid with sub_appid and drops openid.
 */
export function partnerOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { openid, ...rest } = SEED_MERCHANT_ORDER;
  const base = { ...rest, sub_mchid: SEED_SUB_MCHID, sub_appid: 'wxd678efh567hg6999', sub_openid: openid };
  const subMchid = typeof overrides.sub_mchid === 'string' ? overrides.sub_mchid : SEED_SUB_MCHID;
  return orderOn(base, overrides, () => newSignPlan('partner', subMchid));
}
