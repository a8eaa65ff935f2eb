/** The rules of a service order's creation (research "Rules a faithful sandbox enforces"), through signed HTTP requests. */
import { describe, expect, it } from 'vitest';
import { detailTradeNo } from '../../helpers/orders';
import { call, merchantOrder, MERCHANT_PATH, newPlanId, partnerOrder, PARTNER_PATH, post, receiverSandboxFixture, signerFor, SUB_MCHID } from './helpers';

const fx = receiverSandboxFixture();

const create = (order: Record<string, unknown>, body = JSON.stringify(order)) => post(fx.sandbox.url, MERCHANT_PATH, body, signerFor(fx.world.merchant));

/** The merchant completes and the sandbox deducts at once. */
const payNow = (orderId: unknown) => {
  fx.sandbox.completeOrder(orderId as string);
  return fx.sandbox.deductNow(orderId as string);
};

const refusal = async (order: Record<string, unknown>) => {
  const answer = await create(order);
  expect(answer.status).toBe(400);
  expect(answer.json.code).toBe('INVALID_REQUEST');
  return answer.json.message as string;
};

describe('sign-plan rules', () => {
  it('let plan details be created in order, each after the previous is completed and paid; after the last the sign plan is COMPLETE', async () => {
    const plan = newPlanId();
    for (const detail of [1, 2, 3]) {
      const answer = await create(merchantOrder({ sign_plan_id: plan, plan_detail_no: detail }));
      expect(answer.status).toBe(200);
      payNow(answer.json.order_id);
    }
    expect(fx.sandbox.signPlan(plan)).toMatchObject({ sign_state: 'COMPLETE', going_detail_no: 3 });
    await fx.sandbox.idle();
  });

  it('require the first plan detail to be 1', async () => {
    expect(await refusal(merchantOrder({ plan_detail_no: 2 }))).toContain('out of order: the next one is 1');
  });

  it('refuse a second open order for the same sign plan, also after its complete until the deduction succeeds', async () => {
    const plan = newPlanId();
    const first = await create(merchantOrder({ sign_plan_id: plan, plan_detail_no: 1 }));
    expect(first.status).toBe(200);
    expect(await refusal(merchantOrder({ sign_plan_id: plan, plan_detail_no: 2 }))).toContain('already has an open service order (plan_detail_no 1, CREATED)');
    fx.sandbox.stayPaying(first.json.order_id as string);
    fx.sandbox.completeOrder(first.json.order_id as string);
    expect(await refusal(merchantOrder({ sign_plan_id: plan, plan_detail_no: 2 }))).toContain('(plan_detail_no 1, DOING)');
    fx.sandbox.deductNow(first.json.order_id as string);
    expect((await create(merchantOrder({ sign_plan_id: plan, plan_detail_no: 2 }))).status).toBe(200);
    await fx.sandbox.idle();
  });

  it('let the next detail follow a cancelled one', async () => {
    const plan = newPlanId();
    const first = await create(merchantOrder({ sign_plan_id: plan }));
    const cancel = { appid: 'wxd678efh567hg6787', service_id: '2002000000000558128851361561536', reason: '用户取消' };
    expect((await call(fx.sandbox, fx.world.merchant, 'POST', `/v3/payscore/serviceorder/${String(first.json.out_order_no)}/cancel`, cancel)).status).toBe(200);
    expect((await create(merchantOrder({ sign_plan_id: plan, plan_detail_no: 2 }))).status).toBe(200);
    expect((fx.sandbox.signPlan(plan).signed_detail_list as { plan_detail_state: string }[]).map((detail) => detail.plan_detail_state)).toEqual(['SIGN_PLAN_DETAIL_CANCEL', 'USING', 'NOT_USED']);
  });

  it('refuse a plan detail that already has an order, one that skips ahead, and one the plan does not have', async () => {
    const plan = newPlanId();
    const first = await create(merchantOrder({ sign_plan_id: plan, plan_detail_no: 1 }));
    payNow(first.json.order_id);
    expect(await refusal(merchantOrder({ sign_plan_id: plan, plan_detail_no: 1, out_trade_no: detailTradeNo(plan, 1).replace(/-1$/, 'X1') }))).toContain('already has a service order');
    expect(await refusal(merchantOrder({ sign_plan_id: plan, plan_detail_no: 3 }))).toContain('out of order: the next one is 2');
    expect(await refusal(merchantOrder({ sign_plan_id: plan, plan_detail_no: 4 }))).toContain('is not a plan detail of sign plan');
    await fx.sandbox.idle();
  });

  it("require out_trade_no to be the detail's merchant_plan_detail_no", async () => {
    const plan = newPlanId();
    expect(await refusal(merchantOrder({ sign_plan_id: plan, out_trade_no: 'OTHER1' }))).toBe(`out_trade_no OTHER1 must be the merchant_plan_detail_no of plan detail 1: ${detailTradeNo(plan, 1)}`);
  });

  it('refuse a sign plan that does not exist, another merchant’s, another service’s, and one not SIGNED', async () => {
    expect(await refusal(merchantOrder({ sign_plan_id: 'NO_SUCH_PLAN' }))).toBe('sign_plan_id NO_SUCH_PLAN is not a user sign plan of this merchant');
    const partnerPlan = newPlanId('partner');
    expect(await refusal(merchantOrder({ sign_plan_id: partnerPlan }))).toContain('is not a user sign plan of this merchant');
    expect(await refusal(merchantOrder({ service_id: '2002000000000558128851361569999' }))).toContain('is not the service of sign plan');
    const cancelled = newPlanId();
    fx.sandbox.userCancelSignPlan(cancelled);
    expect(await refusal(merchantOrder({ sign_plan_id: cancelled }))).toBe(`sign plan ${cancelled} is SIGN_PLAN_CANCEL: orders are created only for a SIGNED sign plan`);
    await fx.sandbox.idle();
  });

  it('keep sign plans of different sub-merchants apart', async () => {
    const plan = newPlanId('partner');
    expect((await post(fx.sandbox.url, PARTNER_PATH, JSON.stringify(partnerOrder({ sign_plan_id: plan })), signerFor(fx.world.partner))).status).toBe(200);
    const seeded = fx.sandbox.seedSignPlan({ mchid: fx.world.partner.mchid, sub_mchid: '1900000999' });
    const other = partnerOrder({ sign_plan_id: seeded.sign_plan_id, out_trade_no: seeded.details[0]!.merchant_plan_detail_no, sub_mchid: SUB_MCHID });
    const answer = await post(fx.sandbox.url, PARTNER_PATH, JSON.stringify(other), signerFor(fx.world.partner));
    expect(answer.json).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('is not a user sign plan of this merchant') });
  });

  it("price the order at the plan detail's actual_price", async () => {
    const seeded = fx.sandbox.seedSignPlan({ mchid: fx.world.merchant.mchid, price: 2500 });
    const answer = await create(merchantOrder({ sign_plan_id: seeded.sign_plan_id, out_trade_no: seeded.details[0]!.merchant_plan_detail_no }));
    expect(answer.json).toMatchObject({ post_payments: [{ amount: 2500 }], risk_fund: { amount: 2500 } });
    expect(fx.sandbox.order(answer.json.order_id as string).amount).toBe(2500);
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

  it('after payment shows the order DONE, without state_description (said only while DOING)', async () => {
    const order = merchantOrder();
    const first = await create(order);
    payNow(first.json.order_id);
    const again = await create(order);
    expect(again.json).toMatchObject({ order_id: first.json.order_id, state: 'DONE', total_amount: 1000, collection: { state: 'USER_PAID', paid_amount: 1000 } });
    expect(again.json).not.toHaveProperty('state_description');
    await fx.sandbox.idle();
  });
});
