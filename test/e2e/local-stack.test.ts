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
import { exampleOrder, runFlow } from '../../dev/stack/demo-flow';
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

describe('the local stack', () => {
  it.each(['merchant', 'partner'] as const)('%s: create → complete → USER_PAID delivered → ledger paid', async (kind) => {
    const lines: string[] = [];
    const result = await runFlow(stack, kind, (line) => lines.push(line));
    expect(result.ledger).toMatchObject({ state: 'DONE', order_id: result.orderId, out_order_no: result.outTradeNo, create_request: expect.any(String) });
    expect(JSON.parse(result.ledger.collection as string)).toMatchObject({ state: 'USER_PAID' });
    expect(result.deliveryAttempts).toBe(1);
    expect(lines.join('\n')).toContain('→ 200: order_id');
  });

  it("publishes the events of the flow's ledger writes to the local EventBridge: the order created, then paid", async () => {
    const result = await runFlow(stack, 'merchant', () => undefined);
    const ofOrder = () => stack.eventBridge.events.filter((event) => event.detail.out_order_no === result.outTradeNo).map((event) => event.detailType);
    for (let poll = 0; poll < 100 && ofOrder().length < 2; poll++) await sleep(50);
    expect(ofOrder()).toEqual(['Service Order Created', 'Service Order Paid']);
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
    expect(result.ledger).toMatchObject({ state: 'DONE', order_id: result.orderId });
    expect(result.deliveryAttempts).toBe(1);
  }, 120_000);

  it('answers 500 when a handler cannot be loaded, as API Gateway does, so the sandbox retries the notification', async () => {
    const seeded = stack.sandbox.seedSignPlan({ mchid: stack.keys.merchant.mchid });
    const creation = await post(`${stack.apiUrl}/merchant/service-orders`, exampleOrder('merchant', { sign_plan_id: seeded.sign_plan_id, out_trade_no: seeded.details[0]!.merchant_plan_detail_no }));
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
