/**
 * End to end: the stack as `npm start` runs it (serverless-offline included, on
 * free ports), the flow driven over HTTP for merchant and partner, then stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevKeys } from '../../dev/keys';
import { runFlow } from '../../dev/stack/demo-flow';
import { freePorts, isPortFree, type StackPorts } from '../../dev/stack/ports';
import { startStack, type Stack } from '../../dev/stack/stack';

let stack: Stack;
let ports: StackPorts;
const offlineOutput: string[] = [];

beforeAll(async () => {
  ports = await freePorts();
  stack = await startStack({
    keys: await generateDevKeys(),
    ports,
    stage: 'e2e',
    buildFolder: '.esbuild-test-e2e',
    progress: () => undefined,
    offlineOutput: (line) => offlineOutput.push(line),
  });
}, 240_000);
afterAll(() => stack?.stop());

describe('the local stack', () => {
  it.each(['merchant', 'partner'] as const)('%s: create → complete → USER_PAID delivered → ledger paid', async (kind) => {
    const lines: string[] = [];
    const result = await runFlow(stack, kind, (line) => lines.push(line));
    expect(result.ledger).toMatchObject({ state: 'DONE', order_id: result.orderId, out_order_no: result.outTradeNo, create_request: expect.any(String) });
    expect(JSON.parse(result.ledger.collection as string)).toMatchObject({ state: 'USER_PAID' });
    expect(result.deliveryAttempts).toBe(1);
    expect(lines.join('\n')).toContain('→ 200: order_id');
  });

  it('rejects a forged notification over HTTP', async () => {
    const response = await fetch(`${stack.apiUrl}/merchant/notify`, { method: 'POST', body: '{"id":"EV-forged"}', headers: { 'Wechatpay-Serial': 'PUB_KEY_ID_1' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 'FAIL', message: expect.any(String) });
  });

  it('serves the handlers from the bundles with their logs (no key material)', () => {
    const logs = offlineOutput.join('\n');
    expect(logs).toContain('service order created');
    expect(logs).not.toContain(stack.keys.merchant.apiV3Key);
    expect(logs).not.toContain('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
  });

  it('stops everything it started', async () => {
    await stack.stop();
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
  });
});
