/**
 * A sandbox that delivers to notify handlers served over HTTP, and a create
 * handler to make its orders: the fault tests' common ground.
 */
import { sandboxAccountsFromDevKeys, startSandbox, type Sandbox, type SandboxOptions } from '../../../dev/sandbox';
import { operationsHandler, type OperationDependencies } from '../../../lib/handlers/operations';
import { createServiceOrder } from '../../../lib/operations/service-order-create';
import type { Log } from '../../../lib/log';
import type { TestWorld } from '../../helpers/accounts';
import { httpApiEvent, lambdaContext } from '../../helpers/events';
import type { LocalAws } from '../../helpers/local-aws';
import { merchantOrder, signPlansIn } from '../../helpers/orders';
import { nodeTransport } from '../../../lib/http/transport';
import { recordingMetrics } from '../../helpers/metrics';

/** notify_url host → where it is really served. */
export type Receivers = Record<string, string>;

/** The sandbox, with the sign plans of test/helpers/orders seeded in it. */
export async function startWorldSandbox(world: TestWorld, receivers: () => Receivers, options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({
    accounts: sandboxAccountsFromDevKeys(world),
    wechatpay: world.wechatpay,
    signingMode: 'both',
    retryTimeScale: 0.001,
    resolveNotifyUrl: (url) => {
      const { host, pathname } = new URL(url);
      return `${receivers()[host] ?? `https://${host}`}${pathname}`;
    },
    ...options,
  });
  signPlansIn(world, sandbox);
  return sandbox;
}

/** The merchant create handler against `baseUrl`, with a cache of its own. */
export function merchantCreateHandler(aws: LocalAws, log: Log, baseUrl: string, overrides: Partial<OperationDependencies> = {}) {
  const deps: OperationDependencies = { secrets: aws.secretCache('merchant'), ledger: aws.ledger(), transport: nodeTransport(), baseUrl, notifyUrl: undefined, retry: { backoffBaseMs: 20 }, ...overrides };
  return operationsHandler('merchant', [createServiceOrder], log, () => deps, recordingMetrics());
}

export interface CreatedOrder {
  orderId: string;
  outTradeNo: string;
}

/** `count` orders made through the create handler, notifying `notifyHost`. */
export async function createOrders(handler: ReturnType<typeof merchantCreateHandler>, count: number, notifyHost: string): Promise<CreatedOrder[]> {
  const orders: CreatedOrder[] = [];
  for (let index = 0; index < count; index += 1) {
    const order = merchantOrder({ notify_url: `https://${notifyHost}/merchant/notify` });
    const response = await handler(httpApiEvent({ body: JSON.stringify(order) }, '/merchant/service-orders'), lambdaContext());
    if (response.statusCode !== 200) throw new Error(`create failed: ${response.statusCode} ${response.body}`);
    orders.push({ orderId: JSON.parse(response.body).order_id, outTradeNo: order.out_trade_no as string });
  }
  return orders;
}
