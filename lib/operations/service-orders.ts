/**
 * The service-order routes after the create (service-order-create.ts): complete (WeChat Pay deducts
 * only after it), cancel, sync and the ledger's GET. WeChat Pay's paths: docs/wechatpay/sign-plan-api.md.
 */
import { RequestValidationError } from '../errors';
import { serviceOrderKey, userSignPlanDetailKey, type ServiceOrderKey } from '../ledger/keys';
import { serviceOrderChange } from '../ledger/ledger';
import type { AccountKind, CallOperation, OperationCall, OperationsLedger, QuerySource, ReadOperation, VerifiedAnswer } from './operation';
import * as schemas from './schemas';
import { recordView } from './views';

type Request = Record<string, unknown> & { out_order_no: string; sub_mchid?: string };

const orderKey = (call: OperationCall<{ out_order_no: string }>): ServiceOrderKey => ({ ...call.account, outOrderNo: call.request.out_order_no });

/** The general service-order endpoints (by out_order_no), which serve sign-plan orders too. */
const ORDERS: Record<AccountKind, string> = { merchant: '/v3/payscore/serviceorder', partner: '/v3/payscore/partner/serviceorder' };

/** The names an answer about a service order must carry: what was asked. */
export const orderAbout = (call: OperationCall<unknown>, outOrderNo: string, serviceId: string) => ({
  out_order_no: outOrderNo,
  mchid: call.account.mchid,
  sub_mchid: call.account.subMchid,
  service_id: serviceId,
});

/** What names an order at WeChat Pay, from the request or else from the ledger's order. */
interface OrderNames {
  serviceId: string;
  appid: string | undefined;
  order: Record<string, unknown> | undefined;
}

async function orderNames(ledger: OperationsLedger, call: OperationCall<Request>): Promise<OrderNames> {
  const order = await ledger.item(serviceOrderKey(orderKey(call)));
  const given = (name: string): string | undefined => {
    const value = call.request[name] ?? order?.[name];
    return typeof value === 'string' ? value : undefined;
  };
  const missing = (call.kind === 'merchant' ? ['service_id', 'appid'] : ['service_id']).filter((name) => given(name) === undefined);
  if (missing.length > 0) {
    throw new RequestValidationError(missing.map((field) => ({ field, message: `is required: the ledger holds no order ${call.request.out_order_no} to take it from` })));
  }
  return { serviceId: given('service_id')!, appid: given('appid'), order };
}

/** The request's own names of the order, when it gives all WeChat Pay needs. */
function namedOrder(call: OperationCall<Request>): OrderNames | undefined {
  const { service_id: serviceId, appid } = call.request;
  if (typeof serviceId !== 'string' || (call.kind === 'merchant' && typeof appid !== 'string')) return undefined;
  return { serviceId, appid: appid as string | undefined, order: undefined };
}

/** The order's names in a POST body: a merchant's appid, a partner's sub-merchant. */
const namesBody = (call: OperationCall<Request>, names: OrderNames) =>
  call.kind === 'merchant' ? { appid: names.appid, service_id: names.serviceId } : { service_id: names.serviceId, sub_mchid: call.request.sub_mchid };

const orderPath = (call: OperationCall<Request>, action: string) => `${ORDERS[call.kind]}/${encodeURIComponent(call.request.out_order_no)}/${action}`;

/** A change an answer brings to the order: its own state when it says one (a merchant's answer), else what the call did. */
const answerChange = (call: OperationCall<Request>, answer: VerifiedAnswer, source: 'complete' | 'cancel' | QuerySource, fallback: Record<string, unknown>) =>
  serviceOrderChange(
    orderKey(call),
    answer.status === 204 ? { text: JSON.stringify(fallback), fields: fallback } : { text: answer.text, fields: answer.json },
    { source, sourceId: answer.requestId, at: call.at, tieBreak: source, receivedAt: call.at, defaultState: fallback.state as string | undefined },
  );

interface CompleteKnown extends OrderNames {
  payment: { post_payments: unknown[]; total_amount: number };
}

export const completeServiceOrder: CallOperation<Request, CompleteKnown> = {
  type: 'call',
  name: 'service-order.complete',
  method: 'POST',
  route: '/service-orders/{out_order_no}/complete',
  schema: schemas.serviceOrderComplete as never,
  intent: 'complete',
  object: (call) => serviceOrderKey(orderKey(call)),
  logFields: (call) => ({ out_order_no: call.request.out_order_no }),
  async prepare(ledger, call) {
    const names = await orderNames(ledger, call);
    return { ...names, payment: await payment(ledger, call, names.order) };
  },
  wechatpay: (call, known) => {
    const { out_order_no: _path, sub_mchid: _sub, service_id: _service, appid: _appid, ...rest } = call.request;
    return { method: 'POST', path: orderPath(call, 'complete'), body: { ...namesBody(call, known), ...rest, ...known.payment } };
  },
  about: (call) => ({ out_order_no: call.request.out_order_no, mchid: call.account.mchid }),
  async record(ledger, answer, call) {
    // A 204 (partner) says WeChat Pay took the completion: the order is MCH_COMPLETE (W complete page).
    const change = answerChange(call, answer, 'complete', { state: 'DOING', state_description: 'MCH_COMPLETE' });
    if (change) await ledger.applyChange(change, { completed_at: call.at });
  },
};

/**
 * What the user pays: the request's post_payments and total_amount, or by default the plan
 * detail's price (its name and actual_price), read from the ledger.
 */
async function payment(ledger: OperationsLedger, call: OperationCall<Request>, order: Record<string, unknown> | undefined): Promise<CompleteKnown['payment']> {
  const given = call.request.post_payments as { amount: number }[] | undefined;
  const discounts = (call.request.post_discounts as { amount: number }[] | undefined) ?? [];
  if (given) {
    const total = given.reduce((sum, item) => sum + item.amount, 0) - discounts.reduce((sum, item) => sum + item.amount, 0);
    return { post_payments: given, total_amount: (call.request.total_amount as number | undefined) ?? total };
  }
  const detail = await planDetailOf(ledger, call, order);
  if (!detail || typeof detail.actual_price !== 'number' || typeof detail.plan_detail_name !== 'string') {
    throw new RequestValidationError([{ field: 'post_payments', message: `is required: the ledger does not know the plan detail of order ${call.request.out_order_no}` }]);
  }
  return {
    post_payments: [{ name: detail.plan_detail_name, amount: detail.actual_price, count: 1 }],
    total_amount: (call.request.total_amount as number | undefined) ?? detail.actual_price,
  };
}

async function planDetailOf(ledger: OperationsLedger, call: OperationCall<Request>, order: Record<string, unknown> | undefined) {
  const merchantSignPlanNo = order?.merchant_sign_plan_no;
  const request = typeof order?.create_request === 'string' ? (JSON.parse(order.create_request) as { plan_detail_no?: unknown }) : undefined;
  if (typeof merchantSignPlanNo !== 'string' || typeof request?.plan_detail_no !== 'number') return undefined;
  return ledger.item(userSignPlanDetailKey({ ...call.account, merchantSignPlanNo }, request.plan_detail_no));
}

export const cancelServiceOrder: CallOperation<Request, OrderNames> = {
  type: 'call',
  name: 'service-order.cancel',
  method: 'POST',
  route: '/service-orders/{out_order_no}/cancel',
  schema: schemas.serviceOrderCancel as never,
  intent: 'cancel',
  object: (call) => serviceOrderKey(orderKey(call)),
  logFields: (call) => ({ out_order_no: call.request.out_order_no }),
  prepare: orderNames,
  wechatpay: (call, known) => ({ method: 'POST', path: orderPath(call, 'cancel'), body: { ...namesBody(call, known), reason: call.request.reason } }),
  about: (call) => ({ out_order_no: call.request.out_order_no, mchid: call.account.mchid }),
  async record(ledger, answer, call) {
    // A cancel's answer names the order, not its state: REVOKED is what it did (W cancel page).
    const change = answerChange(call, answer, 'cancel', { state: 'REVOKED' });
    if (change) await ledger.applyChange(change, { cancelled_at: call.at });
  },
};

export const syncServiceOrder: CallOperation<Request, OrderNames> = {
  type: 'call',
  name: 'service-order.sync',
  method: 'POST',
  route: '/service-orders/{out_order_no}/sync',
  schema: schemas.serviceOrderSync as never,
  object: (call) => serviceOrderKey(orderKey(call)),
  logFields: (call) => ({ out_order_no: call.request.out_order_no }),
  // A sync that names its order (the reconciliation's, from the pending index) reads nothing first.
  prepare: async (ledger, call) => namedOrder(call) ?? orderNames(ledger, call),
  wechatpay: (call, known) => {
    const query = new URLSearchParams({ service_id: known.serviceId, ...(call.kind === 'merchant' ? { appid: known.appid! } : { sub_mchid: call.request.sub_mchid! }), out_order_no: call.request.out_order_no });
    return { method: 'GET', path: `${ORDERS[call.kind]}?${query}` };
  },
  about: (call, known) => orderAbout(call, call.request.out_order_no, known.serviceId),
  async record(ledger, answer, call) {
    const change = answerChange(call, answer, call.source ?? 'sync', {});
    return change && (await ledger.applyChange(change)) ? 'applied' : 'unchanged';
  },
};

export const getServiceOrder: ReadOperation<Request> = {
  type: 'read',
  name: 'service-order.get',
  method: 'GET',
  route: '/service-orders/{out_order_no}',
  schema: schemas.serviceOrderByNumber as never,
  object: (call) => serviceOrderKey(orderKey(call)),
  logFields: (call) => ({ out_order_no: call.request.out_order_no }),
  read: async (ledger, call) => recordView(await ledger.read(serviceOrderKey(orderKey(call)))),
};
