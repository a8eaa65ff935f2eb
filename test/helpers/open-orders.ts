/**
 * Many open service orders at once, in the sandbox and the ledger, without the create handler's
 * write-ahead: each created at WeChat Pay by a signed request and recorded as its answer says, as
 * the create would. For what the reconciliation does with a backlog (its tests and its bench row).
 */
import type { Sandbox } from '../../dev/sandbox';
import { wechatpayClient } from '../../lib/handlers/wechatpay-call';
import { nodeTransport } from '../../lib/http/transport';
import type { Ledger } from '../../lib/ledger/ledger';
import type { AccountCredentials } from '../../lib/secrets/account-credentials';
import { SERVICE_ORDER_PATHS } from '../../lib/service-order/wechatpay-paths';
import type { Clock } from '../../lib/wechatpay';
import { inPool } from '../reliability/helpers/pool';
import { merchantOrder } from './orders';

export interface OpenOrders {
  /** The sandbox, with the sign plans of test/helpers/orders seeded in it (`signPlansIn`). */
  sandbox: Pick<Sandbox, 'url'>;
  ledger: Pick<Ledger, 'recordCreatedOrder'>;
  credentials: AccountCredentials;
  count: number;
  /** The sandbox's clock: the signatures' timestamps, and when the ledger records each order. */
  clock?: Clock;
}

/** Creates `count` merchant orders, CREATED at WeChat Pay and in the ledger; their out_trade_nos. */
export async function seedOpenOrders({ sandbox, ledger, credentials, count, clock = Date.now }: OpenOrders): Promise<string[]> {
  const client = wechatpayClient(credentials, { baseUrl: sandbox.url, verifier: () => credentials.verifier, wechatpaySerial: credentials.preferredWechatpaySerial, transport: nodeTransport(), clock });
  const orders = Array.from({ length: count }, () => merchantOrder());
  await inPool(orders, 8, async (order) => {
    const request = JSON.stringify(order);
    const response = await client.request({ method: 'POST', path: SERVICE_ORDER_PATHS.merchant, body: Buffer.from(request), deadlineMs: 10_000 });
    await ledger.recordCreatedOrder({
      key: { mchid: credentials.mchid, outOrderNo: order.out_trade_no as string },
      request,
      response: response.body.toString('utf8'),
      wechatpayRequestId: response.requestId,
      at: new Date(clock()).toISOString(),
    });
  });
  return orders.map((order) => order.out_trade_no as string);
}
