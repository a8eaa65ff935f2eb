/** The plan routes: create, stop, sync (WeChat Pay's query) and the ledger's GET. Paths: docs/wechatpay/sign-plan-api.md. */
import { planKey, type PlanKey } from '../ledger/keys';
import { planChange } from '../ledger/ledger';
import type { ChangeSource } from '../ledger/states';
import type { AccountKind, CallOperation, OperationCall, OperationsLedger, ReadOperation, VerifiedAnswer } from './operation';
import * as schemas from './schemas';
import { recordView } from './views';

type Request = Record<string, unknown> & { merchant_plan_no: string; sub_mchid?: string };

const PLANS: Record<AccountKind, string> = { merchant: '/v3/payscore/plan/payscore-plans', partner: '/v3/payscore/plan/partner/payscore-plans' };

const key = (call: OperationCall<Request>): PlanKey => ({ ...call.account, merchantPlanNo: call.request.merchant_plan_no });
const planPath = (call: OperationCall<Request>) => `${PLANS[call.kind]}/merchant-plan-no/${encodeURIComponent(call.request.merchant_plan_no)}`;
const about = (call: OperationCall<Request>) => ({ merchant_plan_no: call.request.merchant_plan_no, mchid: call.account.mchid, sub_mchid: call.account.subMchid });

/** Every plan answer is the whole plan: the same record whatever asked. */
async function recordPlan(ledger: OperationsLedger, answer: VerifiedAnswer, call: OperationCall<Request>, source: ChangeSource): Promise<void> {
  const change = planChange(key(call), { text: answer.text, fields: answer.json }, { source, sourceId: answer.requestId, at: call.at, tieBreak: source, receivedAt: call.at });
  if (change) await ledger.applyChange(change);
}

export const createPlan: CallOperation<Request> = {
  type: 'call',
  name: 'plan.create',
  method: 'POST',
  route: '/plans',
  schema: schemas.planCreate as never,
  intent: 'create',
  object: (call) => planKey(key(call)),
  logFields: (call) => ({ merchant_plan_no: call.request.merchant_plan_no }),
  wechatpay: (call) => ({ method: 'POST', path: PLANS[call.kind], body: call.request }),
  about,
  record: (ledger, answer, call) => recordPlan(ledger, answer, call, 'create'),
};

export const stopPlan: CallOperation<Request> = {
  type: 'call',
  name: 'plan.stop',
  method: 'POST',
  route: '/plans/{merchant_plan_no}/stop',
  schema: schemas.planByNumber as never,
  intent: 'stop',
  object: (call) => planKey(key(call)),
  logFields: (call) => ({ merchant_plan_no: call.request.merchant_plan_no }),
  // The direct stop has no body; the partner's names the sub-merchant.
  wechatpay: (call) => ({ method: 'POST', path: `${planPath(call)}/stop`, ...(call.kind === 'partner' ? { body: { sub_mchid: call.request.sub_mchid } } : {}) }),
  about,
  record: (ledger, answer, call) => recordPlan(ledger, answer, call, 'stop'),
};

export const syncPlan: CallOperation<Request> = {
  type: 'call',
  name: 'plan.sync',
  method: 'POST',
  route: '/plans/{merchant_plan_no}/sync',
  schema: schemas.planByNumber as never,
  object: (call) => planKey(key(call)),
  logFields: (call) => ({ merchant_plan_no: call.request.merchant_plan_no }),
  wechatpay: (call) => ({ method: 'GET', path: call.kind === 'partner' ? `${planPath(call)}?${new URLSearchParams({ sub_mchid: call.request.sub_mchid! })}` : planPath(call) }),
  about,
  record: (ledger, answer, call) => recordPlan(ledger, answer, call, call.source ?? 'sync'),
};

export const getPlan: ReadOperation<Request> = {
  type: 'read',
  name: 'plan.get',
  method: 'GET',
  route: '/plans/{merchant_plan_no}',
  schema: schemas.planByNumber as never,
  object: (call) => planKey(key(call)),
  logFields: (call) => ({ merchant_plan_no: call.request.merchant_plan_no }),
  read: async (ledger, call) => recordView(await ledger.read(planKey(key(call)))),
};
