/**
 * The flow `npm start` shows and the end-to-end test drives, over HTTP only:
 * seed a SIGNED user sign plan in the sandbox, create the order of its detail 1
 * through the function, complete it (the sandbox then deducts and delivers
 * PAYSCORE.USER_PAID to the notify function), read the ledger.
 */
import { randomBytes } from 'node:crypto';
import { serviceOrderKey } from '../../lib/ledger/keys';
import type { SeededSignPlan } from '../sandbox';
import type { Stack } from './stack';

export type AccountKind = 'merchant' | 'partner';

/** The sub-merchant of the partner flow. */
const SUB_MCHID = '1900000109';

/** The detail of a SIGNED sign plan an order is for: the sandbox takes orders only for those. */
export interface PlanDetail {
  sign_plan_id: string;
  /** The detail's merchant_plan_detail_no. */
  out_trade_no: string;
}

/** The seed's example values (docs/wechatpay/seeds/), at plan detail 1 of `detail`'s sign plan (default a made-up one, for showing). */
export function exampleOrder(kind: AccountKind, detail?: PlanDetail): Record<string, unknown> {
  const unique = randomBytes(8).toString('hex').toUpperCase();
  const order: Record<string, unknown> = {
    service_id: '2002000000000558128851361561536',
    sign_plan_id: detail?.sign_plan_id ?? `0100003321${unique}`,
    plan_detail_no: 1,
    appid: 'wxd678efh567hg6787',
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    service_introduction: '羽毛球课基础练习课程',
    time_range: { start_time: '20091225091010', end_time: '20091225121010', start_time_remark: '备注1', end_time_remark: '备注2' },
    location: { start_location: '嗨客时尚主题展餐厅', end_location: '嗨客时尚主题展餐厅' },
    attach: 'Easdfowealsdkjfnlaksjdlfkwqoi&wl3l2sald',
    out_trade_no: detail?.out_trade_no ?? `1514323${unique}`,
  };
  return kind === 'merchant' ? order : { ...order, sub_mchid: SUB_MCHID, sub_appid: 'wxd678efh567hg6999' };
}

export interface FlowResult {
  orderId: string;
  outTradeNo: string;
  notificationId: string;
  deliveryAttempts: number;
  ledger: Record<string, unknown>;
}

async function json(response: Response, what: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function runFlow(stack: Stack, kind: AccountKind, say: (line: string) => void): Promise<FlowResult> {
  const account = stack.keys[kind];
  say(`POST ${stack.sandbox.url}/sandbox/sign-plans  (a plan of 3 details and a SIGNED user sign plan of it, seeded in the sandbox)`);
  const seeded = (await json(
    await fetch(`${stack.sandbox.url}/sandbox/sign-plans`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ mchid: account.mchid, ...(kind === 'partner' ? { sub_mchid: SUB_MCHID } : {}) }),
    }),
    'seed a sign plan',
  )) as unknown as SeededSignPlan;
  const order = exampleOrder(kind, { sign_plan_id: seeded.sign_plan_id, out_trade_no: seeded.details[0]!.merchant_plan_detail_no });
  say(`  → sign plan ${seeded.sign_plan_id}, SIGNED`);
  say(`POST ${stack.apiUrl}/${kind}/service-orders  (out_trade_no ${String(order.out_trade_no)}, plan detail 1, notify_url from NOTIFY_URL)`);
  const created = await json(
    await fetch(`${stack.apiUrl}/${kind}/service-orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(order) }),
    `POST /${kind}/service-orders`,
  );
  const orderId = String(created.order_id);
  say(`  → 200: order_id ${orderId}, state ${String(created.state)}, notify_url ${String(created.notify_url)}`);

  say(`POST ${stack.sandbox.url}/sandbox/orders/${orderId}/complete  (completed at the detail's price; the sandbox then deducts and notifies)`);
  const { notificationId } = (await json(await fetch(`${stack.sandbox.url}/sandbox/orders/${orderId}/complete`, { method: 'POST' }), 'complete')) as { notificationId: string };
  const records = (await (await fetch(`${stack.sandbox.url}/sandbox/deliveries?notification_id=${notificationId}&wait=true`)).json()) as Array<{
    outcome: string;
    attempts: Array<{ statusCode?: number; error?: string }>;
  }>;
  const [record] = records;
  if (!record || record.outcome !== 'delivered') throw new Error(`PAYSCORE.USER_PAID ${notificationId} was not delivered: ${JSON.stringify(records)}`);
  say(`  → PAYSCORE.USER_PAID ${notificationId} delivered to /${kind}/notify: ${record.attempts.map((attempt) => attempt.statusCode ?? attempt.error).join(', ')}`);

  const key = serviceOrderKey({ mchid: account.mchid, subMchid: order.sub_mchid as string | undefined, outOrderNo: String(order.out_trade_no) });
  const ledger = await stack.ledgerItem(key);
  if (!ledger) throw new Error(`the ledger has no item ${key.pk}`);
  // Kept as JSON text, its numbers exactly as WeChat Pay wrote them.
  const collection = typeof ledger.collection === 'string' ? (JSON.parse(ledger.collection) as { state?: string; paid_amount?: number }) : undefined;
  say(`  → ledger ${key.pk}: state ${String(ledger.state)}, collection ${String(collection?.state)}, paid ${String(collection?.paid_amount)} fen`);
  return { orderId, outTradeNo: String(order.out_trade_no), notificationId, deliveryAttempts: record.attempts.length, ledger };
}
