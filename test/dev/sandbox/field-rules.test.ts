import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../dev/sandbox';
import { generateWorld, merchantOrder, MERCHANT_PATH, partnerOrder, PARTNER_PATH, post, signerFor, startWorldSandbox, type World } from './helpers';

let world: World;
let sandbox: Sandbox;

beforeAll(async () => {
  world = await generateWorld();
  sandbox = await startWorldSandbox(world);
});
afterAll(() => sandbox.close());

const send = (path: string, body: string, account = path === MERCHANT_PATH ? world.merchant : world.partner) => post(sandbox.url, path, body, signerFor(account));

function without(order: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = order;
  return rest;
}

describe('field rules', () => {
  it.each([
    ['a missing openid', () => without(merchantOrder(), 'openid'), '/openid'],
    ['a bad start_time', () => merchantOrder({ time_range: { start_time: '2009-12-25' } }), '/time_range/start_time'],
    ['a plan_detail_no of 0', () => merchantOrder({ plan_detail_no: 0 }), '/plan_detail_no'],
    ['an http notify_url', () => merchantOrder({ notify_url: 'http://merchant.example/notify' }), '/notify_url'],
    ['a service_introduction of 21 characters', () => merchantOrder({ service_introduction: '课'.repeat(21) }), '/service_introduction'],
    ['an unknown field', () => merchantOrder({ sub_mchid: '1900000110' }), '/sub_mchid'],
  ])('reject %s from a merchant with 400 PARAM_ERROR naming the field', async (_name, order, field) => {
    const answer = await send(MERCHANT_PATH, JSON.stringify(order()));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field, location: 'body' } });
    expect(answer.json.message).toContain(field);
  });

  it.each([
    ['both openid and sub_openid', () => partnerOrder({ openid: 'o1' }), '/openid'],
    ['neither openid nor sub_openid', () => without(partnerOrder(), 'sub_openid'), '/openid'],
    ['sub_openid without sub_appid', () => without(partnerOrder(), 'sub_appid'), '/sub_appid'],
    ['a missing sub_mchid', () => without(partnerOrder(), 'sub_mchid'), '/sub_mchid'],
  ])('reject %s from a partner with 400 PARAM_ERROR naming the field', async (_name, order, field) => {
    const answer = await send(PARTNER_PATH, JSON.stringify(order()));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field } });
  });

  it('accept a partner order with openid instead of sub_openid', async () => {
    const answer = await send(PARTNER_PATH, JSON.stringify(without(partnerOrder({ openid: 'o1' }), 'sub_openid')));
    expect(answer.status).toBe(200);
  });

  it('echo the offending value', async () => {
    const answer = await send(MERCHANT_PATH, JSON.stringify(merchantOrder({ plan_detail_no: 0 })));
    expect(answer.json.detail).toMatchObject({ value: 0 });
  });

  it.each([
    ['not JSON', '{"service_id":'],
    ['a JSON array', '[]'],
  ])('reject a body that is %s with 400 PARAM_ERROR on the body (the empty JSON Pointer)', async (_name, body) => {
    const answer = await send(MERCHANT_PATH, body);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '', location: 'body' } });
  });
});

describe('account rights', () => {
  it('refuse a sub_mchid that is not the provider’s sub-merchant with 403 NO_AUTH', async () => {
    const answer = await send(PARTNER_PATH, JSON.stringify(partnerOrder({ sub_mchid: '1999999999' })));
    expect(answer.status).toBe(403);
    expect(answer.json.code).toBe('NO_AUTH');
  });

  it('refuse a direct merchant on the partner route and a provider on the merchant route', async () => {
    expect((await send(PARTNER_PATH, JSON.stringify(partnerOrder()), world.merchant)).json.code).toBe('NO_AUTH');
    expect((await send(MERCHANT_PATH, JSON.stringify(merchantOrder()), world.partner)).json.code).toBe('NO_AUTH');
  });
});
