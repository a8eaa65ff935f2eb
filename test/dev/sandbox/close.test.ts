import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrder, generateWorld, merchantOrder, startReceiver, startWorldSandbox, type World } from './helpers';

let world: World;

beforeAll(async () => {
  world = await generateWorld();
});

const ownHandles = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'TCPServerWrap').length;
/** The count once it is down to `target`, or after 3 s. Counted right after our own timer fired, so it is not among them. */
async function settledHandles(target: number): Promise<number> {
  for (let waited = 0; waited < 3_000 && ownHandles() > target; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  return ownHandles();
}

describe('close', () => {
  it('leaves no server or timer behind, even with a retry and an auto-completion pending', async () => {
    const before = await settledHandles(0);
    const receiver = await startReceiver([500]);
    const sandbox = await startWorldSandbox(world, { receiverUrl: receiver.url, retryTimeScale: 1, autoCompleteAfterMs: 3_600_000 });
    const first = await createOrder(sandbox, world.merchant, merchantOrder());
    await createOrder(sandbox, world.merchant, merchantOrder());
    const { notificationId } = sandbox.completeOrder(first.order_id as string);
    sandbox.deductNow(first.order_id as string);
    await vi.waitFor(() => expect(sandbox.deliveries(notificationId)[0]!.attempts).toHaveLength(1));
    expect(ownHandles()).toBeGreaterThan(before);

    await sandbox.close();
    await sandbox.close();
    await receiver.close();
    // A closed server's handle, and undici's own idle timer, go a little after their callbacks (Node 24):
    // wait for them; a timer or server the sandbox left behind never goes.
    expect(await settledHandles(before)).toBe(before);
    expect(sandbox.deliveries(notificationId)[0]!.outcome).toBe('cancelled');
  });

  it('logs requests and delivery attempts only when asked', async () => {
    const lines: string[] = [];
    const receiver = await startReceiver();
    const sandbox = await startWorldSandbox(world, { receiverUrl: receiver.url, log: (line) => lines.push(line) });
    const created = await createOrder(sandbox, world.merchant, merchantOrder());
    await sandbox.waitForDelivery(sandbox.completeOrder(created.order_id as string).notificationId);
    await sandbox.close();
    await receiver.close();
    expect(lines).toEqual([
      expect.stringContaining('WeChat Pay sandbox on http://127.0.0.1:'),
      expect.stringContaining('POST /v3/payscore/sign-plan/serviceorder → 200'),
      `order ${String(created.order_id)} completed: 1000 fen to deduct`,
      `order ${String(created.order_id)} deducted: USER_PAID`,
      `notify_url https://merchant.example/notify is delivered to ${receiver.url} (resolveNotifyUrl): plain http here, where WeChat Pay itself delivers only over https`,
      expect.stringMatching(/^notification [0-9a-f-]{36} attempt 1 to http:\/\/127\.0\.0\.1:\d+\/notify: 204$/),
    ]);
  });
});
