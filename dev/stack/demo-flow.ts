/**
 * The flow `npm start` shows and the end-to-end test drives, over HTTP only: a sign plan's whole
 * lifecycle through the functions (README "Routes"), the user's part played by the sandbox's
 * control routes. A plan of 3 details; a user sign plan of it, pre-signed (the `package`) and
 * signed (PAYSCORE.USER_SIGN_PLAN to the notify function); the orders of details 1 and 2, each
 * completed through the complete route and paid (the sandbox deducts by itself and sends
 * PAYSCORE.USER_PAID); an order of detail 3 while detail 2's is open, refused with a 409; last the
 * sign plan as the ledger has it.
 */
import { randomBytes } from 'node:crypto';
import type { DeliveryRecord, SandboxOrder } from '../sandbox';
import type { Stack } from './stack';

export type AccountKind = 'merchant' | 'partner';

/** The sub-merchant of the partner flow. */
const SUB_MCHID = '1900000109';
/** The seed's example values (docs/wechatpay/seeds/). */
const SERVICE_ID = '2002000000000558128851361561536';
const APPID = 'wxd678efh567hg6787';
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

/** The plan's details: what each costs, in fen (no detail dearer than the one before: the plan rules). */
const DETAILS = [
  { original_price: 3000, actual_price: 3000, plan_detail_name: '第一节' },
  { original_price: 3000, actual_price: 2500, plan_discount_description: '九折', plan_detail_name: '第二节' },
  { original_price: 3000, actual_price: 2500, plan_detail_name: '第三节' },
];

/** The merchant's numbers of one walk: the plan, the user sign plan and each detail (an order's out_trade_no). */
export interface WalkNumbers {
  merchantPlanNo: string;
  merchantSignPlanNo: string;
  detailNos: string[];
}

export function freshNumbers(): WalkNumbers {
  const unique = randomBytes(6).toString('hex').toUpperCase();
  return { merchantPlanNo: `P${unique}`, merchantSignPlanNo: `S${unique}`, detailNos: DETAILS.map((_, index) => `${unique}-${index + 1}`) };
}

/** Where a partner names its sub-merchant on a route whose path names the object. */
export const accountQuery = (kind: AccountKind): string => (kind === 'partner' ? `?sub_mchid=${SUB_MCHID}` : '');

const partnerFields = (kind: AccountKind): Record<string, string> => (kind === 'partner' ? { sub_mchid: SUB_MCHID } : {});

/** `POST /{kind}/plans`: a plan of 3 details. */
export function planRequest(kind: AccountKind, numbers: WalkNumbers): Record<string, unknown> {
  const total = (price: 'original_price' | 'actual_price') => DETAILS.reduce((sum, detail) => sum + detail[price], 0);
  return {
    service_id: SERVICE_ID,
    appid: APPID,
    ...partnerFields(kind),
    plan_name: '羽毛球课3节',
    plan_duration: 30,
    deduction_quantity: DETAILS.length,
    total_original_price: total('original_price'),
    total_actual_price: total('actual_price'),
    plan_detail_list: DETAILS,
    merchant_plan_no: numbers.merchantPlanNo,
  };
}

/** `POST /{kind}/user-sign-plans`: the plan pre-signed for one user; notify_url from NOTIFY_URL. */
export function userSignPlanRequest(kind: AccountKind, numbers: WalkNumbers, planId: string): Record<string, unknown> {
  return {
    service_id: SERVICE_ID,
    plan_id: planId,
    appid: APPID,
    ...partnerFields(kind),
    openid: OPENID,
    merchant_sign_plan_no: numbers.merchantSignPlanNo,
    sign_plan_detail: numbers.detailNos.map((number, index) => ({ plan_detail_no: index + 1, merchant_plan_detail_no: number })),
  };
}

/** A detail of a sign plan, as the sandbox's seed and the flow know it. */
export interface PlanDetail {
  plan_detail_no: number;
  merchant_plan_detail_no: string;
}

/** `POST /{kind}/service-orders`: the order of one plan detail (its out_trade_no is the detail's merchant_plan_detail_no); notify_url from NOTIFY_URL. */
export function orderRequest(kind: AccountKind, signPlanId: string, detail: PlanDetail): Record<string, unknown> {
  return {
    service_id: SERVICE_ID,
    sign_plan_id: signPlanId,
    plan_detail_no: detail.plan_detail_no,
    appid: APPID,
    openid: OPENID,
    service_introduction: '羽毛球课基础练习课程',
    time_range: { start_time: '20091225091010', end_time: '20091225121010', start_time_remark: '备注1', end_time_remark: '备注2' },
    location: { start_location: '嗨客时尚主题展餐厅', end_location: '嗨客时尚主题展餐厅' },
    attach: 'Easdfowealsdkjfnlaksjdlfkwqoi&wl3l2sald',
    out_trade_no: detail.merchant_plan_detail_no,
    ...(kind === 'partner' ? { sub_mchid: SUB_MCHID, sub_appid: 'wxd678efh567hg6999' } : {}),
  };
}

export interface PaidOrder {
  outOrderNo: string;
  orderId: string;
  paidAmount: number;
}

export interface FlowResult {
  merchantSignPlanNo: string;
  signPlanId: string;
  package: string;
  /** The orders of details 1 and 2, paid. */
  orders: PaidOrder[];
  /** What the order of detail 3 was answered while detail 2's was open. */
  refused: { status: number; code: string };
  /** `GET /{kind}/user-sign-plans/{merchant_sign_plan_no}` at the end. */
  signPlan: Record<string, unknown>;
}

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

async function send(method: 'GET' | 'POST', url: string, body?: unknown): Promise<Answer> {
  const response = await fetch(url, { method, ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** A call that must succeed: anything but a 2xx ends the flow, saying what was answered. */
async function ok(method: 'GET' | 'POST', url: string, body?: unknown): Promise<Answer> {
  const answer = await send(method, url, body);
  if (answer.status >= 300) throw new Error(`${method} ${new URL(url).pathname} answered ${answer.status}: ${JSON.stringify(answer.json)}`);
  return answer;
}

/** A notification's first delivery, once settled; it must have been taken (2xx) by the notify function. */
async function delivered(stack: Stack, notificationId: string, what: string): Promise<DeliveryRecord> {
  const records = (await ok('GET', `${stack.sandbox.url}/sandbox/deliveries?notification_id=${notificationId}&replay=0&wait=true`)).json as unknown as DeliveryRecord[];
  const [record] = records;
  if (!record || record.outcome !== 'delivered') throw new Error(`${what} ${notificationId} was not delivered: ${JSON.stringify(records)}`);
  return record;
}

const routeOf = (record: DeliveryRecord) => `${new URL(record.url).pathname} (HTTP ${record.attempts.map((attempt) => attempt.statusCode ?? attempt.error).join(', ')})`;

interface OrderSummary {
  out_order_no?: string;
  order_id?: string;
  state?: string;
  collection_state?: string;
  paid_amount?: number;
}

export async function runFlow(stack: Stack, kind: AccountKind, say: (line: string) => void): Promise<FlowResult> {
  const api = `${stack.apiUrl}/${kind}`;
  const query = accountQuery(kind);
  const numbers = freshNumbers();

  const { json: plan } = await ok('POST', `${api}/plans`, planRequest(kind, numbers));
  const prices = DETAILS.map((detail) => detail.actual_price).join(' + ');
  say(`plan:      POST /${kind}/plans → ${String(plan.merchant_plan_no)}, 3 details (${prices} fen), ${String(plan.plan_state)}, plan_id ${String(plan.plan_id)}`);

  const { json: presigned } = await ok('POST', `${api}/user-sign-plans`, userSignPlanRequest(kind, numbers, String(plan.plan_id)));
  const signPlan = presigned.sign_plan as Record<string, unknown>;
  const signPlanId = String(signPlan.sign_plan_id);
  say(`pre-sign:  POST /${kind}/user-sign-plans → ${numbers.merchantSignPlanNo}, sign_plan_id ${signPlanId}, ${String(signPlan.sign_state)}`);
  say(`           package ${String(presigned.package)}  (the front end opens the signing page with it)`);

  const signed = String((await ok('POST', `${stack.sandbox.url}/sandbox/sign-plans/${signPlanId}/sign`)).json.notificationId);
  const signedDelivery = await delivered(stack, signed, 'PAYSCORE.USER_SIGN_PLAN');
  const { json: afterSigning } = await ok('GET', `${api}/user-sign-plans/${numbers.merchantSignPlanNo}${query}`);
  if (afterSigning.state !== 'SIGNED') throw new Error(`the ledger has sign plan ${numbers.merchantSignPlanNo} ${String(afterSigning.state)} after PAYSCORE.USER_SIGN_PLAN, not SIGNED`);
  say(`sign:      the user signs (sandbox) → PAYSCORE.USER_SIGN_PLAN to ${routeOf(signedDelivery)}; ledger: SIGNED`);

  const detail = (planDetailNo: number): PlanDetail => ({ plan_detail_no: planDetailNo, merchant_plan_detail_no: numbers.detailNos[planDetailNo - 1]! });
  const createOrder = async (planDetailNo: number): Promise<{ outOrderNo: string; orderId: string }> => {
    const { json: created } = await ok('POST', `${api}/service-orders`, orderRequest(kind, signPlanId, detail(planDetailNo)));
    const outOrderNo = String(created.out_order_no);
    say(`order ${planDetailNo}:   POST /${kind}/service-orders → ${outOrderNo} (plan detail ${planDetailNo}), ${String(created.state)}, order_id ${String(created.order_id)}`);
    return { outOrderNo, orderId: String(created.order_id) };
  };
  const completeAndPay = async ({ outOrderNo, orderId }: { outOrderNo: string; orderId: string }): Promise<PaidOrder> => {
    const completed = await ok('POST', `${api}/service-orders/${outOrderNo}/complete${query}`);
    say(`complete:  POST /${kind}/service-orders/${outOrderNo}/complete → ${completed.status} (at the plan detail's price); the sandbox deducts`);
    // The id of the PAYSCORE.USER_PAID its deduction sends is the sandbox's from the complete on.
    const { paidNotificationId } = (await ok('GET', `${stack.sandbox.url}/sandbox/orders/${orderId}`)).json as unknown as SandboxOrder;
    const paidDelivery = await delivered(stack, paidNotificationId!, 'PAYSCORE.USER_PAID');
    const { json: order } = await ok('GET', `${api}/service-orders/${outOrderNo}${query}`);
    const collection = order.collection as { state?: string; paid_amount?: number } | undefined;
    say(`paid:      PAYSCORE.USER_PAID to ${routeOf(paidDelivery)}; ledger: ${String(order.state)}, ${String(collection?.state)}, ${String(collection?.paid_amount)} fen`);
    return { outOrderNo, orderId, paidAmount: Number(collection?.paid_amount) };
  };

  const first = await completeAndPay(await createOrder(1));
  const second = await createOrder(2);
  const early = await send('POST', `${api}/service-orders`, orderRequest(kind, signPlanId, detail(3)));
  const refused = { status: early.status, code: String(early.json.code) };
  say(`order 3:   POST /${kind}/service-orders (plan detail 3, before detail 2 is paid) → ${early.status} ${refused.code}, nothing sent to WeChat Pay`);
  const orders = [first, await completeAndPay(second)];

  const { json: record } = await ok('GET', `${api}/user-sign-plans/${numbers.merchantSignPlanNo}${query}`);
  const details = (record.details ?? []) as Array<{ plan_detail_no: number; state: string; order?: OrderSummary }>;
  const used = details.filter((detail) => detail.state === 'USED');
  const each = details.map((detail) => `${detail.plan_detail_no} ${detail.state}${detail.order ? ` (${detail.order.out_order_no}, ${detail.order.state}, paid ${detail.order.paid_amount} fen)` : ''}`);
  say(`ledger:    GET /${kind}/user-sign-plans/${numbers.merchantSignPlanNo} → ${String(record.state)}, ${used.length} of ${details.length} details used: ${each.join('; ')}`);
  return { merchantSignPlanNo: numbers.merchantSignPlanNo, signPlanId, package: String(presigned.package), orders, refused, signPlan: record };
}
