/** Create requests as the seeds give them (docs/wechatpay/seeds/), for a fresh sign plan each time. */
import { randomUUID } from 'node:crypto';
import { readJsonVector } from './vectors';

/** The merchant seed's `json` object, byte for byte the derived vector's body. */
export const SEED_MERCHANT_ORDER: Record<string, unknown> = JSON.parse(
  readJsonVector<{ post_create_sign_plan_serviceorder: { body: string } }>('derived/request_signatures.json').post_create_sign_plan_serviceorder.body,
);

const unique = (length: number) => randomUUID().replace(/-/g, '').slice(0, length).toUpperCase();

/** The seed, on a sign plan of its own, at plan detail `planDetailNo`. */
export function merchantOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...SEED_MERCHANT_ORDER, sign_plan_id: unique(32), out_trade_no: unique(20), plan_detail_no: 1, ...overrides };
}

/**
 * The partner seed. It gives both openid and sub_openid, which SPEC forbids
 * ("exactly one of"), so this keeps sub_openid with sub_appid and drops openid.
 */
export function partnerOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { openid, ...rest } = merchantOrder();
  return { ...rest, sub_mchid: '1900000109', sub_appid: 'wxd678efh567hg6999', sub_openid: openid, ...overrides };
}
