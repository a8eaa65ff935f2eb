/** The control routes of `npm run sandbox`: a probe alone, replaying a notification, forwarding deliveries elsewhere. */
import { describe, expect, it } from 'vitest';
import { USER_PAID, type DeliveryRecord, type Sandbox } from '../../../dev/sandbox';
import { controlGet, controlPost, createOrder, merchantOrder, openNotification, perTestSandboxFixture, startReceiver, startWorldSandbox, verifierFor } from './helpers';

/** The merchant completes the order and the sandbox deducts at once: its PAYSCORE.USER_PAID is sent now. */
const paid = (sandbox: Sandbox, orderId: string) => {
  sandbox.completeOrder(orderId);
  return sandbox.deductNow(orderId);
};

const fx = perTestSandboxFixture();
const setUp = fx.setUp;

const newOrderId = async (sandbox: Sandbox) => (await createOrder(sandbox, fx.world.merchant, merchantOrder())).order_id as string;

const waitForDeliveries = async (sandbox: Sandbox, notificationId: unknown) =>
  (await controlGet(sandbox.url, `/sandbox/deliveries?notification_id=${String(notificationId)}&wait=true`)) as DeliveryRecord[];

async function controlSend(sandbox: Sandbox, method: 'PUT' | 'DELETE' | 'GET', path: string, body?: unknown) {
  const response = await fetch(`${sandbox.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('POST /sandbox/orders/{order_id}/probe', () => {
  it('delivers one WECHATPAY/SIGNTEST/ probe and nothing else, even when refused', async () => {
    const { receiver, sandbox } = await setUp([401]);
    const orderId = await newOrderId(sandbox);
    const probe = await controlPost(sandbox.url, `/sandbox/orders/${orderId}/probe`);
    expect(probe.status).toBe(200);
    const deliveries = await waitForDeliveries(sandbox, probe.json.notificationId);
    expect(deliveries).toEqual([
      { notificationId: probe.json.notificationId, orderId, eventType: USER_PAID, url: receiver.url, copy: 0, probe: true, replay: 0, attempts: [{ attempt: 1, at: expect.any(String), statusCode: 401 }], outcome: 'failed' },
    ]);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.headers['wechatpay-signature']).toMatch(/^WECHATPAY\/SIGNTEST\//);
    expect(sandbox.order(orderId).state).toBe('CREATED');
    expect(await controlPost(sandbox.url, '/sandbox/orders/404/probe')).toEqual({ status: 404, json: { code: 'NOT_FOUND', message: 'no service order 404' } });
  });
});

describe('POST /sandbox/notifications/{notification_id}/replay', () => {
  it('delivers the same notification again: same id and body, a fresh valid signature, recorded as replay 1, 2', async () => {
    const { receiver, sandbox } = await setUp();
    const orderId = await newOrderId(sandbox);
    const { notificationId } = paid(sandbox, orderId);
    await sandbox.waitForDelivery(notificationId);
    const first = await controlPost(sandbox.url, `/sandbox/notifications/${notificationId}/replay`);
    expect(first).toEqual({ status: 200, json: { notificationId, replay: 1 } });
    const second = await controlPost(sandbox.url, `/sandbox/notifications/${notificationId}/replay`, { delivery: { copies: 2 } });
    expect(second.json).toEqual({ notificationId, replay: 2 });
    const deliveries = await waitForDeliveries(sandbox, notificationId);
    expect(deliveries.map((delivery) => [delivery.replay, delivery.copy, delivery.outcome])).toEqual([
      [0, 1, 'delivered'],
      [1, 1, 'delivered'],
      [2, 1, 'delivered'],
      [2, 2, 'delivered'],
    ]);
    expect(receiver.received).toHaveLength(4);
    const [original, replayed] = receiver.received;
    expect(replayed!.body.equals(original!.body)).toBe(true);
    expect(replayed!.headers['wechatpay-nonce']).not.toBe(original!.headers['wechatpay-nonce']);
    expect(openNotification(replayed!, verifierFor(fx.world.wechatpay), fx.world.merchant.apiV3Key).envelope.id).toBe(notificationId);
  });

  it('replay=n lists and waits for that send alone, while the first is still pending', async () => {
    const { receiver, sandbox } = await setUp(['hang'], { deliveryTimeoutMs: 60_000 });
    const { notificationId } = paid(sandbox, await newOrderId(sandbox));
    expect((await controlPost(sandbox.url, `/sandbox/notifications/${notificationId}/replay`)).json).toEqual({ notificationId, replay: 1 });
    const replayed = await controlGet(sandbox.url, `/sandbox/deliveries?notification_id=${notificationId}&replay=1&wait=true`);
    expect(replayed).toEqual([expect.objectContaining({ replay: 1, outcome: 'delivered', attempts: [expect.objectContaining({ statusCode: 204 })] })]);
    expect(await controlGet(sandbox.url, `/sandbox/deliveries?notification_id=${notificationId}&replay=0`)).toEqual([expect.objectContaining({ replay: 0, outcome: 'pending', attempts: [] })]);
    expect(receiver.received).toHaveLength(2);
    expect(await controlGet(sandbox.url, `/sandbox/deliveries?notification_id=${notificationId}&replay=2&wait=true`)).toEqual({ code: 'NOT_FOUND', message: `notification ${notificationId} has no replay 2` });
    expect(await controlGet(sandbox.url, `/sandbox/deliveries?notification_id=${notificationId}&replay=last`)).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'replay', location: 'query' } });
  });

  it('answers 404 for a notification never sent, including one only built', async () => {
    const { sandbox } = await setUp();
    const built = sandbox.buildNotification(await newOrderId(sandbox));
    expect(await controlPost(sandbox.url, `/sandbox/notifications/${built.id}/replay`)).toEqual({ status: 404, json: { code: 'NOT_FOUND', message: `no notification ${built.id} was sent` } });
    expect((await controlPost(sandbox.url, '/sandbox/notifications/EV-0/replay', { delivery: { copies: 0 } })).json.code).toBe('PARAM_ERROR');
  });
});

describe('/sandbox/forward', () => {
  it('sends every later delivery, replays included, to the URL instead of the notify_url, until DELETE', async () => {
    const { receiver, sandbox } = await setUp();
    const elsewhere = await startReceiver();
    fx.closeAfterTest(() => elsewhere.close());
    expect(await controlSend(sandbox, 'GET', '/sandbox/forward')).toEqual({ status: 200, json: { url: null } });
    const before = paid(sandbox, await newOrderId(sandbox));
    await sandbox.waitForDelivery(before.notificationId);

    expect(await controlSend(sandbox, 'PUT', '/sandbox/forward', { url: elsewhere.url })).toEqual({ status: 200, json: { url: elsewhere.url } });
    expect(await controlSend(sandbox, 'GET', '/sandbox/forward')).toEqual({ status: 200, json: { url: elsewhere.url } });
    const forwarded = paid(sandbox, await newOrderId(sandbox));
    const replayed = sandbox.replayNotification(before.notificationId);
    await sandbox.idle();
    expect(sandbox.deliveries(forwarded.notificationId).map((delivery) => delivery.url)).toEqual([elsewhere.url]);
    expect(sandbox.deliveries(replayed.notificationId).map((delivery) => [delivery.replay, delivery.url])).toEqual([
      [0, receiver.url],
      [1, elsewhere.url],
    ]);
    expect(elsewhere.received).toHaveLength(2);

    expect(await controlSend(sandbox, 'DELETE', '/sandbox/forward')).toEqual({ status: 200, json: { url: null } });
    const after = paid(sandbox, await newOrderId(sandbox));
    expect((await sandbox.waitForDelivery(after.notificationId)).map((delivery) => delivery.url)).toEqual([receiver.url]);
  });

  it.each([{}, { url: 'not a url' }, { url: 'ftp://127.0.0.1/notify' }, { url: 'http://127.0.0.1/notify', extra: 1 }])('refuses %j with PARAM_ERROR', async (body) => {
    const { sandbox } = await setUp();
    expect(await controlSend(sandbox, 'PUT', '/sandbox/forward', body)).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR' } });
    expect(sandbox.forwarding()).toEqual({ url: null });
  });
});

describe('a notify_url rewritten by resolveNotifyUrl (issue 15, trap 7)', () => {
  it('is said once per notify_url in the log, naming both URLs and the downgrade to http', async () => {
    const receiver = await startReceiver();
    const lines: string[] = [];
    const port = new URL(receiver.url).port;
    const sandbox = await startWorldSandbox(fx.world, {
      log: (line) => lines.push(line),
      // As `npm start` does: the local functions serve http on loopback.
      resolveNotifyUrl: (url) => url.replace(/^https:\/\/127\.0\.0\.1:/, 'http://127.0.0.1:'),
    });
    fx.closeAfterTest(() => sandbox.close(), () => receiver.close());
    const httpsUrl = `https://127.0.0.1:${port}/notify`;
    const otherUrl = `https://127.0.0.1:${port}/other`;
    for (const notifyUrl of [httpsUrl, httpsUrl, otherUrl]) {
      const created = await createOrder(sandbox, fx.world.merchant, merchantOrder({ notify_url: notifyUrl }));
      await sandbox.waitForDelivery(paid(sandbox, created.order_id as string).notificationId);
    }
    expect(lines.filter((line) => line.startsWith('notify_url '))).toEqual([
      `notify_url ${httpsUrl} is delivered to http://127.0.0.1:${port}/notify (resolveNotifyUrl): plain http here, where WeChat Pay itself delivers only over https`,
      `notify_url ${otherUrl} is delivered to http://127.0.0.1:${port}/other (resolveNotifyUrl): plain http here, where WeChat Pay itself delivers only over https`,
    ]);
    expect(receiver.received).toHaveLength(3);
  });

  it('is not said for a notify_url delivered as is, nor for a forwarded delivery', async () => {
    const lines: string[] = [];
    const sandbox = await startWorldSandbox(fx.world, { log: (line) => lines.push(line) });
    fx.closeAfterTest(() => sandbox.close());
    // The URL is chosen when the delivery starts; what becomes of the attempt does not matter here.
    paid(sandbox, (await createOrder(sandbox, fx.world.merchant, merchantOrder({ notify_url: 'https://127.0.0.1:9/as-is' }))).order_id as string);
    sandbox.forward('http://127.0.0.1:9/forwarded');
    paid(sandbox, await newOrderId(sandbox));
    expect(lines.filter((line) => line.startsWith('notify_url '))).toEqual([]);
    expect(lines).toContain('notifications are forwarded to http://127.0.0.1:9/forwarded from now on');
  });
});
