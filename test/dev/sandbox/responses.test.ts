import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnknownSerialError } from '../../../lib/wechatpay';
import type { Sandbox, SigningMode } from '../../../dev/sandbox';
import {
  generateWorld,
  merchantOrder,
  MERCHANT_PATH,
  partnerOrder,
  PARTNER_PATH,
  post,
  signerFor,
  startWorldSandbox,
  SUB_MCHID,
  verifierFor,
  type World,
} from './helpers';

let world: World;
const sandboxes: Sandbox[] = [];

beforeAll(async () => {
  world = await generateWorld();
});
afterAll(() => Promise.all(sandboxes.map((sandbox) => sandbox.close())));

async function sandboxIn(mode: SigningMode): Promise<Sandbox> {
  const sandbox = await startWorldSandbox(world, { signingMode: mode });
  sandboxes.push(sandbox);
  return sandbox;
}

describe('signed answers', () => {
  it.each(['publicKey', 'certificate'] as const)('in %s mode verify with Verifier and name that key', async (mode) => {
    const sandbox = await sandboxIn(mode);
    const answer = await post(sandbox.url, MERCHANT_PATH, JSON.stringify(merchantOrder()), signerFor(world.merchant));
    expect(answer.status).toBe(200);
    expect(verifierFor(world.wechatpay, mode).verify(answer.headers, answer.raw).serial).toBe(mode === 'publicKey' ? world.wechatpay.publicKeyId : world.wechatpay.key.serial);
    // A merchant that trusts only the other kind of key cannot verify it.
    expect(() => verifierFor(world.wechatpay, mode === 'publicKey' ? 'certificate' : 'publicKey').verify(answer.headers, answer.raw)).toThrow(UnknownSerialError);
  });

  it('in both mode alternate between the public key id and the certificate serial', async () => {
    const sandbox = await sandboxIn('both');
    const serials: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      const answer = await post(sandbox.url, MERCHANT_PATH, JSON.stringify(merchantOrder()), signerFor(world.merchant));
      serials.push(verifierFor(world.wechatpay, 'both').verify(answer.headers, answer.raw).serial);
    }
    expect(new Set(serials)).toEqual(new Set([world.wechatpay.publicKeyId, world.wechatpay.key.serial]));
    expect(serials[0]).not.toBe(serials[1]);
    expect(serials[0]).toBe(serials[2]);
  });

  it('sign errors too and carry a Request-ID', async () => {
    const sandbox = await sandboxIn('publicKey');
    const answer = await post(sandbox.url, MERCHANT_PATH, '{}', null);
    expect(answer.status).toBe(401);
    expect(answer.headers['request-id']).toMatch(/^[0-9A-F]{40}$/);
    expect(answer.headers['wechatpay-signature-type']).toBe('WECHATPAY2-SHA256-RSA2048');
    expect(() => verifierFor(world.wechatpay).verify(answer.headers, answer.raw)).not.toThrow();
  });
});

describe('a created order', () => {
  it('is the full response object of the merchant seed', async () => {
    const sandbox = await sandboxIn('publicKey');
    const order = merchantOrder();
    const answer = await post(sandbox.url, MERCHANT_PATH, JSON.stringify(order), signerFor(world.merchant));
    expect(answer.headers['request-id']).toMatch(/^[0-9A-F]{40}$/);
    expect(answer.json).toEqual({
      out_order_no: order.out_trade_no,
      service_id: order.service_id,
      appid: order.appid,
      mchid: world.merchant.mchid,
      service_introduction: order.service_introduction,
      state: 'CREATED',
      // No state_description: WeChat Pay describes only a DOING order.
      post_payments: [{ name: order.service_introduction, amount: 1000, description: 'plan detail 1' }],
      post_discounts: [],
      // The sign-plan create page lists risk_fund with its amount alone.
      risk_fund: { amount: 1000 },
      time_range: order.time_range,
      location: order.location,
      attach: order.attach,
      notify_url: order.notify_url,
      order_id: expect.stringMatching(/^\d+$/),
    });
  });

  it('of a partner names the provider as mchid, and the sub-merchant', async () => {
    const sandbox = await sandboxIn('publicKey');
    const order = partnerOrder();
    const answer = await post(sandbox.url, PARTNER_PATH, JSON.stringify(order), signerFor(world.partner));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ mchid: world.partner.mchid, sub_mchid: SUB_MCHID, sub_appid: order.sub_appid, appid: order.appid, out_order_no: order.out_trade_no, state: 'CREATED' });
  });

  it('has a unique numeric order_id', async () => {
    const sandbox = await sandboxIn('publicKey');
    const ids = new Set<unknown>();
    for (let index = 0; index < 5; index += 1) {
      ids.add((await post(sandbox.url, MERCHANT_PATH, JSON.stringify(merchantOrder()), signerFor(world.merchant))).json.order_id);
    }
    expect(ids.size).toBe(5);
  });
});
