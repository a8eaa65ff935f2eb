import type { PlanRequest, UserSignPlanRequest } from './schemas';
import { rfc3339Time } from './wechat-time';

export type PlanState = 'NORMAL' | 'STOP';
export type SignState = 'UNSIGNED' | 'SIGNED' | 'SIGN_PLAN_CANCEL' | 'COMPLETE' | 'EXPIRE';
export type PlanDetailState = 'NOT_USED' | 'USING' | 'USED' | 'SIGN_PLAN_DETAIL_CANCEL';
export type CancelSignType = 'USER' | 'MERCHANT' | 'REVOKE_SERVICE';

/** A plan (支付分计划): the template of N paid services. */
export interface SandboxPlan {
  planId: string;
  mchid: string;
  request: PlanRequest;
  state: PlanState;
  createdAt: number;
  stop?: { mchid: string; at: number };
}

/** One plan detail of a user's sign plan. */
export interface SignedDetail {
  planDetailNo: number;
  merchantPlanDetailNo: string;
  state: PlanDetailState;
  orderId?: string;
  /** The completed order's total_amount: what the user pays. */
  actualPayPrice?: number;
  useTime?: number;
  completeTime?: number;
  cancelTime?: number;
}

/** A user's sign plan (用户的签约计划). */
export interface UserSignPlan {
  signPlanId: string;
  mchid: string;
  planId: string;
  request: UserSignPlanRequest;
  /** As stored; EXPIRE is decided on reading, by the clock (see `signState`). */
  state: Exclude<SignState, 'EXPIRE'>;
  createdAt: number;
  /** The `package` the signing page opens with, valid two hours. */
  package: string;
  signTime?: number;
  cancel?: { at: number; type: CancelSignType; reason: string };
  details: SignedDetail[];
  /** The order in service (CREATED or DOING), if any. */
  openOrderId?: string;
  /** 0 until a detail is used; then the latest detail that has an order. */
  goingDetailNo: number;
}

const DAY_MS = 86_400_000;
/** The signing page's package is valid two hours (the pre-sign page). */
export const PACKAGE_VALIDITY_MS = 2 * 3_600_000;

/** When a signed plan runs out: plan_duration days from signing. */
export const planOverTime = (signPlan: UserSignPlan, plan: SandboxPlan): number | undefined =>
  signPlan.signTime === undefined ? undefined : signPlan.signTime + plan.request.plan_duration * DAY_MS;

/** The sign state now: a SIGNED plan past its plan_over_time is EXPIRE; an UNSIGNED one whose package ran out is EXPIRE too. */
export function signState(signPlan: UserSignPlan, plan: SandboxPlan, now: number): SignState {
  if (signPlan.state === 'SIGNED' && now > planOverTime(signPlan, plan)!) return 'EXPIRE';
  if (signPlan.state === 'UNSIGNED' && now > signPlan.createdAt + PACKAGE_VALIDITY_MS) return 'EXPIRE';
  return signPlan.state;
}

const detailsOf = (plan: SandboxPlan) =>
  plan.request.plan_detail_list.map((detail, index) => ({
    plan_detail_no: index + 1,
    plan_detail_name: detail.plan_detail_name,
    original_price: detail.original_price,
    ...(detail.plan_discount_description !== undefined ? { plan_discount_description: detail.plan_discount_description } : {}),
    actual_price: detail.actual_price,
  }));

/** The plan as WeChat Pay answers it (create, query and stop). */
export function planResource(plan: SandboxPlan): Record<string, unknown> {
  const { request } = plan;
  return {
    plan_id: plan.planId,
    service_id: request.service_id,
    mchid: plan.mchid,
    ...(request.sub_mchid !== undefined ? { sub_mchid: request.sub_mchid, ...(request.sub_appid ? { sub_appid: request.sub_appid } : {}) } : {}),
    appid: request.appid,
    merchant_plan_no: request.merchant_plan_no,
    plan_name: request.plan_name,
    plan_duration: request.plan_duration,
    plan_state: plan.state,
    total_original_price: request.total_original_price,
    deduction_quantity: request.deduction_quantity,
    total_actual_price: request.total_actual_price,
    plan_detail_list: detailsOf(plan),
    ...(plan.stop ? { stop_mchid: plan.stop.mchid, stop_time: rfc3339Time(plan.stop.at) } : {}),
  };
}

/** The user's sign plan as WeChat Pay answers it, and as USER_SIGN_PLAN / USER_CANCEL_SIGN_PLAN carry it. */
export function signPlanResource(signPlan: UserSignPlan, plan: SandboxPlan, now: number): Record<string, unknown> {
  const request = signPlan.request as UserSignPlanRequest & { sub_mchid?: string; sub_appid?: string; openid?: string; sub_openid?: string };
  const prices = detailsOf(plan);
  const overTime = planOverTime(signPlan, plan);
  return {
    sign_plan_id: signPlan.signPlanId,
    ...(request.openid !== undefined ? { openid: request.openid } : {}),
    ...(request.sub_openid !== undefined ? { sub_openid: request.sub_openid } : {}),
    service_id: request.service_id,
    mchid: signPlan.mchid,
    ...(request.sub_mchid !== undefined ? { sub_mchid: request.sub_mchid } : {}),
    appid: request.appid,
    ...(request.sub_appid !== undefined ? { sub_appid: request.sub_appid } : {}),
    merchant_sign_plan_no: request.merchant_sign_plan_no,
    merchant_callback_url: request.notify_url,
    plan_id: signPlan.planId,
    going_detail_no: signPlan.goingDetailNo,
    sign_state: signState(signPlan, plan, now),
    ...(signPlan.cancel ? { cancel_sign_time: rfc3339Time(signPlan.cancel.at), cancel_reason: signPlan.cancel.reason } : {}),
    cancel_sign_type: signPlan.cancel?.type ?? 'NOT_CANCEL',
    plan_name: plan.request.plan_name,
    // Before signing, the furthest it could run: plan_duration days from now.
    plan_over_time: rfc3339Time(overTime ?? now + plan.request.plan_duration * DAY_MS),
    total_origin_price: plan.request.total_original_price,
    deduction_quantity: plan.request.deduction_quantity,
    total_actual_price: plan.request.total_actual_price,
    signed_detail_list: signPlan.details.map((detail) => {
      const price = prices[detail.planDetailNo - 1]!;
      return {
        plan_detail_no: detail.planDetailNo,
        original_price: price.original_price,
        ...(price.plan_discount_description !== undefined ? { plan_discount_description: price.plan_discount_description } : {}),
        actual_price: price.actual_price,
        plan_detail_state: detail.state,
        ...(detail.orderId !== undefined ? { order_id: detail.orderId } : {}),
        merchant_plan_detail_no: detail.merchantPlanDetailNo,
        plan_detail_name: price.plan_detail_name,
        ...(detail.actualPayPrice !== undefined ? { actual_pay_price: detail.actualPayPrice } : {}),
        ...(detail.useTime !== undefined ? { use_time: rfc3339Time(detail.useTime) } : {}),
        ...(detail.completeTime !== undefined ? { complete_time: rfc3339Time(detail.completeTime) } : {}),
        ...(detail.cancelTime !== undefined ? { cancel_time: rfc3339Time(detail.cancelTime) } : {}),
      };
    }),
    ...(signPlan.signTime !== undefined ? { sign_time: rfc3339Time(signPlan.signTime) } : {}),
  };
}
