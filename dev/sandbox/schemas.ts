/**
 * Field rules of the WeChat Pay endpoints beyond the create (the research file's
 * "Endpoints" tables and the official pages' lengths): what answers 400 PARAM_ERROR.
 */
import * as v from 'valibot';
import { isHttpsUrl } from '../../lib/service-order/notify-url';

const text = (max: number) => v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(max, `must be at most ${max} characters`));
/** Merchant numbers: digits, letters and `_-*` (and `|` where the pages allow it), at most 32. */
const merchantNo = (extra = '') => v.pipe(text(32), v.regex(new RegExp(`^[0-9A-Za-z_\\-*${extra}]+$`), `may hold only digits, letters and _-*${extra}`));
const fen = v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(0, 'must not be negative'));
const positive = v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'));
const notifyUrl = v.pipe(v.string(), v.maxLength(1024, 'must be at most 1024 characters'), v.check(isHttpsUrl, 'must be an https URL'));

const planDetail = v.strictObject({
  original_price: fen,
  plan_discount_description: v.optional(text(30)),
  actual_price: fen,
  plan_detail_name: text(20),
});

const planFields = {
  service_id: text(32),
  appid: text(32),
  plan_name: text(20),
  plan_duration: positive,
  deduction_quantity: positive,
  total_original_price: fen,
  total_actual_price: fen,
  plan_detail_list: v.pipe(v.array(planDetail), v.minLength(1, 'must list at least one plan detail'), v.maxLength(100, 'must list at most 100 plan details')),
  merchant_plan_no: merchantNo(),
};

export const merchantPlanSchema = v.strictObject(planFields);
export const partnerPlanSchema = v.strictObject({ ...planFields, sub_mchid: text(32), sub_appid: v.optional(text(32)) });
export type PlanRequest = v.InferOutput<typeof merchantPlanSchema> & { sub_mchid?: string; sub_appid?: string };

const signPlanDetail = v.strictObject({ plan_detail_no: positive, merchant_plan_detail_no: merchantNo() });

const userSignPlanFields = {
  service_id: text(32),
  plan_id: text(32),
  appid: text(32),
  merchant_sign_plan_no: merchantNo(),
  notify_url: notifyUrl,
  sign_plan_detail: v.pipe(v.array(signPlanDetail), v.minLength(1, 'must list the plan details')),
};

export const merchantUserSignPlanSchema = v.strictObject({ ...userSignPlanFields, openid: text(128) });

/** Exactly one of openid / sub_openid, and sub_openid needs sub_appid (the partner page). */
export const partnerUserSignPlanSchema = v.pipe(
  v.strictObject({ ...userSignPlanFields, sub_mchid: text(32), sub_appid: v.optional(text(32)), openid: v.optional(text(128)), sub_openid: v.optional(text(128)) }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const request = dataset.value;
    const at = (key: string): [v.ObjectPathItem] => [{ type: 'object', origin: 'value', input: request, key, value: (request as Record<string, unknown>)[key] }];
    if ((request.openid === undefined) === (request.sub_openid === undefined)) addIssue({ message: 'exactly one of openid and sub_openid is required', path: at('openid') });
    else if (request.sub_openid !== undefined && request.sub_appid === undefined) addIssue({ message: 'is required when sub_openid is given', path: at('sub_appid') });
  }),
);
export type UserSignPlanRequest = v.InferOutput<typeof merchantUserSignPlanSchema> | v.InferOutput<typeof partnerUserSignPlanSchema>;

/** A direct plan stop has no body; the partner's names the sub-merchant. */
export const merchantPlanStopSchema = v.strictObject({});
export const partnerPlanStopSchema = v.strictObject({ sub_mchid: text(32) });

const stopReason = text(50);
export const merchantSignPlanStopSchema = v.strictObject({ stop_reason: stopReason });
export const partnerSignPlanStopSchema = v.strictObject({ sub_mchid: text(32), stop_reason: stopReason });

const postPayment = v.strictObject({ name: text(20), amount: fen, description: v.optional(text(30)), count: v.optional(positive) });
const postDiscount = v.strictObject({ name: text(20), description: text(30), amount: fen, count: v.optional(positive) });
const timeRange = v.strictObject({ start_time: v.optional(text(14)), end_time: v.optional(text(14)), start_time_remark: v.optional(text(20)), end_time_remark: v.optional(text(20)) });
const location = v.strictObject({ start_location: v.optional(text(50)), end_location: v.optional(text(50)) });

const completeFields = {
  service_id: text(32),
  post_payments: v.pipe(v.array(postPayment), v.minLength(1, 'must list at least one payment'), v.maxLength(100, 'must list at most 100 payments')),
  post_discounts: v.optional(v.pipe(v.array(postDiscount), v.maxLength(30, 'must list at most 30 discounts'))),
  total_amount: fen,
  time_range: v.optional(timeRange),
  location: v.optional(location),
  profit_sharing: v.optional(v.boolean()),
  goods_tag: v.optional(text(32)),
};

export const merchantCompleteSchema = v.strictObject({ ...completeFields, appid: text(32) });
export const partnerCompleteSchema = v.strictObject({ ...completeFields, sub_mchid: text(32) });
export type CompleteRequest = v.InferOutput<typeof merchantCompleteSchema> | v.InferOutput<typeof partnerCompleteSchema>;

export const merchantCancelSchema = v.strictObject({ appid: text(32), service_id: text(32), reason: text(50) });
export const partnerCancelSchema = v.strictObject({ service_id: text(32), sub_mchid: text(32), reason: text(50) });
export type CancelRequest = v.InferOutput<typeof merchantCancelSchema> | v.InferOutput<typeof partnerCancelSchema>;

/** A merchant number in a path (`merchant_plan_no`, `out_order_no`, …). */
export const pathNumber = merchantNo('|');
