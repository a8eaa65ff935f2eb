import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../lib/wechatpay';
import { sandboxAccountsFromDevKeys, startSandbox, USER_CONFIRM, type DeliveryRecord, type SandboxOrder } from '../../../dev/sandbox';
import { signPlansIn } from '../../helpers/orders';
import { controlGet, controlPost, createOrder, merchantOrder, openNotification, SUB_MCHID, verifierFor, receiverSandboxFixture } from './helpers';

const fx = receiverSandboxFixture();

const waitForDeliveries = async (notificationId: unknown) =>
  (await controlGet(fx.sandbox.url, `/sandbox/deliveries?notification_id=${String(notificationId)}&wait=true`)) as DeliveryRecord[];

describe('sandbox routes', () => {
  it('list and show orders', async () => {
    const created = await createOrder(fx.sandbox, fx.world.merchant, merchantOrder());
    const orders = (await controlGet(fx.sandbox.url, '/sandbox/orders')) as SandboxOrder[];
    expect(orders.map((order) => order.orderId)).toContain(created.order_id);
    expect(await controlGet(fx.sandbox.url, `/sandbox/orders/${String(created.order_id)}`)).toMatchObject({ orderId: created.order_id, state: 'CREATED', mchid: fx.world.merchant.mchid });
  });

  it('complete an order and report its deliveries', async () => {
    const created = await createOrder(fx.sandbox, fx.world.merchant, merchantOrder());
    const completed = await controlPost(fx.sandbox.url, `/sandbox/orders/${String(created.order_id)}/complete`);
    expect(completed.status).toBe(200);
    const deliveries = await waitForDeliveries(completed.json.notificationId);
    expect(deliveries).toEqual([
      {
        notificationId: completed.json.notificationId,
        orderId: created.order_id,
        eventType: 'PAYSCORE.USER_PAID',
        url: fx.receiver.url,
        copy: 1,
        probe: false,
        replay: 0,
        attempts: [{ attempt: 1, at: expect.any(String), statusCode: 204 }],
        outcome: 'delivered',
      },
    ]);
    expect(((await controlGet(fx.sandbox.url, '/sandbox/deliveries')) as DeliveryRecord[]).map((delivery) => delivery.notificationId)).toContain(completed.json.notificationId);
    // Completing again is the same complete: the same USER_PAID.
    expect((await controlPost(fx.sandbox.url, `/sandbox/orders/${String(created.order_id)}/complete`)).json).toEqual({ notificationId: completed.json.notificationId });
  });

  it('send USER_CONFIRM and arbitrary notifications, with delivery options', async () => {
    const created = await createOrder(fx.sandbox, fx.world.merchant, merchantOrder());
    const confirmed = await controlPost(fx.sandbox.url, `/sandbox/orders/${String(created.order_id)}/confirm`, { delivery: { copies: 2 } });
    expect((await waitForDeliveries(confirmed.json.notificationId)).map((delivery) => [delivery.eventType, delivery.copy])).toEqual([
      [USER_CONFIRM, 1],
      [USER_CONFIRM, 2],
    ]);
    const sent = await controlPost(fx.sandbox.url, `/sandbox/orders/${String(created.order_id)}/notifications`, { eventType: 'PAYSCORE.USER_PAID', fields: { attach: 'changed' } });
    await waitForDeliveries(sent.json.notificationId);
    const { plaintext } = openNotification(fx.receiver.received.at(-1)!, verifierFor(fx.world.wechatpay), fx.world.merchant.apiV3Key);
    expect(plaintext).toMatchObject({ order_id: created.order_id, attach: 'changed' });
  });

  it('build a signed notification without delivering it', async () => {
    const created = await createOrder(fx.sandbox, fx.world.merchant, merchantOrder());
    const built = await controlPost(fx.sandbox.url, `/sandbox/orders/${String(created.order_id)}/notifications/build`, { eventType: USER_CONFIRM });
    const { envelope } = openNotification({ headers: built.json.headers as Record<string, string>, body: Buffer.from(built.json.body as string) }, verifierFor(fx.world.wechatpay), fx.world.merchant.apiV3Key);
    expect(envelope.event_type).toBe(USER_CONFIRM);
    expect(fx.sandbox.deliveries(envelope.id)).toEqual([]);
  });

  it('answer unknown orders, routes and bad bodies in WeChat Pay’s error shape', async () => {
    expect(await controlPost(fx.sandbox.url, '/sandbox/orders/404/complete')).toMatchObject({ status: 404, json: { code: 'NOT_FOUND' } });
    expect(await controlPost(fx.sandbox.url, '/sandbox/nothing')).toMatchObject({ status: 404, json: { code: 'NOT_FOUND' } });
    expect((await fetch(`${fx.sandbox.url}/v3/other`)).status).toBe(404);
    expect(await controlGet(fx.sandbox.url, '/sandbox/deliveries?notification_id=EV-0&wait=true')).toMatchObject({ code: 'NOT_FOUND' });
    expect(await controlGet(fx.sandbox.url, '/sandbox/deliveries?notification_id=EV-0')).toEqual({ code: 'NOT_FOUND', message: 'no notification EV-0 was sent' });
    const created = await createOrder(fx.sandbox, fx.world.merchant, merchantOrder());
    const bad = await controlPost(fx.sandbox.url, `/sandbox/orders/${String(created.order_id)}/notifications`, { delivery: { copies: 0 } });
    expect(bad).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR', detail: { field: '/delivery/copies' } } });
  });
});

describe('sign-plan routes', () => {
  it('seed a plan and a SIGNED user sign plan, list them, and refuse a bad seed', async () => {
    const seeded = await controlPost(fx.sandbox.url, '/sandbox/sign-plans', { mchid: fx.world.partner.mchid, sub_mchid: SUB_MCHID, merchant_plan_detail_nos: ['A1', 'A2'], price: 500 });
    expect(seeded.json).toEqual({
      plan_id: expect.stringMatching(/^\d{32}$/),
      merchant_plan_no: expect.any(String),
      sign_plan_id: expect.stringMatching(/^\d{32}$/),
      merchant_sign_plan_no: expect.any(String),
      service_id: '2002000000000558128851361561536',
      details: [
        { plan_detail_no: 1, merchant_plan_detail_no: 'A1', actual_price: 500 },
        { plan_detail_no: 2, merchant_plan_detail_no: 'A2', actual_price: 500 },
      ],
    });
    const plans = (await controlGet(fx.sandbox.url, '/sandbox/plans')) as { plan_id: string; sub_mchid?: string; deduction_quantity: number }[];
    expect(plans.find((plan) => plan.plan_id === seeded.json.plan_id)).toMatchObject({ sub_mchid: SUB_MCHID, deduction_quantity: 2, plan_state: 'NORMAL' });
    expect(await controlGet(fx.sandbox.url, `/sandbox/sign-plans/${String(seeded.json.sign_plan_id)}`)).toMatchObject({ sign_state: 'SIGNED', sub_mchid: SUB_MCHID, going_detail_no: 0 });
    expect(await controlPost(fx.sandbox.url, '/sandbox/sign-plans', { mchid: fx.world.partner.mchid })).toMatchObject({ status: 403, json: { code: 'NO_AUTH' } });
    expect(await controlPost(fx.sandbox.url, '/sandbox/sign-plans', { mchid: '1' })).toMatchObject({ status: 404, json: { code: 'NOT_FOUND' } });
    expect(await controlPost(fx.sandbox.url, '/sandbox/sign-plans', { mchid: fx.world.merchant.mchid, merchant_plan_detail_nos: ['has space'] })).toMatchObject({ status: 400, json: { detail: { field: '/merchant_plan_detail_nos/0' } } });
    expect(await controlPost(fx.sandbox.url, `/sandbox/sign-plans/${String(seeded.json.sign_plan_id)}/cancel`, { type: 'MERCHANT' })).toMatchObject({ status: 400, json: { detail: { field: '/type' } } });
    expect(await controlPost(fx.sandbox.url, '/sandbox/sign-plans/404/sign')).toMatchObject({ status: 404, json: { code: 'NOT_FOUND' } });
  });
});

describe('accounts', () => {
  it('come from the development keys: the direct merchant and the service provider', () => {
    const accounts = sandboxAccountsFromDevKeys(fx.world, { subMchids: [SUB_MCHID] });
    expect(accounts).toEqual([
      { mchid: fx.world.merchant.mchid, kind: 'merchant', merchantSerialNo: fx.world.merchant.merchant.serial, merchantPublicKeyPem: fx.world.merchant.merchant.certificatePem, apiV3Key: fx.world.merchant.apiV3Key },
      { mchid: fx.world.partner.mchid, kind: 'partner', merchantSerialNo: fx.world.partner.merchant.serial, merchantPublicKeyPem: fx.world.partner.merchant.certificatePem, apiV3Key: fx.world.partner.apiV3Key, subMchids: [SUB_MCHID] },
    ]);
    expect(sandboxAccountsFromDevKeys(fx.world)[1]).not.toHaveProperty('subMchids');
  });

  it('accept an SPKI public key instead of the certificate', async () => {
    const [merchant] = sandboxAccountsFromDevKeys(fx.world);
    const spki = await startSandbox({ accounts: [{ ...merchant!, merchantPublicKeyPem: fx.world.merchant.merchant.publicKeyPem }], wechatpay: fx.world.wechatpay });
    signPlansIn(fx.world, spki);
    try {
      await expect(createOrder(spki, fx.world.merchant, merchantOrder())).resolves.toMatchObject({ state: 'CREATED' });
    } finally {
      await spki.close();
    }
  });

  it('fail the start when a key or APIv3 key is unusable, naming the setting', async () => {
    const [merchant] = sandboxAccountsFromDevKeys(fx.world);
    await expect(startSandbox({ accounts: [{ ...merchant!, merchantSerialNo: '01' }], wechatpay: fx.world.wechatpay })).rejects.toThrow(ConfigurationError);
    await expect(startSandbox({ accounts: [{ ...merchant!, apiV3Key: 'short' }], wechatpay: fx.world.wechatpay })).rejects.toThrow('accounts[0].apiV3Key');
    await expect(startSandbox({ accounts: [merchant!, merchant!], wechatpay: fx.world.wechatpay })).rejects.toThrow('registered twice');
  });
});
