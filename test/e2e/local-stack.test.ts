/**
 * End to end: the stack as `npm start` runs it (serverless-offline included, on
 * free ports, serving a copy of the project so that packaging beside it and its
 * build folder stay out of this work tree), the flow driven over HTTP for
 * merchant and partner, then stopped.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevKeys } from '../../dev/keys';
import { orderRequest, runFlow, type PaidOrder } from '../../dev/stack/demo-flow';
import { freePorts, isPortFree, type StackPorts } from '../../dev/stack/ports';
import { startStack, type Stack } from '../../dev/stack/stack';
import { copyProject, type ProjectCopy } from '../helpers/project-copy';

let copy: ProjectCopy;
let stack: Stack;
let ports: StackPorts;
const offlineOutput: string[] = [];

beforeAll(async () => {
  copy = await copyProject();
  ports = await freePorts();
  stack = await startStack({
    keys: await generateDevKeys(),
    ports,
    stage: 'e2e',
    projectDir: copy.dir,
    progress: () => undefined,
    offlineOutput: (line) => offlineOutput.push(line),
  });
}, 240_000);
afterAll(async () => {
  await stack?.stop();
  await copy?.remove();
});

const post = async (url: string, body?: unknown): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

const paid = (order: PaidOrder, amount: number) => ({ out_order_no: order.outOrderNo, order_id: order.orderId, state: 'DONE', collection_state: 'USER_PAID', paid_amount: amount });

describe('the local stack', () => {
  it.each(['merchant', 'partner'] as const)('%s: the npm start flow, plan → signed → details 1 and 2 ordered, completed and paid, 3 refused while 2 is open → the ledger\'s sign plan', async (kind) => {
    const lines: string[] = [];
    const result = await runFlow(stack, kind, (line) => lines.push(line));
    expect(result.refused).toEqual({ status: 409, code: 'SIGN_PLAN_ORDER_OPEN' });
    const { details, ...signPlan } = result.signPlan as { details: Array<Record<string, unknown>> };
    // Under the account whose notify route the USER_SIGN_PLAN reached, once.
    expect(signPlan).toMatchObject({
      mchid: stack.keys[kind].mchid,
      ...(kind === 'partner' ? { sub_mchid: '1900000109' } : {}),
      merchant_sign_plan_no: result.merchantSignPlanNo,
      sign_plan_id: result.signPlanId,
      state: 'SIGNED',
      package: result.package,
      notifications: [expect.objectContaining({ event_type: 'PAYSCORE.USER_SIGN_PLAN' })],
    });
    if (kind === 'merchant') expect(signPlan).not.toHaveProperty('sub_mchid');
    // Each order is its detail's (out_trade_no = merchant_plan_detail_no), paid the detail's price.
    expect(details.map(({ plan_detail_no, merchant_plan_detail_no, state, order }) => ({ plan_detail_no, merchant_plan_detail_no, state, order }))).toEqual([
      { plan_detail_no: 1, merchant_plan_detail_no: result.orders[0]!.outOrderNo, state: 'USED', order: paid(result.orders[0]!, 3000) },
      { plan_detail_no: 2, merchant_plan_detail_no: result.orders[1]!.outOrderNo, state: 'USED', order: paid(result.orders[1]!, 2500) },
      { plan_detail_no: 3, merchant_plan_detail_no: expect.any(String), state: 'NOT_USED', order: undefined },
    ]);
    expect(result.orders.map(({ paidAmount }) => paidAmount)).toEqual([3000, 2500]);
    const said = lines.join('\n');
    expect(said).toContain(`PAYSCORE.USER_SIGN_PLAN to /${kind}/notify (HTTP 204); ledger: SIGNED`);
    expect(said.match(new RegExp(`PAYSCORE.USER_PAID to /${kind}/notify \\(HTTP 204\\)`, 'g'))).toHaveLength(2);
    expect(said).toContain(`package ${result.package}`);
  });

  it("publishes the events of the flow's ledger writes to the local EventBridge: the sign plan signed, each order created, completed, paid", async () => {
    const result = await runFlow(stack, 'merchant', () => undefined);
    const of = (name: string, value: string) => () => stack.eventBridge.events.filter((event) => event.detail[name] === value && event.source === 'payscore.sign-plan').map((event) => event.detailType);
    const first = of('out_order_no', result.orders[0]!.outOrderNo);
    for (let poll = 0; poll < 100 && first().length < 3; poll++) await sleep(50);
    expect(first()).toEqual(['Service Order Created', 'Service Order Completed', 'Service Order Paid']);
    expect(of('merchant_sign_plan_no', result.merchantSignPlanNo)().filter((type) => type.startsWith('User Sign Plan ') && !type.includes('Detail'))).toEqual(['User Sign Plan Created', 'User Sign Plan Signed']);
  });

  it('rejects a forged notification over HTTP', async () => {
    const response = await fetch(`${stack.apiUrl}/merchant/notify`, { method: 'POST', body: '{"id":"EV-forged"}', headers: { 'Wechatpay-Serial': 'PUB_KEY_ID_1' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 'FAIL', message: expect.any(String) });
  });

  it('serves the handlers from the bundles with their logs (no key material)', () => {
    const logs = offlineOutput.join('\n');
    expect(logs).toContain('service-order.create: WeChat Pay answered 200');
    expect(logs).not.toContain(stack.keys.merchant.apiV3Key);
    expect(logs).not.toContain('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
  });

  it('keeps serving while `npx serverless package` runs in the same project (they never share a build folder)', async () => {
    await promisify(execFile)('npx', ['serverless', 'package'], {
      cwd: copy.dir,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'dummy', AWS_SECRET_ACCESS_KEY: 'dummy', AWS_REGION: 'ap-southeast-1', AWS_PROFILE: '' },
    });
    const result = await runFlow(stack, 'merchant', () => undefined);
    expect(result.signPlan).toMatchObject({ state: 'SIGNED' });
    expect(result.orders.map(({ paidAmount }) => paidAmount)).toEqual([3000, 2500]);
  }, 120_000);

  it('answers 500 when a handler cannot be loaded, as API Gateway does, so the sandbox retries the notification', async () => {
    const seeded = stack.sandbox.seedSignPlan({ mchid: stack.keys.merchant.mchid });
    const creation = await post(`${stack.apiUrl}/merchant/service-orders`, orderRequest('merchant', seeded.sign_plan_id, seeded.details[0]!));
    expect(creation.status).toBe(200);
    const created = (await creation.json()) as { order_id: string };
    await rm(stack.buildDir, { recursive: true, force: true });

    const probe = await post(`${stack.apiUrl}/merchant/notify`, {});
    expect(probe.status).toBe(500);
    expect(await probe.json()).toEqual({ message: 'Internal Server Error' });

    const { notificationId } = (await (await post(`${stack.sandbox.url}/sandbox/orders/${created.order_id}/complete`)).json()) as { notificationId: string };
    let record: { outcome: string; attempts: Array<{ attempt: number; statusCode?: number }> } | undefined;
    for (let poll = 0; poll < 200 && !record?.attempts.length; poll++) {
      [record] = (await (await fetch(`${stack.sandbox.url}/sandbox/deliveries?notification_id=${notificationId}`)).json()) as Array<NonNullable<typeof record>>;
      if (!record?.attempts.length) await sleep(50);
    }
    expect(record?.attempts[0]).toMatchObject({ attempt: 1, statusCode: 500 });
    expect(record?.outcome).not.toBe('delivered');
  });

  it('stops everything it started', async () => {
    await stack.stop();
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
  });
});
