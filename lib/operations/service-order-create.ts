/**
 * The service-order create (a plan detail's order) and the checks before it. Apart from
 * service-orders.ts so that the create function's bundle holds none of the lifecycle's schemas.
 */
import { ConflictError } from '../errors';
import { serviceOrderKey, userSignPlanDetailKey, type UserSignPlanKey } from '../ledger/keys';
import type { StateChange } from '../ledger/ledger';
import { PLAN_DETAIL_STATES } from '../ledger/states';
import { userReference } from '../log';
import { merchantServiceOrderSchema, partnerServiceOrderSchema, type ServiceOrderRequest } from '../service-order/schema';
import { SERVICE_ORDER_PATHS } from '../service-order/wechatpay-paths';
import type { CallOperation, OperationCall, OperationsLedger, VerifiedAnswer } from './operation';
import { signPlanStatus } from './views';

/** Where a create links its order: the sign plan and the detail, when the ledger holds them. */
interface CreateKnown {
  signPlan: UserSignPlanKey | undefined;
}

export const createServiceOrder: CallOperation<ServiceOrderRequest, CreateKnown> = {
  type: 'call',
  name: 'service-order.create',
  method: 'POST',
  route: '/service-orders',
  schema: { merchant: merchantServiceOrderSchema, partner: partnerServiceOrderSchema },
  intent: 'create',
  defaults: ({ notifyUrl }) => ({ notify_url: notifyUrl }),
  object: (call) => serviceOrderKey({ ...call.account, outOrderNo: call.request.out_trade_no }),
  logFields: (call) => ({ out_trade_no: call.request.out_trade_no, user_ref: userReference((call.request.openid ?? (call.request as { sub_openid?: string }).sub_openid)!) }),
  check: checkSignPlanRules,
  wechatpay: (call) => ({ method: 'POST', path: SERVICE_ORDER_PATHS[call.kind], body: call.request }),
  about: (call) => ({ out_order_no: call.request.out_trade_no, mchid: call.account.mchid, sub_mchid: call.account.subMchid, service_id: call.request.service_id }),
  async record(ledger, answer, call, known) {
    const key = { ...call.account, outOrderNo: call.request.out_trade_no };
    const detail = known.signPlan && detailUsing(known.signPlan, call, answer);
    const [created] = await Promise.all([
      ledger.recordCreatedOrder({
        key,
        request: JSON.stringify(call.request),
        response: answer.text,
        wechatpayRequestId: answer.requestId,
        at: call.at,
        ...(known.signPlan ? { merchantSignPlanNo: known.signPlan.merchantSignPlanNo } : {}),
      }),
      detail && ledger.applyChange(detail),
    ]);
    return created;
  },
};

/**
 * SPEC "Checks before WeChat Pay": for a sign plan the ledger holds, the rules WeChat Pay would
 * apply, answered at once (409, nothing sent). For one it does not hold, WeChat Pay decides.
 */
async function checkSignPlanRules(ledger: OperationsLedger, call: OperationCall<ServiceOrderRequest>): Promise<CreateKnown> {
  const { request } = call;
  const signPlan = await ledger.signPlanOf(call.account, request.sign_plan_id);
  if (!signPlan) return { signPlan: undefined };
  const status = await signPlanStatus(ledger, signPlan);
  const state = status.record.object?.state;
  if (state === undefined) return { signPlan: undefined };
  const name = `sign plan ${signPlan.merchantSignPlanNo}`;
  if (state !== 'SIGNED') throw new ConflictError('SIGN_PLAN_NOT_SIGNED', `${name} is ${String(state)}: orders are created only for a SIGNED sign plan`);
  const detail = status.details.find((candidate) => candidate.planDetailNo === request.plan_detail_no);
  if (!detail) throw new ConflictError('PLAN_DETAIL_UNKNOWN', `plan_detail_no ${request.plan_detail_no} is not a plan detail of ${name} (it has ${status.details.length})`);
  if (detail.merchantPlanDetailNo !== undefined && request.out_trade_no !== detail.merchantPlanDetailNo) {
    throw new ConflictError('OUT_TRADE_NO_NOT_PLAN_DETAIL', `out_trade_no must be the merchant_plan_detail_no of plan detail ${detail.planDetailNo}: ${detail.merchantPlanDetailNo}`);
  }
  // The same order asked again (a retry): WeChat Pay answers it the same.
  if (detail.outOrderNo === request.out_trade_no) return { signPlan };
  if (detail.state !== 'NOT_USED') throw new ConflictError('PLAN_DETAIL_USED', `plan detail ${detail.planDetailNo} of ${name} is ${detail.state}: it has had its order`);
  const open = status.details.find((candidate) => candidate.state === 'USING');
  if (open) {
    throw new ConflictError('SIGN_PLAN_ORDER_OPEN', `${name} already has an order in service (plan detail ${open.planDetailNo}, ${open.outOrderNo ?? 'unknown'}): cancel it, or complete it and wait for the payment`);
  }
  return { signPlan };
}

/** The plan detail is in service from its order's create on (WeChat Pay tells it only at signing and cancelling). */
function detailUsing(signPlan: UserSignPlanKey, call: OperationCall<ServiceOrderRequest>, answer: VerifiedAnswer): StateChange {
  const orderId = answer.json.order_id;
  return {
    item: userSignPlanDetailKey(signPlan, call.request.plan_detail_no),
    kind: 'USER_SIGN_PLAN_DETAIL',
    machine: PLAN_DETAIL_STATES,
    order: { state: 'USING', at: call.at, tieBreak: 'create' },
    identity: { mchid: signPlan.mchid, sub_mchid: signPlan.subMchid, merchant_sign_plan_no: signPlan.merchantSignPlanNo, plan_detail_no: call.request.plan_detail_no },
    data: {},
    once: { out_order_no: call.request.out_trade_no, order_id: typeof orderId === 'string' ? orderId : undefined },
    source: 'create',
    sourceId: answer.requestId,
    receivedAt: call.at,
  };
}
