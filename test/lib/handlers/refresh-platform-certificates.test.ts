/**
 * The certificate refresher against the sandbox (as WeChat Pay) and the Secrets
 * Manager stand-in, through the real SDK client; notifications checked with the
 * deduction-notify handler and a fresh SecretCache, as a new container would.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DevWechatpayKeys } from '../../../dev/keys';
import { sandboxAccountsFromDevKeys, startSandbox, type Sandbox } from '../../../dev/sandbox';
import { deductionNotifyHandler } from '../../../lib/handlers/deduction-notify';
import { refreshPlatformCertificatesHandler, type RefreshOutcome } from '../../../lib/handlers/refresh-platform-certificates';
import { headerValue, signResponse, type Transport } from '../../../lib/wechatpay';
import { nodeTransport } from '../../../lib/http/transport';
import { createTestWorld, type TestWorld } from '../../helpers/accounts';
import { DAY_MS, platformCertificate } from '../../helpers/certificates';
import { httpApiEvent, lambdaContext } from '../../helpers/events';
import { startLocalAws, type LocalAws } from '../../helpers/local-aws';
import { recordingLog, type RecordingLog } from '../../helpers/logs';
import { buildNotification } from '../../helpers/notifications';
import { generateRsaKeyPair } from '../../helpers/wechatpay';
import { signPlansIn } from '../../helpers/orders';
import { createOrder, MERCHANT_PATH, merchantOrder } from '../../dev/sandbox/helpers';
import { recordingMetrics, TEST_FUNCTION_NAME, type RecordingMetrics } from '../../helpers/metrics';

const T0 = Math.floor(Date.now() / 1000) * 1000;
let now = T0;
const clock = () => now;

let world: TestWorld;
/** WeChat Pay's key, its platform certificate valid for 30 days only: the old one of a rotation. */
let wechatpay: DevWechatpayKeys;
let sandbox: Sandbox;
let aws: LocalAws;
let log: RecordingLog;
let metrics: RecordingMetrics;

beforeAll(async () => {
  world = await createTestWorld();
  wechatpay = { publicKeyId: world.wechatpay.publicKeyId, key: await platformCertificate(T0 - DAY_MS, T0 + 30 * DAY_MS) };
});
afterEach(async () => {
  now = T0;
  await Promise.all([sandbox.close(), aws.close()]);
});

type Mode = 'empty' | 'certificate' | 'publicKey' | 'both';

/** A sandbox signing in certificate mode, and the merchant's secret holding WeChat Pay's keys as `mode` says. */
async function start(mode: Mode): Promise<void> {
  sandbox = await startSandbox({ accounts: sandboxAccountsFromDevKeys(world), wechatpay, signingMode: 'certificate', clock });
  signPlansIn(world, sandbox);
  const secret = JSON.parse(world.secret(world.merchant));
  const keys: Record<string, string> = {};
  if (mode === 'publicKey' || mode === 'both') keys[wechatpay.publicKeyId] = wechatpay.key.publicKeyPem;
  if (mode === 'certificate' || mode === 'both') keys[wechatpay.key.serial] = wechatpay.key.certificatePem;
  aws = await startLocalAws({ merchant: JSON.stringify({ ...secret, wechatpayPublicKeys: keys }) });
  log = recordingLog();
  metrics = recordingMetrics('refresh-platform-certificates', clock);
}

const wechatpayTransport = nodeTransport();

function refresh(transport: Transport = wechatpayTransport): Promise<RefreshOutcome> {
  const handler = refreshPlatformCertificatesHandler(log, () => ({ secrets: aws.secretWriter('merchant'), transport, baseUrl: sandbox.url, clock, retry: { maxRetries: 0 } }), metrics);
  return handler({}, lambdaContext(30_000));
}

const storedKeys = async (): Promise<Record<string, string>> => JSON.parse((await aws.secretWriter('merchant').read()).secretString).wechatpayPublicKeys;

/** What the notify function answers, fresh from the secret as it is now. */
async function deliver(notification: { headers: Record<string, string>; body: string }): Promise<number> {
  const secrets = aws.secretCache('merchant', { clock });
  const handler = deductionNotifyHandler(recordingLog(), () => ({ secrets, ledger: aws.ledger(), clock }), recordingMetrics());
  return (await handler(httpApiEvent(notification), lambdaContext())).statusCode;
}

/** A notification the sandbox signs as WeChat Pay does now (certificate mode: its newest certificate). */
async function sandboxNotification(): Promise<{ headers: Record<string, string>; body: string }> {
  const order = await createOrder(sandbox, world.merchant, merchantOrder(), MERCHANT_PATH, clock);
  return sandbox.buildNotification(order.order_id as string);
}

/** A notification signed with the first (old) certificate. */
const oldCertificateNotification = () => buildNotification(wechatpay, world.merchant, { signWith: 'certificate', clock });

describe('refresh-platform-certificates', () => {
  it('first download into an empty secret: the certificate is stored, then notifications verify; a second run changes nothing', async () => {
    await start('empty');
    expect(await refresh()).toMatchObject({ outcome: 'updated', added: [wechatpay.key.serial], removed: [] });
    expect(await storedKeys()).toEqual({ [wechatpay.key.serial]: wechatpay.key.certificatePem });
    expect(await deliver(await sandboxNotification())).toBe(204);

    const writes = aws.secretsManager.calls.PutSecretValue;
    expect(await refresh()).toEqual({ outcome: 'unchanged', serials: [wechatpay.key.serial] });
    expect(aws.secretsManager.calls.PutSecretValue).toBe(writes);
    expect(log.lines).toEqual([
      {
        level: 'info',
        message: 'platform certificates updated',
        attributes: { added: [wechatpay.key.serial], removed: [], version_id: expect.any(String) },
        invocation: expect.objectContaining({ aws_request_id: expect.stringMatching(/^lambda-request-/) }),
      },
      {
        level: 'info',
        message: 'platform certificates unchanged',
        attributes: { serials: [wechatpay.key.serial] },
        invocation: expect.objectContaining({ aws_request_id: expect.stringMatching(/^lambda-request-/) }),
      },
    ]);
  });

  it('rotation: the new certificate is added and verifies; the old one verifies until it expires, then is dropped', async () => {
    await start('certificate');
    const rotated = await sandbox.rotateCertificate();
    const signedByNew = await sandboxNotification();
    expect(signedByNew.headers['Wechatpay-Serial']).toBe(rotated.serial);
    expect(await deliver(signedByNew)).toBe(401);

    expect(await refresh()).toMatchObject({ outcome: 'updated', added: [rotated.serial], removed: [] });
    expect(Object.keys(await storedKeys())).toEqual([wechatpay.key.serial, rotated.serial]);
    expect(await deliver(await sandboxNotification())).toBe(204);
    expect(await deliver(oldCertificateNotification())).toBe(204);

    now = T0 + 31 * DAY_MS;
    expect(await deliver(oldCertificateNotification())).toBe(401);
    expect(await refresh()).toMatchObject({ outcome: 'updated', added: [], removed: [wechatpay.key.serial] });
    expect(Object.keys(await storedKeys())).toEqual([rotated.serial]);
    expect(await deliver(await sandboxNotification())).toBe(204);
  });

  describe('a download that cannot be trusted changes nothing', () => {
    const attacker = generateRsaKeyPair();
    /** The sandbox's answer, its body or signature changed on the way. */
    const altered = (change: (body: string, headers: Record<string, string>) => { body: string; headers: Record<string, string> }): Transport => async (url, init) => {
      const response = await wechatpayTransport(url, init);
      const headers = Object.fromEntries(Object.keys(response.headers).map((name) => [name, headerValue(response.headers, name)!]));
      const changed = change(response.body.toString('utf8'), headers);
      // On the wire, as node:http gives them: one header per name, lower-cased.
      const wire = Object.fromEntries(Object.entries(changed.headers).map(([name, value]) => [name.toLowerCase(), value]));
      return { status: response.status, headers: wire, body: Buffer.from(changed.body) };
    };
    const cases: [string, Mode, string, Transport][] = [
      ['a tampered body', 'certificate', 'WECHATPAY_UNAVAILABLE', altered((body, headers) => ({ body: body.replace('"data":[', '"data":[ '), headers }))],
      [
        'a signature by another key under the trusted serial',
        'certificate',
        'WECHATPAY_UNAVAILABLE',
        altered((body, headers) => ({ body, headers: { ...headers, ...signResponse({ serial: headers['wechatpay-serial']!, privateKey: attacker.privateKey, clock }, body) } })),
      ],
      ['a first download signed by no certificate it carries', 'empty', 'WECHATPAY_UNAVAILABLE', altered((body, headers) => ({ body, headers: { ...headers, ...signResponse({ serial: 'ABCDEF', privateKey: attacker.privateKey, clock }, body) } }))],
      ['a first download whose certificate does not decrypt', 'empty', 'WECHATPAY_DECRYPTION_FAILED', altered((body, headers) => ({ body: body.replace(/"ciphertext":"[A-Za-z0-9+/]{4}/, '"ciphertext":"AAAA'), headers }))],
    ];

    it.each(cases)('%s', async (_name, mode, code, tampering) => {
      await start(mode);
      await sandbox.rotateCertificate();
      const before = await aws.secretWriter('merchant').read();
      await expect(refresh(tampering)).rejects.toMatchObject({ code });
      expect(await aws.secretWriter('merchant').read()).toEqual(before);
      expect(aws.secretsManager.calls.PutSecretValue).toBe(0);
      expect(log.lines.find((line) => line.level === 'error')?.message).toBe('platform certificate refresh failed; the secret is unchanged');
      expect(log.text()).not.toContain('BEGIN');
    });
  });

  it('a secret with both a PUB_KEY_ID_ key and certificates verifies notifications signed with either', async () => {
    await start('both');
    expect(await refresh()).toEqual({ outcome: 'unchanged', serials: [wechatpay.key.serial] });
    expect(await deliver(buildNotification(wechatpay, world.merchant, { signWith: 'publicKey', clock }))).toBe(204);
    expect(await deliver(oldCertificateNotification())).toBe(204);
  });

  it('public-key mode only: disabled, nothing downloaded or written', async () => {
    await start('publicKey');
    let calls = 0;
    const counting: Transport = (url, init) => {
      calls += 1;
      return wechatpayTransport(url, init);
    };
    expect(await refresh(counting)).toEqual({ outcome: 'disabled' });
    expect(calls).toBe(0);
    expect(aws.secretsManager.calls.PutSecretValue).toBe(0);
    expect(log.lines.map((line) => line.message)).toEqual([expect.stringContaining('disabled')]);
  });

  it('keeps private keys out of the logs', async () => {
    await start('empty');
    await refresh();
    const text = log.text();
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(world.merchant.apiV3Key);
  });

  it.each([
    [30_000, undefined, 10_000],
    [30_000, 300, 300],
    [6_000, undefined, 1_000],
    [5_000, undefined, 0],
  ])('with %i ms of Lambda time left and deadlineMs %s, WeChat Pay gets %i ms (the injected clock)', async (remainingMs, deadlineMs, budgetMs) => {
    await start('certificate');
    const attempts: number[] = [];
    // Every attempt takes 100 ms of the injected clock and fails as a network error: retried until the deadline.
    const transport: Transport = async () => {
      attempts.push(now - T0);
      now += 100;
      throw new Error('socket hang up');
    };
    const retry = { maxRetries: 1_000, sleep: async () => undefined };
    const handler = refreshPlatformCertificatesHandler(log, () => ({ secrets: aws.secretWriter('merchant'), transport, baseUrl: sandbox.url, clock, retry, ...(deadlineMs === undefined ? {} : { deadlineMs }) }), metrics);
    await expect(handler({}, lambdaContext(remainingMs))).rejects.toMatchObject({ code: 'WECHATPAY_TIMEOUT' });
    expect(attempts).toEqual(Array.from({ length: budgetMs / 100 }, (_, index) => index * 100));
    expect(now - T0).toBe(budgetMs);
    expect(log.lines.at(-1)).toMatchObject({ level: 'error', message: 'platform certificate refresh failed; the secret is unchanged', attributes: { error: expect.objectContaining({ code: 'WECHATPAY_TIMEOUT' }) } });
    expect(aws.secretsManager.calls.PutSecretValue).toBe(0);
    expect(metrics.emitted()).toEqual([
      { operation: 'certificates', status: 'TIMEOUT', WechatpayCalls: 1, WechatpayLatency: budgetMs },
      { outcome: 'failed', CertificateRefreshes: 1, CertificateRefreshFailed: 1 },
    ]);
  });

  describe('metrics and logs', () => {
    /** The sandbox, each answer taking 120 ms of the injected clock. */
    const slow: Transport = async (url, init) => {
      now += 120;
      return wechatpayTransport(url, init);
    };

    it('counts each run by outcome, and its WeChat Pay call by operation, answer status and latency', async () => {
      await start('empty');
      await refresh(slow);
      await refresh(slow);
      expect(metrics.emitted()).toEqual([
        { operation: 'certificates', status: '200', WechatpayCalls: 1, WechatpayLatency: 120 },
        { outcome: 'updated', CertificateRefreshes: 1, CertificateRefreshFailed: 0 },
        { operation: 'certificates', status: '200', WechatpayCalls: 1, WechatpayLatency: 120 },
        { outcome: 'unchanged', CertificateRefreshes: 1, CertificateRefreshFailed: 0 },
      ]);
      expect(metrics.documents().every((document) => document.function_name === TEST_FUNCTION_NAME && document.service === 'refresh-platform-certificates')).toBe(true);
    });

    it('a run in public-key mode is counted disabled, with no call', async () => {
      await start('publicKey');
      await refresh();
      expect(metrics.emitted()).toEqual([{ outcome: 'disabled', CertificateRefreshes: 1, CertificateRefreshFailed: 0 }]);
    });

    it("every line carries the invocation's fields: request id, function name, cold start, X-Ray trace id", async () => {
      await start('publicKey');
      const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
      const handler = refreshPlatformCertificatesHandler(log, () => ({ secrets: aws.secretWriter('merchant'), transport: wechatpayTransport, baseUrl: sandbox.url, clock }), metrics, () => trace);
      const context = lambdaContext();
      await handler({}, context);
      expect(log.lines[0]!.invocation).toEqual({ aws_request_id: context.awsRequestId, function_name: 'test', cold_start: expect.any(Boolean), xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793' });
    });

    it('at DEBUG, also logs the download: its status and WeChat Pay request id', async () => {
      await start('certificate');
      log = recordingLog({ debug: true });
      await refresh();
      expect(log.lines.filter((line) => line.level === 'debug')).toEqual([
        { level: 'debug', message: 'platform certificates downloaded', attributes: { status: 200, wechatpay_request_id: expect.any(String), deadline_ms: 10_000 }, invocation: expect.any(Object) },
      ]);
    });
  });
});
