import { beforeAll, describe, expect, it } from 'vitest';
import { parseAccountSecret } from '../../../lib/secrets/account-credentials';
import { parseCertificateSecret } from '../../../lib/secrets/certificate-secret';
import { ConfigurationError } from '../../../lib/wechatpay';
import { createTestWorld, type TestWorld } from '../../helpers/accounts';

let world: TestWorld;
let secret: Record<string, unknown>;
beforeAll(async () => {
  world = await createTestWorld();
  secret = { ...JSON.parse(world.secret(world.merchant)), note: 'kept as it is' };
});

describe('parseCertificateSecret', () => {
  it.each([
    ['empty', {}],
    ['absent', undefined],
  ])('reads a secret whose wechatpayPublicKeys is %s (before the first download), which handlers refuse', (_name, keys) => {
    const text = JSON.stringify({ ...secret, wechatpayPublicKeys: keys });
    const parsed = parseCertificateSecret(text);
    expect(parsed).toMatchObject({ mchid: world.merchant.mchid, storedKeys: {} });
    expect(parsed.keys.size).toBe(0);
    expect(() => parseAccountSecret(text)).toThrow(ConfigurationError);
  });

  it('loads the stored keys and rewrites only wechatpayPublicKeys', () => {
    const parsed = parseCertificateSecret(JSON.stringify(secret));
    expect([...parsed.keys.keys()].sort()).toEqual([world.wechatpay.key.serial, world.wechatpay.publicKeyId].sort());
    expect(parsed.storedKeys).toEqual(secret.wechatpayPublicKeys);
    expect(JSON.parse(parsed.withKeys({ X: 'y' }))).toEqual({ ...secret, wechatpayPublicKeys: { X: 'y' } });
  });

  it('still refuses malformed fields, naming them', () => {
    expect(() => parseCertificateSecret(JSON.stringify({ ...secret, wechatpayPublicKeys: [] }))).toThrow('wechatpayPublicKeys: must be an object');
    expect(() => parseCertificateSecret(JSON.stringify({ ...secret, apiV3Key: 'short' }))).toThrow('apiV3Key: must be exactly 32 bytes');
  });
});
