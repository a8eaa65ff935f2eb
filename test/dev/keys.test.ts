// dev/keys.ts is shared by dev/aws and the sandbox; it lives here until test/dev/ has a home for it.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountSecret, loadOrCreateDevKeys, type DevKeys, type VerificationMode } from '../../dev/keys';

let root: string;
let keysDir: string;
let keys: DevKeys;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dev-keys-'));
  keysDir = join(root, '.dev-keys');
  keys = await loadOrCreateDevKeys(keysDir);
});

afterAll(() => rm(root, { recursive: true, force: true }));

describe('loadOrCreateDevKeys', () => {
  it('generates the keys on first use into a folder only the owner can read', async () => {
    expect(await readdir(keysDir)).toEqual(['keys.json']);
    expect((await stat(keysDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(keysDir, 'keys.json'))).mode & 0o777).toBe(0o600);
    expect(keys.merchant.mchid).toBe('1900000109');
    expect(keys.partner.mchid).toBe('1900000001');
  });

  it('returns the same keys the second time', async () => {
    expect(await loadOrCreateDevKeys(keysDir)).toEqual(keys);
  });
});

describe('accountSecret', () => {
  const wechatpayKeyIds = (mode: VerificationMode) => Object.keys(JSON.parse(accountSecret(keys.merchant, keys.wechatpay, mode)).wechatpayPublicKeys);

  it('trusts the WeChat Pay public key id, the platform certificate serial, or both', () => {
    expect(wechatpayKeyIds('publicKey')).toEqual([keys.wechatpay.publicKeyId]);
    expect(wechatpayKeyIds('certificate')).toEqual([keys.wechatpay.key.serial]);
    expect(wechatpayKeyIds('both').sort()).toEqual([keys.wechatpay.publicKeyId, keys.wechatpay.key.serial].sort());
  });

  it('holds the fields of SPEC "The secret", the certificate under its own serial', () => {
    const secret = JSON.parse(accountSecret(keys.partner, keys.wechatpay));
    expect(secret).toMatchObject({ mchid: '1900000001', merchantSerialNo: keys.partner.merchant.serial, merchantPrivateKey: keys.partner.merchant.privateKeyPem });
    expect(Buffer.byteLength(secret.apiV3Key)).toBe(32);
    expect(keys.wechatpay.publicKeyId).toMatch(/^PUB_KEY_ID_\d+$/);
    expect(new X509Certificate(secret.wechatpayPublicKeys[keys.wechatpay.key.serial]).serialNumber).toBe(keys.wechatpay.key.serial);
  });
});
