import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAuthorization, parseAuthorization } from '../../../lib/wechatpay';
import type { Sandbox } from '../../../dev/sandbox';
import { generateWorld, merchantOrder, MERCHANT_PATH, post, signerFor, startWorldSandbox, type World } from './helpers';

let world: World;
let sandbox: Sandbox;
/** The sandbox's clock: fixed, so that timestamp checks are exact. */
const NOW = Date.UTC(2030, 0, 1, 0, 0, 0);

beforeAll(async () => {
  world = await generateWorld();
  sandbox = await startWorldSandbox(world, { clock: () => NOW });
});
afterAll(() => sandbox.close());

const at = (ms: number) => () => ms;

describe('request authentication', () => {
  it('accepts a request signed by lib/wechatpay Signer over the exact bytes', async () => {
    const body = JSON.stringify(merchantOrder(), null, 2);
    const answer = await post(sandbox.url, MERCHANT_PATH, body, signerFor(world.merchant, at(NOW)));
    expect(answer.status).toBe(200);
    expect(answer.json.state).toBe('CREATED');
  });

  it('accepts a timestamp up to 300 s off the sandbox clock, past or future', async () => {
    for (const skew of [-300_000, 300_000]) {
      const answer = await post(sandbox.url, MERCHANT_PATH, JSON.stringify(merchantOrder()), signerFor(world.merchant, at(NOW + skew)));
      expect(answer.status).toBe(200);
    }
  });

  it.each([
    ['one changed body byte', (body: string, auth: string) => ({ body: body.replace('"plan_detail_no":1', '"plan_detail_no":2'), auth }), 'signature does not verify'],
    ['no Authorization', (body: string) => ({ body, auth: null }), 'Authorization header is missing'],
    ['a malformed Authorization', (body: string, auth: string) => ({ body, auth: auth.replace('WECHATPAY2-SHA256-RSA2048', 'Bearer') }), 'must start with'],
    ['an Authorization lacking a field', (body: string, auth: string) => ({ body, auth: auth.replace(/,nonce_str="[^"]*"/, '') }), 'lacks nonce_str'],
    ['an unknown mchid', (body: string, auth: string) => ({ body, auth: replaceField(auth, 'mchid', '1234567890') }), 'not a registered merchant'],
    ['a wrong serial_no', (body: string, auth: string) => ({ body, auth: replaceField(auth, 'serial_no', world.partner.merchant.serial) }), 'serial_no'],
    ['a signature that is not base64', (body: string, auth: string) => ({ body, auth: replaceField(auth, 'signature', 'not*base64') }), 'not base64'],
    ['a signature by another key', (body: string) => ({ body, auth: otherKeyAuthorization(body) }), 'signature does not verify'],
  ])('rejects %s with 401 SIGN_ERROR', async (_name, tamper, message) => {
    const body = JSON.stringify(merchantOrder());
    const signed = signerFor(world.merchant, at(NOW)).authorization({ method: 'POST', url: MERCHANT_PATH, body });
    const request = tamper(body, signed);
    const answer = await post(sandbox.url, MERCHANT_PATH, request.body, request.auth);
    expect(answer.status).toBe(401);
    expect(answer.json.code).toBe('SIGN_ERROR');
    expect(answer.json.message).toContain(message);
  });

  it.each([
    ['stale', -301_000],
    ['future', 301_000],
  ])('rejects a %s timestamp beyond 300 s with 401 SIGN_ERROR', async (_name, skew) => {
    const answer = await post(sandbox.url, MERCHANT_PATH, JSON.stringify(merchantOrder()), signerFor(world.merchant, at(NOW + skew)));
    expect(answer.status).toBe(401);
    expect(answer.json.code).toBe('SIGN_ERROR');
    expect(answer.json.message).toContain('timestamp');
  });

  it('verifies the path and query as received: a signature over another path fails', async () => {
    const body = JSON.stringify(merchantOrder());
    const auth = signerFor(world.merchant, at(NOW)).authorization({ method: 'POST', url: `${MERCHANT_PATH}?x=1`, body });
    const answer = await post(sandbox.url, MERCHANT_PATH, body, auth);
    expect(answer.status).toBe(401);
  });

  it('checks the signature before the body: an unsigned bad body is 401, not 400', async () => {
    const answer = await post(sandbox.url, MERCHANT_PATH, '{not json', null);
    expect(answer.status).toBe(401);
  });
});

function replaceField(authorization: string, name: 'mchid' | 'serial_no' | 'signature', value: string): string {
  return formatAuthorization({ ...parseAuthorization(authorization), [name]: value });
}

/** The partner's key signing in the merchant's name. */
function otherKeyAuthorization(body: string): string {
  const signed = signerFor(world.partner, at(NOW)).authorization({ method: 'POST', url: MERCHANT_PATH, body });
  return formatAuthorization({ ...parseAuthorization(signed), mchid: world.merchant.mchid, serial_no: world.merchant.merchant.serial });
}
