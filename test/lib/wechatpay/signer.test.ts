import { describe, expect, it } from 'vitest';
import { canonicalUrl, parseAuthorization, randomNonce, requestMessage, Signer, verifySha256WithRsa } from '../../../lib/wechatpay';
import { fixedClock, NOW_SECONDS, wechatpayKey } from '../../helpers/wechatpay';

describe('randomNonce', () => {
  it('gives 32 characters, different each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, randomNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9A-F]{32}$/);
  });
});

describe('canonicalUrl', () => {
  it.each([
    ['https://api.mch.weixin.qq.com/v3/payscore/sign-plan/serviceorder', '/v3/payscore/sign-plan/serviceorder'],
    ['HTTPS://api2.mch.weixin.qq.com/v3/certificates?a=1&b=2', '/v3/certificates?a=1&b=2'],
    ['http://127.0.0.1:8080/v3/x?y=%20', '/v3/x?y=%20'],
    ['/v3/already/a/path?q=1', '/v3/already/a/path?q=1'],
    ['/v3/path?next=https://example.com/x', '/v3/path?next=https://example.com/x'],
  ])('%s signs as %s', (url, expected) => expect(canonicalUrl(url)).toBe(expected));
});

describe('Signer', () => {
  const signer = new Signer({ mchid: '1900000109', serialNo: 'ABC123', privateKey: wechatpayKey.privateKey, clock: fixedClock() });

  it('signs the exact bytes with the current time and a fresh CSPRNG nonce', () => {
    const body = Buffer.from('{"a":"密"}');
    const first = parseAuthorization(signer.authorization({ method: 'post', url: '/v3/x', body }));
    const second = parseAuthorization(signer.authorization({ method: 'post', url: '/v3/x', body }));
    expect(first).toMatchObject({ mchid: '1900000109', serial_no: 'ABC123', timestamp: String(NOW_SECONDS) });
    expect(first.nonce_str).not.toBe(second.nonce_str);
    const message = requestMessage({ method: 'POST', url: '/v3/x', timestamp: first.timestamp, nonce: first.nonce_str, body });
    expect(verifySha256WithRsa(message, Buffer.from(first.signature, 'base64'), wechatpayKey.publicKey)).toBe(true);
  });

  it('signs a string body as its UTF-8 bytes', () => {
    const fixed = new Signer({ mchid: '1', serialNo: 'S', privateKey: wechatpayKey.privateKey, clock: fixedClock(), nonce: () => 'N' });
    expect(fixed.authorization({ method: 'POST', url: '/v3/x', body: '密' })).toBe(fixed.authorization({ method: 'POST', url: '/v3/x', body: Buffer.from('密') }));
  });

  it('uses the system clock when none is injected', () => {
    const live = new Signer({ mchid: '1', serialNo: 'S', privateKey: wechatpayKey.privateKey });
    const { timestamp } = parseAuthorization(live.authorization({ method: 'GET', url: '/v3/x', body: '' }));
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
  });
});
