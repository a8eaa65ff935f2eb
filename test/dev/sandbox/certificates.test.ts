/** GET /v3/certificates and certificate rotation in the sandbox. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../dev/sandbox';
import { apiV3KeyBytes, CERTIFICATES_PATH, readCertificateDownload, type Signer } from '../../../lib/wechatpay';
import { controlGet, controlPost, generateWorld, signerFor, startWorldSandbox, verifierFor, type World } from './helpers';

let world: World;
let sandbox: Sandbox;
beforeAll(async () => {
  world = await generateWorld();
  sandbox = await startWorldSandbox(world, { signingMode: 'certificate' });
});
afterAll(() => sandbox.close());

async function download(signer: Signer | null, wechatpaySerial?: string) {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (signer) headers.Authorization = signer.authorization({ method: 'GET', url: CERTIFICATES_PATH, body: '' });
  if (wechatpaySerial) headers['Wechatpay-Serial'] = wechatpaySerial;
  const response = await fetch(`${sandbox.url}${CERTIFICATES_PATH}`, { headers });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) };
}

describe('GET /v3/certificates', () => {
  it('refuses an unsigned request with a signed 401 SIGN_ERROR', async () => {
    const answer = await download(null);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ code: 'SIGN_ERROR' });
    expect(answer.headers['wechatpay-signature']).toBeDefined();
  });

  it("lists the platform certificate encrypted with the caller's APIv3 key, signed with it", async () => {
    const answer = await download(signerFor(world.partner));
    expect(answer.status).toBe(200);
    expect(verifierFor(world.wechatpay, 'certificate').verify(answer.headers, answer.body).serial).toBe(world.wechatpay.key.serial);
    const { certificates } = readCertificateDownload(answer.body, apiV3KeyBytes(world.partner.apiV3Key));
    expect(certificates.map((certificate) => certificate.pem)).toEqual([world.wechatpay.key.certificatePem]);
    expect(() => readCertificateDownload(answer.body, apiV3KeyBytes(world.merchant.apiV3Key))).toThrow('authentication tag does not match');
    const [entry] = JSON.parse(answer.body.toString()).data;
    expect(entry).toMatchObject({ serial_no: world.wechatpay.key.serial, effective_time: expect.stringMatching(/\+08:00$/), encrypt_certificate: { associated_data: 'certificate' } });
  });
});

describe('certificate rotation', () => {
  it('publishes old and new, signs with the new from then on, and with the old when a request names it', async () => {
    const { status, json: rotated } = await controlPost(sandbox.url, '/sandbox/certificates/rotate');
    expect(status).toBe(200);
    expect(rotated).toMatchObject({ serial: expect.stringMatching(/^[0-9A-F]{40}$/), certificatePem: expect.stringContaining('BEGIN CERTIFICATE') });
    expect(rotated).not.toHaveProperty('privateKeyPem');
    const listed = (await controlGet(sandbox.url, '/sandbox/certificates')) as { serial: string }[];
    expect(listed.map((certificate) => certificate.serial)).toEqual([world.wechatpay.key.serial, rotated.serial]);
    expect(sandbox.certificates()).toEqual(listed);

    const answer = await download(signerFor(world.merchant));
    expect(answer.headers['wechatpay-serial']).toBe(rotated.serial);
    expect(readCertificateDownload(answer.body, apiV3KeyBytes(world.merchant.apiV3Key)).certificates.map((certificate) => certificate.serial)).toEqual(listed.map((certificate) => certificate.serial));
    expect((await download(signerFor(world.merchant), world.wechatpay.key.serial.toLowerCase())).headers['wechatpay-serial']).toBe(world.wechatpay.key.serial);
    expect((await download(signerFor(world.merchant), 'UNKNOWN')).headers['wechatpay-serial']).toBe(rotated.serial);
  });

  it('signs with the public key when a request names it', async () => {
    expect((await download(signerFor(world.merchant), world.wechatpay.publicKeyId)).headers['wechatpay-serial']).toBe(world.wechatpay.publicKeyId);
  });
});
