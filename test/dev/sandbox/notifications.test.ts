import { describe, expect, it, vi } from 'vitest';
import { MalformedNotificationError } from '../../../lib/wechatpay';
import { USER_CONFIRM, USER_PAID, WECHATPAY_RETRY_DELAYS_MS, type Sandbox } from '../../../dev/sandbox';
import { scaledRetryDelays } from '../../../dev/sandbox/retry-schedule';
import {
  createOrder,
  merchantOrder,
  openNotification,
  partnerOrder,
  PARTNER_PATH,
  startReceiver,
  startWorldSandbox,
  SUB_MCHID,
  verifierFor,
  perTestSandboxFixture,
  type Reaction,
} from './helpers';

const fx = perTestSandboxFixture({ signingMode: 'both' });
const setUp = fx.setUp;

const statuses = (sandbox: Sandbox, notificationId: string) => sandbox.deliveries(notificationId).flatMap((delivery) => delivery.attempts.map((attempt) => attempt.statusCode ?? attempt.error));

describe('completing an order', () => {
  it('delivers a signed, encrypted PAYSCORE.USER_PAID that decrypts to the deduction', async () => {
    const { receiver, sandbox } = await setUp();
    const order = merchantOrder();
    const created = await createOrder(sandbox, fx.world.merchant, order);
    const { notificationId } = sandbox.completeOrder(created.order_id as string);
    const [delivery] = await sandbox.waitForDelivery(notificationId);

    expect(delivery).toMatchObject({ notificationId, orderId: created.order_id, url: receiver.url, outcome: 'delivered', attempts: [{ attempt: 1, statusCode: 204 }] });
    expect(receiver.received).toHaveLength(1);
    const received = receiver.received[0]!;
    expect(received.headers['content-type']).toBe('application/json');
    const { envelope, plaintext } = openNotification(received, verifierFor(fx.world.wechatpay), fx.world.merchant.apiV3Key);
    expect(envelope).toMatchObject({
      id: notificationId,
      event_type: USER_PAID,
      resource_type: 'encrypt-resource',
      create_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/),
      resource: { algorithm: 'AEAD_AES_256_GCM', associated_data: 'payscore', original_type: 'payscore', nonce: expect.stringMatching(/^[A-Za-z0-9]{12}$/) },
    });
    expect(plaintext).toEqual({
      ...created,
      out_trade_no: order.out_trade_no,
      post_payments: [{ name: order.service_introduction, amount: 1000, description: 'plan detail 1', count: 1 }],
      state: 'DONE',
      openid: order.openid,
      total_amount: 1000,
      need_collection: true,
      collection: {
        state: 'USER_PAID',
        total_amount: 1000,
        paying_amount: 0,
        paid_amount: 1000,
        details: [{ seq: 1, amount: 1000, paid_type: 'NEWTON', paid_time: expect.stringMatching(/^\d{14}$/), transaction_id: expect.stringMatching(/^4200\d+$/) }],
      },
    });
    expect(sandbox.order(created.order_id as string).state).toBe('DONE');
  });

  it('of a partner reports the provider as mchid and the sub-merchant’s user, encrypted with the provider’s key', async () => {
    const { receiver, sandbox } = await setUp();
    const order = partnerOrder();
    const created = await createOrder(sandbox, fx.world.partner, order, PARTNER_PATH);
    await sandbox.waitForDelivery(sandbox.completeOrder(created.order_id as string).notificationId);
    const { plaintext } = openNotification(receiver.received[0]!, verifierFor(fx.world.wechatpay), fx.world.partner.apiV3Key);
    expect(plaintext).toMatchObject({ mchid: fx.world.partner.mchid, sub_mchid: SUB_MCHID, sub_appid: order.sub_appid, sub_openid: order.sub_openid, appid: order.appid, state: 'DONE' });
    expect(plaintext).not.toHaveProperty('openid');
  });

  it('happens by itself autoCompleteAfterMs after creation', async () => {
    const { receiver, sandbox } = await setUp([], { autoCompleteAfterMs: 5 });
    const created = await createOrder(sandbox, fx.world.merchant, merchantOrder());
    await vi.waitFor(() => expect(sandbox.deliveries()).toHaveLength(1));
    await sandbox.idle();
    expect(sandbox.deliveries()[0]).toMatchObject({ orderId: created.order_id, eventType: USER_PAID, outcome: 'delivered' });
    expect(receiver.received).toHaveLength(1);
  });

  it('twice is the same complete: one USER_PAID, one deduction', async () => {
    const { receiver, sandbox } = await setUp();
    const created = await createOrder(sandbox, fx.world.merchant, merchantOrder());
    const first = sandbox.completeOrder(created.order_id as string);
    expect(sandbox.completeOrder(created.order_id as string)).toEqual(first);
    await sandbox.waitForDelivery(first.notificationId);
    expect(sandbox.completeOrder(created.order_id as string)).toEqual(first);
    await sandbox.idle();
    expect(receiver.received).toHaveLength(1);
  });

  it('is deducted deductAfterMs later, by the sandbox itself: DOING (MCH_COMPLETE, USER_PAYING) until then', async () => {
    const { sandbox } = await setUp([], { deductAfterMs: 60_000 });
    const created = await createOrder(sandbox, fx.world.merchant, merchantOrder());
    const { notificationId } = sandbox.completeOrder(created.order_id as string);
    expect(sandbox.order(created.order_id as string)).toMatchObject({ state: 'DOING', stateDescription: 'MCH_COMPLETE', collection: 'USER_PAYING', deducting: true });
    expect(sandbox.deliveries(notificationId)).toEqual([]);
    expect(sandbox.deductNow(created.order_id as string)).toEqual({ notificationId });
    expect(sandbox.order(created.order_id as string)).toMatchObject({ state: 'DONE', collection: 'USER_PAID', deducting: false });
    expect((await sandbox.waitForDelivery(notificationId))[0]).toMatchObject({ eventType: USER_PAID, outcome: 'delivered' });
  });
});

describe('delivery retries', () => {
  it('follow WeChat Pay’s schedule, scaled', () => {
    expect(WECHATPAY_RETRY_DELAYS_MS.map((ms) => ms / 1000)).toEqual([15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600]);
    expect(scaledRetryDelays(0.001)).toEqual(WECHATPAY_RETRY_DELAYS_MS.map((ms) => ms / 1000));
  });

  it('go on until the first 2xx', async () => {
    const { receiver, sandbox } = await setUp([500, 500, 204, 204]);
    const created = await createOrder(sandbox, fx.world.merchant, merchantOrder());
    const { notificationId } = sandbox.completeOrder(created.order_id as string);
    const [delivery] = await sandbox.waitForDelivery(notificationId);
    expect(delivery!.attempts.map((attempt) => [attempt.attempt, attempt.statusCode])).toEqual([[1, 500], [2, 500], [3, 204]]);
    expect(delivery!.outcome).toBe('delivered');
    // Every attempt carries the same body, freshly signed.
    expect(new Set(receiver.received.map((received) => received.body.toString()))).toHaveProperty('size', 1);
    for (const received of receiver.received) expect(() => verifierFor(fx.world.wechatpay).verify(received.headers, received.body)).not.toThrow();
  });

  it('count no answer within deliveryTimeoutMs as a failure', async () => {
    const { sandbox } = await setUp(['hang'], { deliveryTimeoutMs: 50 });
    const created = await createOrder(sandbox, fx.world.merchant, merchantOrder());
    const { notificationId } = sandbox.completeOrder(created.order_id as string);
    await sandbox.waitForDelivery(notificationId);
    expect(statuses(sandbox, notificationId)).toEqual(['no answer within 50 ms', 204]);
  });

  it('end after 16 attempts without a 2xx', async () => {
    const { sandbox } = await setUp(Array<Reaction>(16).fill(503), { retryTimeScale: 0.000001 });
    const created = await createOrder(sandbox, fx.world.merchant, merchantOrder());
    const [delivery] = await sandbox.waitForDelivery(sandbox.completeOrder(created.order_id as string).notificationId);
    expect(delivery!.attempts).toHaveLength(16);
    expect(delivery!.outcome).toBe('failed');
  });

  it('count a refused connection as a failure', async () => {
    const receiver = await startReceiver();
    await receiver.close();
    const sandbox = await startWorldSandbox(fx.world, { receiverUrl: receiver.url, retryTimeScale: 0.000001 });
    fx.closeAfterTest(() => sandbox.close());
    const created = await createOrder(sandbox, fx.world.merchant, merchantOrder());
    const [delivery] = await sandbox.waitForDelivery(sandbox.completeOrder(created.order_id as string).notificationId);
    expect(delivery!.outcome).toBe('failed');
    expect(delivery!.attempts[0]!.error).toContain('ECONNREFUSED');
  });

  it('stop when the sandbox closes: the delivery ends cancelled', async () => {
    const { sandbox } = await setUp([500], { retryTimeScale: 1 });
    const created = await createOrder(sandbox, fx.world.merchant, merchantOrder());
    const { notificationId } = sandbox.completeOrder(created.order_id as string);
    sandbox.deductNow(created.order_id as string);
    await vi.waitFor(() => expect(sandbox.deliveries(notificationId)[0]!.attempts).toHaveLength(1));
    await sandbox.close();
    expect(sandbox.deliveries(notificationId)[0]!.outcome).toBe('cancelled');
  });
});

describe('other notifications', () => {
  it('USER_CONFIRM arrives even after USER_PAID, and leaves the order DONE', async () => {
    const { receiver, sandbox } = await setUp();
    const created = await createOrder(sandbox, fx.world.merchant, merchantOrder());
    await sandbox.waitForDelivery(sandbox.completeOrder(created.order_id as string).notificationId);
    await sandbox.waitForDelivery(sandbox.confirmOrder(created.order_id as string).notificationId);
    const { envelope, plaintext } = openNotification(receiver.received[1]!, verifierFor(fx.world.wechatpay), fx.world.merchant.apiV3Key);
    expect(envelope.event_type).toBe(USER_CONFIRM);
    expect(plaintext).toMatchObject({ order_id: created.order_id, state: 'DOING', state_description: 'USER_CONFIRM' });
    expect(sandbox.order(created.order_id as string).state).toBe('DONE');
  });

  it('can carry any fields, or a plaintext that is not JSON', async () => {
    const { receiver, sandbox } = await setUp();
    const created = await createOrder(sandbox, fx.world.merchant, merchantOrder());
    await sandbox.waitForDelivery(sandbox.sendNotification(created.order_id as string, { fields: { mchid: '1111111111', extra: true }, summary: 'test' }).notificationId);
    await sandbox.waitForDelivery(sandbox.sendNotification(created.order_id as string, { plaintext: 'not json' }).notificationId);
    const { envelope, plaintext } = openNotification(receiver.received[0]!, verifierFor(fx.world.wechatpay), fx.world.merchant.apiV3Key);
    expect(envelope.summary).toBe('test');
    expect(plaintext).toMatchObject({ mchid: '1111111111', extra: true, state: 'DONE', order_id: created.order_id });
    expect(() => openNotification(receiver.received[1]!, verifierFor(fx.world.wechatpay), fx.world.merchant.apiV3Key)).toThrow(MalformedNotificationError);
  });

  it('can be built signed without being delivered', async () => {
    const { receiver, sandbox } = await setUp();
    const created = await createOrder(sandbox, fx.world.merchant, merchantOrder());
    const built = sandbox.buildNotification(created.order_id as string, { eventType: USER_PAID });
    const { plaintext } = openNotification({ headers: built.headers, body: Buffer.from(built.body) }, verifierFor(fx.world.wechatpay), fx.world.merchant.apiV3Key);
    expect(plaintext).toMatchObject({ order_id: created.order_id, collection: { state: 'USER_PAID' } });
    expect(built).toMatchObject({ orderId: created.order_id, eventType: USER_PAID, notifyUrl: created.notify_url });
    expect(sandbox.deliveries()).toEqual([]);
    expect(receiver.received).toEqual([]);
    expect(sandbox.order(created.order_id as string).state).toBe('CREATED');
  });
});
