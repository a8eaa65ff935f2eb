import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../dev/keys';
import { parseAccountSecret } from '../../../lib/secrets/account-credentials';
import { buildAccountSecret, type AccountSecretFiles } from '../../../lib/secrets/build-account-secret';
import { ConfigurationError } from '../../../lib/wechatpay';
import { createTestWorld, type TestWorld } from '../../helpers/accounts';

let world: TestWorld;
let files: AccountSecretFiles;
beforeAll(async () => {
  world = await createTestWorld();
  files = {
    mchid: world.merchant.mchid,
    merchantPrivateKeyPem: world.merchant.merchant.privateKeyPem,
    merchantCertificatePem: world.merchant.merchant.certificatePem,
    apiV3Key: world.merchant.apiV3Key,
    wechatpayPublicKey: { id: world.wechatpay.publicKeyId, pem: world.wechatpay.key.publicKeyPem },
    platformCertificatePems: [world.wechatpay.key.certificatePem],
  };
});

describe('buildAccountSecret', () => {
  it('builds the secret the functions read: serials taken from the certificates', () => {
    const secret = JSON.parse(buildAccountSecret(files));
    expect(secret).toMatchObject({ mchid: world.merchant.mchid, merchantSerialNo: world.merchant.merchant.serial, apiV3Key: world.merchant.apiV3Key });
    expect(Object.keys(secret.wechatpayPublicKeys)).toEqual([world.wechatpay.publicKeyId, world.wechatpay.key.serial]);
    expect(parseAccountSecret(JSON.stringify(secret)).preferredWechatpaySerial).toBe(world.wechatpay.publicKeyId);
  });

  it('accepts the public key alone, or certificates alone', () => {
    expect(() => buildAccountSecret({ ...files, platformCertificatePems: [] })).not.toThrow();
    const { wechatpayPublicKey: _none, ...certificatesOnly } = files;
    expect(() => buildAccountSecret(certificatesOnly)).not.toThrow();
  });

  it('refuses a private key that is not the certificate’s', async () => {
    const other = await generateKeyPair({ commonName: 'other' });
    expect(() => buildAccountSecret({ ...files, merchantPrivateKeyPem: other.privateKeyPem })).toThrow('does not belong to the merchant certificate');
  });

  it.each([
    ['merchant certificate', { merchantCertificatePem: 'not a certificate' }],
    ['platform certificate 1', { platformCertificatePems: ['nope'] }],
    ['apiV3Key', { apiV3Key: 'too-short' }],
    ['wechatpayPublicKeys', { wechatpayPublicKey: undefined, platformCertificatePems: [] }],
  ])('names %s when it is wrong', (field, change) => {
    try {
      buildAccountSecret({ ...files, ...change });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).field).toBe(field);
    }
  });
});

describe('npm run secret', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secret-'));
    await Promise.all([
      writeFile(join(dir, 'apiclient_key.pem'), files.merchantPrivateKeyPem),
      writeFile(join(dir, 'apiclient_cert.pem'), files.merchantCertificatePem),
      writeFile(join(dir, 'apiv3.txt'), `${files.apiV3Key}\n`),
      writeFile(join(dir, 'pub_key.pem'), files.wechatpayPublicKey!.pem),
    ]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build-secret.ts', ...args], { env: { ...process.env, WECHATPAY_API_V3_KEY: '' } });

  it('writes a valid secret file readable by its owner only', async () => {
    const out = join(dir, 'secret.json');
    await run(['--mchid', files.mchid, '--private-key', join(dir, 'apiclient_key.pem'), '--certificate', join(dir, 'apiclient_cert.pem'), '--api-v3-key-file', join(dir, 'apiv3.txt'), '--public-key', join(dir, 'pub_key.pem'), '--public-key-id', files.wechatpayPublicKey!.id, '--out', out]);
    expect(parseAccountSecret(await readFile(out, 'utf8')).mchid).toBe(files.mchid);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
  });

  it('says what is missing and exits non-zero', async () => {
    const error = await run(['--mchid', files.mchid]).catch((caught: { code: number; stderr: string }) => caught);
    expect(error).toMatchObject({ code: 1, stderr: expect.stringContaining('missing --private-key, --certificate') });
  });
});
