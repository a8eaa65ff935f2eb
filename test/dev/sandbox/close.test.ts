import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrder, generateWorld, merchantOrder, startReceiver, startWorldSandbox, type World } from './helpers';

let world: World;

beforeAll(async () => {
  world = await generateWorld();
});

const ownHandles = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'TCPServerWrap').length;

describe('close', () => {
  it('leaves no server or timer behind, even with a retry and an auto-completion pending', async () => {
    // fetch (undici) keeps a timer of its own once used: start it before counting.
    const warmUp = await startReceiver();
    await fetch(warmUp.url, { method: 'POST' });
    await warmUp.close();
    const before = ownHandles();
    const receiver = await startReceiver([500]);
    const sandbox = await startWorldSandbox(world, { receiverUrl: receiver.url, retryTimeScale: 1, autoCompleteAfterMs: 3_600_000 });
    const first = await createOrder(sandbox, world.merchant, merchantOrder());
    await createOrder(sandbox, world.merchant, merchantOrder());
    const { notificationId } = sandbox.completeOrder(first.order_id as string);
    await vi.waitFor(() => expect(sandbox.deliveries(notificationId)[0]!.attempts).toHaveLength(1));
    expect(ownHandles()).toBeGreaterThan(before);

    await sandbox.close();
    await sandbox.close();
    await receiver.close();
    expect(ownHandles()).toBe(before);
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
      `order ${String(created.order_id)} completed`,
      expect.stringMatching(/^notification EV-\d+ attempt 1 to http:\/\/127\.0\.0\.1:\d+\/notify: 204$/),
    ]);
  });
});
