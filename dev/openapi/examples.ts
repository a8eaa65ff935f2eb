/**
 * One example request per route and account: the service-order create is the README's body (the
 * merchant seed's `json`, docs/wechatpay/seeds/), the others are made of the seeds' values. The
 * test judges each by the document and by the functions: every one must be valid.
 */
import { readFileSync } from 'node:fs';
import type { AccountKind } from '../../lib/operations/operation';

export interface RequestExample {
  summary: string;
  path?: Record<string, string>;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
}

/** The README's create body, from the first JSON block of its section. */
export function readmeCreateBody(): Record<string, unknown> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### `POST /merchant/service-orders`'));
  const block = /```json\n([\s\S]*?)\n```/.exec(section);
  if (!block) throw new Error('README: no JSON block under "### `POST /merchant/service-orders`"');
  return JSON.parse(block[1]!) as Record<string, unknown>;
}

/** The partner seed's own values (docs/wechatpay/seeds/partner-create-service-order.txt). */
export const PARTNER_SEED = { sub_mchid: '1900000109', sub_appid: 'wxd678efh567hg6999', sub_openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' };

const MERCHANT_PLAN_NO = 'PLAN20261204001';
const MERCHANT_SIGN_PLAN_NO = 'SIGN20261204001';

export function requestExamples(): Record<AccountKind, Record<string, RequestExample>> {
  const seed = readmeCreateBody();
  const { service_id, appid, openid, notify_url, out_trade_no } = seed as Record<string, string>;
  const prices = [3000, 2500, 2000];
  const plan = {
    service_id,
    appid,
    plan_name: '羽毛球课3节',
    plan_duration: 30,
    deduction_quantity: prices.length,
    total_original_price: 7500,
    total_actual_price: 7500,
    plan_detail_list: prices.map((price, index) => ({ original_price: price, actual_price: price, plan_detail_name: `第${index + 1}节` })),
    merchant_plan_no: MERCHANT_PLAN_NO,
  };
  const signPlan = {
    service_id,
    plan_id: '1000000000000001',
    appid,
    merchant_sign_plan_no: MERCHANT_SIGN_PLAN_NO,
    notify_url,
    sign_plan_detail: prices.map((_price, index) => ({ plan_detail_no: index + 1, merchant_plan_detail_no: `${String(out_trade_no).slice(0, -1)}${index + 1}` })),
  };
  const byPlan = { merchant_plan_no: MERCHANT_PLAN_NO };
  const bySignPlan = { merchant_sign_plan_no: MERCHANT_SIGN_PLAN_NO };
  const byOrder = { out_order_no: String(out_trade_no) };
  const payment = { post_payments: [{ name: '第2节', amount: 2500, count: 1 }], total_amount: 2500 };
  const merchant: Record<string, RequestExample> = {
    'service-order.create': { summary: "The README's body: the merchant seed's `json`", body: seed },
    'plan.create': { summary: 'A plan of three lessons', body: plan },
    'plan.get': { summary: "The plan's record in the ledger", path: byPlan },
    'plan.sync': { summary: 'The plan as WeChat Pay has it, into the ledger', path: byPlan },
    'plan.stop': { summary: 'Stop the plan', path: byPlan },
    'user-sign-plan.create': { summary: 'Pre-sign the plan for one user', body: { ...signPlan, openid } },
    'user-sign-plan.get': { summary: "The sign plan's record, each detail with its order", path: bySignPlan },
    'user-sign-plan.sync': { summary: 'The sign plan as WeChat Pay has it, into the ledger', path: bySignPlan },
    'user-sign-plan.stop': { summary: "Cancel the user's sign plan", path: bySignPlan, body: { stop_reason: '不再需要' } },
    'service-order.complete': { summary: 'Complete the order with what the user pays', path: byOrder, body: payment },
    'service-order.cancel': { summary: 'Cancel the order', path: byOrder, body: { reason: '用户取消' } },
    'service-order.sync': { summary: 'The order as WeChat Pay has it, into the ledger', path: byOrder },
    'service-order.get': { summary: "The order's record: its notifications and intents", path: byOrder },
  };
  const { openid: _openid, ...partnerOrder } = seed;
  const { sub_mchid, sub_appid, sub_openid } = PARTNER_SEED;
  const partner: Record<string, RequestExample> = Object.fromEntries(
    Object.entries(merchant).map(([name, example]) => [
      name,
      // A partner names its sub-merchant: in the body of a POST, in the query of a GET (either works for a POST).
      example.body === undefined ? { ...example, query: { sub_mchid } } : { ...example, body: { ...example.body, sub_mchid } },
    ]),
  );
  partner['service-order.create'] = {
    summary: 'The partner seed, with `sub_openid` alone (the seed gives `openid` too: exactly one is allowed)',
    body: { ...partnerOrder, sub_mchid, sub_appid, sub_openid },
  };
  partner['plan.create'] = { summary: 'A plan of three lessons for a sub-merchant', body: { ...plan, sub_mchid } };
  partner['user-sign-plan.create'] = { summary: "Pre-sign the plan for one of the sub-merchant's users", body: { ...signPlan, sub_mchid, sub_appid, sub_openid } };
  return { merchant, partner };
}
