/**
 * The user-sign-plan routes: pre-sign (answers the `package` the signing page opens with), stop,
 * sync (WeChat Pay's query) and the ledger's GET with each detail's order. Paths: docs/wechatpay/sign-plan-api.md.
 */
import { userSignPlanKey, type UserSignPlanKey } from '../ledger/keys';
import { userSignPlanChange, userSignPlanDetailChanges } from '../ledger/ledger';
import type { ChangeSource } from '../ledger/states';
import { userReference } from '../log';
import { isJsonObject } from '../wechatpay/json';
import type { AccountKind, CallOperation, OperationCall, OperationsLedger, ReadOperation, VerifiedAnswer } from './operation';
import * as schemas from './schemas';
import { signPlanStatus, signPlanView } from './views';

type Request = Record<string, unknown> & { merchant_sign_plan_no: string; sub_mchid?: string };

const SIGN_PLANS: Record<AccountKind, string> = { merchant: '/v3/payscore/sign-plan/user-sign-plans', partner: '/v3/payscore/sign-plan/partner/user-sign-plans' };

/** The signing page's `package` is valid two hours (the pre-sign page). */
export const PACKAGE_VALIDITY_MS = 2 * 3_600_000;

const key = (call: OperationCall<Request>): UserSignPlanKey => ({ ...call.account, merchantSignPlanNo: call.request.merchant_sign_plan_no });
const signPlanPath = (call: OperationCall<Request>) => `${SIGN_PLANS[call.kind]}/merchant-sign-plan-no/${encodeURIComponent(call.request.merchant_sign_plan_no)}`;
/** The sign plan's number, and its user only by reference. */
const logFields = (call: OperationCall<Request>) => {
  const user = call.request.openid ?? call.request.sub_openid;
  return { merchant_sign_plan_no: call.request.merchant_sign_plan_no, ...(typeof user === 'string' ? { user_ref: userReference(user) } : {}) };
};
const about = (call: OperationCall<Request>) => ({ merchant_sign_plan_no: call.request.merchant_sign_plan_no, mchid: call.account.mchid, sub_mchid: call.account.subMchid });

/**
 * The sign plan and its details as WeChat Pay answered them, and the reference from its
 * `sign_plan_id` (what a service order names) so that an order's create can be checked.
 */
async function recordSignPlan(ledger: OperationsLedger, answer: VerifiedAnswer, call: OperationCall<Request>, source: ChangeSource, signPlan: unknown, extra: Record<string, unknown> = {}): Promise<'applied' | 'unchanged'> {
  if (!isJsonObject(signPlan)) return 'unchanged';
  const said = { text: answer.text, fields: signPlan };
  const from = { source, sourceId: answer.requestId, at: call.at, tieBreak: source, receivedAt: call.at };
  const change = userSignPlanChange(key(call), said, from);
  const signPlanId = signPlan.sign_plan_id;
  const [applied] = await Promise.all([
    change && ledger.applyChange(change, extra),
    ...userSignPlanDetailChanges(key(call), said, from).map((detail) => ledger.applyChange(detail)),
    typeof signPlanId === 'string' && ledger.recordSignPlanId(key(call), signPlanId),
  ]);
  return applied ? 'applied' : 'unchanged';
}

export const createUserSignPlan: CallOperation<Request> = {
  type: 'call',
  name: 'user-sign-plan.create',
  method: 'POST',
  route: '/user-sign-plans',
  schema: schemas.userSignPlanCreate as never,
  intent: 'create',
  defaults: ({ notifyUrl }) => ({ notify_url: notifyUrl }),
  object: (call) => userSignPlanKey(key(call)),
  logFields,
  wechatpay: (call) => ({ method: 'POST', path: SIGN_PLANS[call.kind], body: call.request }),
  answerObject: 'sign_plan',
  about,
  record: (ledger, answer, call) =>
    recordSignPlan(ledger, answer, call, 'create', answer.json.sign_plan, {
      package: answer.json.package,
      package_expires_at: new Date(Date.parse(call.at) + PACKAGE_VALIDITY_MS).toISOString(),
    }),
};

export const stopUserSignPlan: CallOperation<Request> = {
  type: 'call',
  name: 'user-sign-plan.stop',
  method: 'POST',
  route: '/user-sign-plans/{merchant_sign_plan_no}/stop',
  schema: schemas.userSignPlanStop as never,
  intent: 'stop',
  object: (call) => userSignPlanKey(key(call)),
  logFields,
  wechatpay: (call) => ({
    method: 'POST',
    path: `${signPlanPath(call)}/stop`,
    body: { ...(call.kind === 'partner' ? { sub_mchid: call.request.sub_mchid } : {}), stop_reason: call.request.stop_reason },
  }),
  about,
  record: (ledger, answer, call) => recordSignPlan(ledger, answer, call, 'stop', answer.json),
};

export const syncUserSignPlan: CallOperation<Request> = {
  type: 'call',
  name: 'user-sign-plan.sync',
  method: 'POST',
  route: '/user-sign-plans/{merchant_sign_plan_no}/sync',
  schema: schemas.userSignPlanByNumber as never,
  object: (call) => userSignPlanKey(key(call)),
  logFields,
  wechatpay: (call) => ({ method: 'GET', path: call.kind === 'partner' ? `${signPlanPath(call)}?${new URLSearchParams({ sub_mchid: call.request.sub_mchid! })}` : signPlanPath(call) }),
  about,
  record: (ledger, answer, call) => recordSignPlan(ledger, answer, call, call.source ?? 'sync', answer.json),
};

export const getUserSignPlan: ReadOperation<Request> = {
  type: 'read',
  name: 'user-sign-plan.get',
  method: 'GET',
  route: '/user-sign-plans/{merchant_sign_plan_no}',
  schema: schemas.userSignPlanByNumber as never,
  object: (call) => userSignPlanKey(key(call)),
  logFields,
  read: async (ledger, call) => signPlanView(await signPlanStatus(ledger, key(call))),
};
