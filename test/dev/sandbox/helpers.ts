import { afterAll, afterEach, beforeAll } from 'vitest';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  apiV3KeyBytes,
  decryptNotificationResource,
  loadPrivateKey,
  loadWechatpayPublicKeys,
  parseNotificationEnvelope,
  Signer,
  Verifier,
  type Clock,
} from '../../../lib/wechatpay';
import { generateDevKeys, type DevAccount, type DevKeys, type DevWechatpayKeys } from '../../../dev/keys';
import { sandboxAccountsFromDevKeys, startSandbox, type Sandbox, type SandboxOptions, type SigningMode } from '../../../dev/sandbox';
import { newSignPlan, orderOn, signPlansIn } from '../../helpers/orders';

export const MERCHANT_PATH = '/v3/payscore/sign-plan/serviceorder';
export const PARTNER_PATH = '/v3/payscore/sign-plan/partner/serviceorder';
export const SUB_MCHID = '1900000110';
export const NOTIFY_URL = 'https://merchant.example/notify';

export type World = DevKeys;

export const generateWorld = generateDevKeys;

/**
 * A sandbox for `world` that knows SUB_MCHID as the provider's only sub-merchant, delivering to `receiverUrl`;
 * the sign plans of `merchantOrder`, `partnerOrder` and `newPlanId` are seeded, SIGNED, in it.
 */
export async function startWorldSandbox(world: World, options: Partial<SandboxOptions> & { receiverUrl?: string } = {}): Promise<Sandbox> {
  const { receiverUrl, ...rest } = options;
  const sandbox = await startSandbox({
    accounts: sandboxAccountsFromDevKeys(world, { subMchids: [SUB_MCHID] }),
    wechatpay: world.wechatpay,
    retryTimeScale: 0.0001,
    ...(receiverUrl ? { resolveNotifyUrl: () => receiverUrl } : {}),
    ...rest,
  });
  signPlansIn(world, sandbox);
  return sandbox;
}

export const signerFor = (account: DevAccount, clock?: Clock): Signer =>
  new Signer({ mchid: account.mchid, serialNo: account.merchant.serial, privateKey: loadPrivateKey(account.merchant.privateKeyPem), ...(clock ? { clock } : {}) });

/** A verifier trusting WeChat Pay's key as published in `mode`. */
export function verifierFor(wechatpay: DevWechatpayKeys, mode: SigningMode = 'both', clock?: Clock): Verifier {
  const keys: Record<string, string> = {};
  if (mode !== 'certificate') keys[wechatpay.publicKeyId] = wechatpay.key.publicKeyPem;
  if (mode !== 'publicKey') keys[wechatpay.key.serial] = wechatpay.key.certificatePem;
  return new Verifier({ publicKeys: loadWechatpayPublicKeys(keys), ...(clock ? { clock } : {}) });
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  raw: Buffer;
  json: Record<string, unknown>;
}

/** POSTs `body` (exact bytes) with `authorization`, or one Signer made for those bytes. */
export async function post(baseUrl: string, path: string, body: string | Buffer, authorization?: string | Signer | null, signal?: AbortSignal): Promise<Answer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const auth = authorization instanceof Signer ? authorization.authorization({ method: 'POST', url: path, body }) : authorization;
  if (auth) headers.Authorization = auth;
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body, ...(signal ? { signal } : {}) });
  const raw = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: Object.fromEntries(response.headers), raw, json: raw.length ? JSON.parse(raw.toString('utf8')) : {} };
}

/** A signed GET (the signature covers the empty body), answered as `post` answers. */
export async function get(baseUrl: string, path: string, signer: Signer): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { Accept: 'application/json', Authorization: signer.authorization({ method: 'GET', url: path, body: '' }) } });
  const raw = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: Object.fromEntries(response.headers), raw, json: raw.length ? JSON.parse(raw.toString('utf8')) : {} };
}

/** A signed call of `account` to any WeChat Pay route of the sandbox: POST with a JSON body, or GET. */
export const call = (sandbox: Sandbox, account: DevAccount, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> =>
  method === 'GET' ? get(sandbox.url, path, signerFor(account)) : post(sandbox.url, path, body === undefined ? '' : JSON.stringify(body), signerFor(account));

export const controlGet = async (baseUrl: string, path: string): Promise<unknown> => (await fetch(`${baseUrl}${path}`)).json();

export async function controlPost(baseUrl: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** A sign plan of three details, SIGNED in every sandbox `startWorldSandbox` started in this file, so that tests sharing a sandbox never share a plan. */
export const newPlanId = (kind: 'merchant' | 'partner' = 'merchant'): string => newSignPlan(kind, SUB_MCHID);

const ORDER_BASE = {
  service_id: '2002000000000558128851361561536',
  appid: 'wxd678efh567hg6787',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  notify_url: NOTIFY_URL,
  service_introduction: '羽毛球课基础练习课程',
  time_range: { start_time: '20091225091010', end_time: '20091225121010', start_time_remark: '备注1', end_time_remark: '备注2' },
  location: { start_location: '嗨客时尚主题展餐厅', end_location: '嗨客时尚主题展餐厅' },
  attach: 'Easdfowealsdkjfnlaksjdlfkwqoi&wl3l2sald',
};

/** An order on `sign_plan_id` (default a new sign plan) at `plan_detail_no` (default 1), with that detail's out_trade_no. */
export const merchantOrder = (overrides: Record<string, unknown> = {}): Record<string, unknown> => orderOn(ORDER_BASE, overrides, () => newPlanId('merchant'));

export function partnerOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { openid: _openid, ...base } = ORDER_BASE;
  return orderOn({ ...base, sub_mchid: SUB_MCHID, sub_appid: 'wxd678efh567hg6999', sub_openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }, overrides, () => newPlanId('partner'));
}

/** Creates an order through the HTTP API and returns the answer's JSON. */
export async function createOrder(sandbox: Sandbox, account: DevAccount, order: Record<string, unknown>, path = MERCHANT_PATH, clock?: Clock): Promise<Record<string, unknown>> {
  const answer = await post(sandbox.url, path, JSON.stringify(order), signerFor(account, clock));
  if (answer.status !== 200) throw new Error(`create failed: ${answer.status} ${answer.raw.toString()}`);
  return answer.json;
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What the receiver does with one request: answer this status, or never answer (`hang`). */
export type Reaction = number | 'hang';

/** A merchant's notify endpoint: records what arrives and reacts as scripted (then 204). */
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** For the enclosing test file: a world, a receiver and a sandbox delivering to it, closed afterwards. */
export function receiverSandboxFixture(): { world: World; sandbox: Sandbox; receiver: Receiver } {
  const fixture = {} as { world: World; sandbox: Sandbox; receiver: Receiver };
  beforeAll(async () => {
    fixture.world = await generateWorld();
    fixture.receiver = await startReceiver();
    fixture.sandbox = await startWorldSandbox(fixture.world, { receiverUrl: fixture.receiver.url });
  });
  afterAll(async () => {
    await fixture.sandbox.close();
    await fixture.receiver.close();
  });
  return fixture;
}

/** For the enclosing test file: one world, and per `setUp` a receiver with a sandbox delivering to it; both closed after each test. */
export function perTestSandboxFixture(defaults: Partial<SandboxOptions> = {}) {
  const cleanups: (() => Promise<void>)[] = [];
  const fixture = {
    world: undefined as unknown as World,
    /** Runs `closes` after the test. */
    closeAfterTest: (...closes: (() => Promise<void>)[]): void => void cleanups.push(...closes),
    async setUp(script: Reaction[] = [], options: Parameters<typeof startWorldSandbox>[1] = {}) {
      const receiver = await startReceiver(script);
      const sandbox = await startWorldSandbox(fixture.world, { receiverUrl: receiver.url, ...defaults, ...options });
      cleanups.push(() => sandbox.close(), () => receiver.close());
      return { receiver, sandbox };
    },
  };
  beforeAll(async () => {
    fixture.world = await generateWorld();
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
  return fixture;
}

export async function startReceiver(script: Reaction[] = []): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({ headers: request.headers, body: Buffer.concat(chunks) });
    const reaction = script.shift() ?? 204;
    if (reaction === 'hang') {
      hung.push(response);
      return;
    }
    response.writeHead(reaction).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Verifies and decrypts a received notification as a merchant would. */
export function openNotification(received: Received, verifier: Verifier, apiV3Key: string): { envelope: ReturnType<typeof parseNotificationEnvelope>; plaintext: Record<string, unknown> } {
  verifier.verify(received.headers, received.body);
  const envelope = parseNotificationEnvelope(received.body);
  return { envelope, plaintext: decryptNotificationResource(envelope.resource, apiV3KeyBytes(apiV3Key)).fields };
}
