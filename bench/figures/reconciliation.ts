/**
 * What the reconciliation costs per 1,000 open service orders against the sandbox (issue 18 §5):
 * the runs it takes at RECONCILE_MAX_CALLS=200, its WeChat Pay calls, its DynamoDB commands
 * (counted at the client: dynalite reports no consumed capacity) and the request units those
 * would cost on demand, estimated from the sizes of the items they read and write, and its time.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { reconcileHandler } from '../../lib/handlers/reconcile';
import { nodeTransport } from '../../lib/http/transport';
import { serviceOrderKey } from '../../lib/ledger/keys';
import { Ledger } from '../../lib/ledger/ledger';
import { jsonLog } from '../../lib/log';
import type { Transport } from '../../lib/wechatpay';
import { ledgerDocumentClient } from '../../lib/wiring/ledger-document-client';
import { lambdaContext } from '../../test/helpers/events';
import { seedOpenOrders } from '../../test/helpers/open-orders';
import type { BenchOptions } from '../options';
import { now } from '../stats';
import { LEDGER_TABLE, type BenchWorld } from '../world';
import { DEFAULT_NAMESPACE, emfMetrics } from '../../lib/metrics';

/** 1,000 open orders at RECONCILE_MAX_CALLS=200; `--quick` (does it work?) a fifth of both. */
const sizes = (quick: boolean) => (quick ? { orders: 200, maxCalls: 40 } : { orders: 1_000, maxCalls: 200 });
/** The attributes the pending index projects (serverless.yml), with its keys and the table's. */
const PROJECTED = ['pk', 'sk', 'pending_pk', 'pending_since', 'kind', 'mchid', 'sub_mchid', 'out_order_no', 'merchant_sign_plan_no', 'merchant_plan_no', 'service_id', 'appid', 'state', 'operation'];

/** An item's size as DynamoDB bills it, near enough: names and values as UTF-8, numbers about a byte per two digits. */
function itemBytes(item: Record<string, unknown>): number {
  const size = (value: unknown): number => {
    if (typeof value === 'string') return Buffer.byteLength(value);
    if (typeof value === 'number') return Math.ceil(String(value).length / 2) + 1;
    if (Array.isArray(value)) return 3 + value.reduce((sum: number, each) => sum + 1 + size(each), 0);
    if (value !== null && typeof value === 'object') return 3 + Object.entries(value).reduce((sum, [name, each]) => sum + Buffer.byteLength(name) + 1 + size(each), 0);
    return 1;
  };
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + size(value), 0);
}

const projection = (item: Record<string, unknown>) => Object.fromEntries(PROJECTED.filter((name) => name in item).map((name) => [name, item[name]]));

export async function reconciliation(world: BenchWorld, options: BenchOptions) {
  const { orders: ORDERS, maxCalls: MAX_CALLS } = sizes(options.quick);
  const client = ledgerDocumentClient();
  const commands: Record<string, number> = {};
  let queryBytes = 0;
  const counting: Pick<DynamoDBDocumentClient, 'send'> = {
    send: (async (command: { constructor: { name: string } }, options?: unknown) => {
      const name = command.constructor.name.replace(/Command$/, '');
      commands[name] = (commands[name] ?? 0) + 1;
      const result = await client.send(command as never, options as never);
      if (name === 'Query') queryBytes += ((result as { Items?: Record<string, unknown>[] }).Items ?? []).reduce((sum, item) => sum + itemBytes(item), 0);
      return result;
    }) as DynamoDBDocumentClient['send'],
  };
  const secrets = world.aws.secretCache(process.env.WECHATPAY_SECRET_ID!);
  const credentials = await secrets.get();
  const orders = await seedOpenOrders({ sandbox: world.sandbox, ledger: world.aws.ledger(), credentials, count: ORDERS });

  const asked = new Set<string>();
  let calls = 0;
  const transport: Transport = (url, request) => {
    calls += 1;
    asked.add(new URL(url).searchParams.get('out_order_no')!);
    return nodeTransport()(url, request);
  };
  // Every open order due at once; the per-second limit's waits are left out of the time (at 10 a second, 1,000 calls take 100 s).
  const handler = reconcileHandler('merchant', jsonLog({ service: 'reconcile-merchant', level: 'SILENT' }), () => ({
    secrets,
    ledger: new Ledger({ client: counting, tableName: LEDGER_TABLE }),
    transport,
    baseUrl: world.sandbox.url,
    limits: { openAfterS: 0, maxCalls: MAX_CALLS },
    sleep: async () => undefined,
  }), emfMetrics({ namespace: DEFAULT_NAMESPACE, service: 'reconcile-merchant', functionName: 'bench', write: () => undefined }));
  const runSeconds: number[] = [];
  while (asked.size < ORDERS && runSeconds.length < 10) {
    const start = now();
    const summary = await handler({}, lambdaContext(60_000));
    runSeconds.push((now() - start) / 1_000);
    if (summary.errors > 0) throw new Error(`reconciliation run: ${summary.errors} errors`);
  }

  // Units on demand: a write is one unit per KB of the item, and each that re-sorts the pending index writes its projection twice (out and in); an eventually consistent read is half a unit per 4 KB.
  const items = await Promise.all(orders.slice(0, 20).map(async (outOrderNo) => (await client.send(new GetCommand({ TableName: LEDGER_TABLE, Key: serviceOrderKey({ mchid: credentials.mchid, outOrderNo }) }))).Item!));
  const orderKb = Math.ceil(Math.max(...items.map(itemBytes)) / 1_024);
  const indexKb = Math.ceil(Math.max(...items.map((item) => itemBytes(projection(item)))) / 1_024);
  const writes = (commands.Update ?? 0) + (commands.Put ?? 0);
  const units = { read: Math.ceil(queryBytes / 4_096) / 2 + (commands.Get ?? 0) * Math.ceil((orderKb * 1_024) / 4_096), write: writes * (orderKb + 2 * indexKb) };
  client.destroy();
  return { orders: ORDERS, maxCalls: MAX_CALLS, runs: runSeconds.length, reached: asked.size, wechatpayCalls: calls, commands, units, orderItemKb: orderKb, seconds: runSeconds.reduce((sum, each) => sum + each, 0), runSeconds };
}
