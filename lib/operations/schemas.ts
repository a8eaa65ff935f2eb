/**
 * The request bodies of the plan, user-sign-plan and service-order routes (README "Routes"),
 * by account kind: what the functions validate with, field by field, before anything is signed.
 * Path parameters and `?sub_mchid=` join the body before validation (lib/handlers/operations.ts),
 * so that one schema judges the whole request. Limits are WeChat Pay's own pages' (docs/wechatpay/).
 */
import * as v from 'valibot';
import { characters, closedObject, location, mchid, merchantNumber, notifyUrl, text, timeRange, withPartnerIdentity, type Schema } from '../service-order/schema';

const integer = v.pipe(v.number(), v.integer('must be an integer'));
/** An amount in fen. */
const fen = v.pipe(integer, v.minValue(0, 'must not be negative'));
const positive = v.pipe(integer, v.minValue(1, 'must be at least 1'));

/** Plan and sign-plan numbers: digits, letters and `_-*` (the pre-sign page's rule; no page gives another for plans). */
const planNumber = merchantNumber('_*-', '_ - *');
/** A service order's number in a path: what either account's create accepts. */
const orderNumber = merchantNumber('_*|-', '_ - | *');

/** The partner forms name the sub-merchant (body, or `?sub_mchid=`). */
const partner = { sub_mchid: mchid };

/** Merchant and partner schemas of one route. */
export type Schemas<M, P> = { merchant: Schema<M>; partner: Schema<P> };

const both = <const E extends v.ObjectEntries>(entries: E) => ({
  merchant: closedObject(entries),
  partner: closedObject({ ...entries, ...partner }),
});

// ── plans ──

const planDetail = closedObject({
  original_price: fen,
  plan_discount_description: v.optional(characters(1, 30)),
  actual_price: fen,
  plan_detail_name: characters(1, 20),
});

const planFields = {
  service_id: text(32),
  appid: text(32),
  plan_name: characters(1, 20),
  plan_duration: positive,
  deduction_quantity: positive,
  total_original_price: fen,
  total_actual_price: fen,
  plan_detail_list: v.pipe(v.array(planDetail), v.minLength(1, 'must list at least one plan detail'), v.maxLength(100, 'must list at most 100 plan details')),
  merchant_plan_no: planNumber,
};

export const planCreate = {
  merchant: closedObject(planFields),
  partner: closedObject({ ...planFields, ...partner, sub_appid: v.optional(text(32)) }),
};

/** GET, sync and stop name the plan in the path. */
export const planByNumber = both({ merchant_plan_no: planNumber });

// ── user sign plans ──

const signPlanDetail = closedObject({ plan_detail_no: positive, merchant_plan_detail_no: planNumber });

const userSignPlanFields = {
  service_id: text(32),
  plan_id: text(32),
  appid: text(32),
  merchant_sign_plan_no: planNumber,
  notify_url: notifyUrl,
  sign_plan_detail: v.pipe(v.array(signPlanDetail), v.minLength(1, 'must list the plan details'), v.maxLength(100, 'must list at most 100 plan details')),
};

export const userSignPlanCreate = {
  merchant: closedObject({ ...userSignPlanFields, openid: text(128) }),
  partner: withPartnerIdentity(
    closedObject({ ...userSignPlanFields, ...partner, sub_appid: v.optional(text(32)), openid: v.optional(text(128)), sub_openid: v.optional(text(128)) }),
  ),
};

export const userSignPlanByNumber = both({ merchant_sign_plan_no: planNumber });

export const userSignPlanStop = both({ merchant_sign_plan_no: planNumber, stop_reason: characters(1, 50) });

// ── service orders ──

const postPayment = closedObject({ name: characters(1, 20), amount: fen, description: v.optional(characters(1, 30)), count: v.optional(positive) });
const postDiscount = closedObject({ name: characters(1, 20), description: characters(1, 30), amount: fen, count: v.optional(positive) });

/** What names an order's service at WeChat Pay; by default the ledger's, from the order's create. */
const orderNames = { service_id: v.optional(text(32)), appid: v.optional(text(32)) };
const partnerOrderNames = { service_id: v.optional(text(32)) };

const completeFields = {
  out_order_no: orderNumber,
  post_payments: v.optional(v.pipe(v.array(postPayment), v.minLength(1, 'must list at least one payment'), v.maxLength(100, 'must list at most 100 payments'))),
  post_discounts: v.optional(v.pipe(v.array(postDiscount), v.maxLength(30, 'must list at most 30 discounts'))),
  total_amount: v.optional(fen),
  time_range: v.optional(timeRange),
  location: v.optional(location),
  profit_sharing: v.optional(v.boolean()),
  goods_tag: v.optional(text(32)),
};

export const serviceOrderComplete = {
  merchant: closedObject({ ...completeFields, ...orderNames }),
  partner: closedObject({ ...completeFields, ...partnerOrderNames, ...partner }),
};

export const serviceOrderCancel = {
  merchant: closedObject({ out_order_no: orderNumber, reason: characters(1, 50), ...orderNames }),
  partner: closedObject({ out_order_no: orderNumber, reason: characters(1, 50), ...partnerOrderNames, ...partner }),
};

export const serviceOrderSync = {
  merchant: closedObject({ out_order_no: orderNumber, ...orderNames }),
  partner: closedObject({ out_order_no: orderNumber, ...partnerOrderNames, ...partner }),
};

export const serviceOrderByNumber = both({ out_order_no: orderNumber });
