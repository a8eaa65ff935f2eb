import { describe, expect, it } from 'vitest';
import { merchantOrder, MERCHANT_PATH, newPlanId, partnerOrder, PARTNER_PATH, post, signerFor, receiverSandboxFixture } from './helpers';

const fx = receiverSandboxFixture();

const create = (order: Record<string, unknown>, body = JSON.stringify(order)) => post(fx.sandbox.url, MERCHANT_PATH, body, signerFor(fx.world.merchant));

describe('sign-plan rules', () => {
  it('let plan details be created in order, each after the previous is completed', async () => {
    const plan = newPlanId();
    for (const detail of [1, 2, 3]) {
      const answer = await create(merchantOrder({ sign_plan_id: plan, plan_detail_no: detail }));
      expect(answer.status).toBe(200);
      fx.sandbox.completeOrder(answer.json.order_id as string);
    }
    await fx.sandbox.idle();
  });

  it('require the first plan detail to be 1', async () => {
    const answer = await create(merchantOrder({ plan_detail_no: 2 }));
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('INVALID_REQUEST');
    expect(answer.json.message).toContain('out of order');
  });

  it('refuse a second open order for the same sign plan', async () => {
    const plan = newPlanId();
    expect((await create(merchantOrder({ sign_plan_id: plan, plan_detail_no: 1 }))).status).toBe(200);
    const answer = await create(merchantOrder({ sign_plan_id: plan, plan_detail_no: 2 }));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('open service order') });
  });

  it('refuse a plan detail that already has an order, and one that skips ahead', async () => {
    const plan = newPlanId();
    const first = await create(merchantOrder({ sign_plan_id: plan, plan_detail_no: 1 }));
    fx.sandbox.completeOrder(first.json.order_id as string);
    expect((await create(merchantOrder({ sign_plan_id: plan, plan_detail_no: 1 }))).json.message).toContain('already has a service order');
    expect((await create(merchantOrder({ sign_plan_id: plan, plan_detail_no: 3 }))).json.message).toContain('out of order');
    await fx.sandbox.idle();
  });

  it('keep sign plans of different sub-merchants apart', async () => {
    const plan = newPlanId();
    expect((await create(merchantOrder({ sign_plan_id: plan }))).status).toBe(200);
    const partner = await post(fx.sandbox.url, PARTNER_PATH, JSON.stringify(partnerOrder({ sign_plan_id: plan })), signerFor(fx.world.partner));
    expect(partner.status).toBe(200);
  });
});

describe('a repeated out_trade_no', () => {
  it('with the same request returns the existing order, even with other key order and spacing', async () => {
    const order = merchantOrder();
    const first = await create(order);
    const same = await create(order);
    const reordered = await create(order, JSON.stringify(Object.fromEntries(Object.entries(order).reverse()), null, 1));
    expect(first.status).toBe(200);
    expect(same.json).toEqual(first.json);
    expect(reordered.json.order_id).toBe(first.json.order_id);
    expect(fx.sandbox.orders().filter((stored) => stored.request.out_trade_no === order.out_trade_no)).toHaveLength(1);
  });

  it('with a different request is 400 INVALID_REQUEST', async () => {
    const order = merchantOrder();
    await create(order);
    const answer = await create({ ...order, attach: 'other' });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('out_trade_no') });
  });

  it('after completion shows the order DONE', async () => {
    const order = merchantOrder();
    const first = await create(order);
    fx.sandbox.completeOrder(first.json.order_id as string);
    const again = await create(order);
    expect(again.json).toMatchObject({ order_id: first.json.order_id, state: 'DONE', state_description: 'MCH_COMPLETE' });
    await fx.sandbox.idle();
  });
});
