import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sandboxAccountsFromDevKeys, startSandbox, type Sandbox } from '../../../dev/sandbox';
import { operationsHandler, type OperationDependencies } from '../../../lib/handlers/operations';
import { createServiceOrder } from '../../../lib/operations/service-order-create';
import type { AccountKind } from '../../../lib/operations/operation';
import { intentKey, serviceOrderKey } from '../../../lib/ledger/keys';
import { createTestWorld, type TestWorld } from '../../helpers/accounts';
import { httpApiEvent, lambdaContext, restEvent } from '../../helpers/events';
import { ledgerFailsAfter, startLocalAws, type LocalAws } from '../../helpers/local-aws';
import { recordingLog, type RecordingLog } from '../../helpers/logs';
import { detailTradeNo, merchantOrder, partnerOrder, SEED_MERCHANT_ORDER, signPlansIn } from '../../helpers/orders';
import { nodeTransport } from '../../../lib/http/transport';
import { createPrivateKey } from 'node:crypto';
import { signResponse, type Transport } from '../../../lib/wechatpay';
import { recordingMetrics, type RecordingMetrics } from '../../helpers/metrics';

let world: TestWorld;
let aws: LocalAws;
let sandboxes: Record<'publicKey' | 'certificate', Sandbox>;
let log: RecordingLog;
let metrics: RecordingMetrics;

beforeAll(async () => {
  world = await createTestWorld();
  aws = await startLocalAws({
    'merchant-publicKey': world.secret(world.merchant, 'publicKey'),
    'merchant-certificate': world.secret(world.merchant, 'certificate'),
    'partner-publicKey': world.secret(world.partner, 'publicKey'),
    'partner-certificate': world.secret(world.partner, 'certificate'),
  });
  const start = (signingMode: 'publicKey' | 'certificate') => startSandbox({ accounts: sandboxAccountsFromDevKeys(world), wechatpay: world.wechatpay, signingMode });
  const [publicKey, certificate] = await Promise.all([start('publicKey'), start('certificate')]);
  sandboxes = { publicKey, certificate };
  signPlansIn(world, publicKey, certificate);
});
afterAll(async () => {
  await Promise.all([aws.close(), sandboxes.publicKey.close(), sandboxes.certificate.close()]);
});
beforeEach(() => {
  log = recordingLog();
  metrics = recordingMetrics();
  aws.ledgerProxy.set('pass');
  for (const sandbox of Object.values(sandboxes)) sandbox.clearFaults();
});

interface Setup {
  variant?: AccountKind;
  mode?: 'publicKey' | 'certificate';
  /** Verification mode of the secret, when it differs from the sandbox's. */
  secretMode?: 'publicKey' | 'certificate';
  secretId?: string;
  overrides?: Partial<OperationDependencies>;
}

function createHandler(setup: Setup = {}) {
  const variant = setup.variant ?? ('merchant');
  const mode = setup.mode ?? 'publicKey';
  const secrets = aws.secretCache(setup.secretId ?? `${variant}-${setup.secretMode ?? mode}`);
  const deps: OperationDependencies = {
    secrets,
    ledger: aws.ledger(),
    transport: nodeTransport(),
    baseUrl: sandboxes[mode].url,
    notifyUrl: undefined,
    retry: { backoffBaseMs: 1 },
    ...setup.overrides,
  };
  return Object.assign(operationsHandler(variant, [createServiceOrder], log, () => deps, metrics), { kind: variant });
}

/** A TCP relay to 127.0.0.1:`port` that counts the connections made through it. */
async function countingTcpProxy(port: string) {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections += 1;
    const upstream = connect(Number(port), '127.0.0.1');
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.on('error', () => undefined);
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const post = (handler: ReturnType<typeof createHandler>, body: unknown, remainingMs?: number) =>
  handler(httpApiEvent({ body: JSON.stringify(body) }, `/${handler.kind}/service-orders`), lambdaContext(remainingMs));
const json = (response: { body?: string }) => JSON.parse(response.body ?? '');

/** Creates plan detail 1 of a new sign plan, completes it and has it deducted, so that the seed's detail 2 may follow. */
async function planWithDetail1Done(handler: ReturnType<typeof createHandler>, sandbox: Sandbox, order = merchantOrder()): Promise<string> {
  const response = await post(handler, order);
  expect(response.statusCode, response.body).toBe(200);
  sandbox.completeOrder(json(response).order_id);
  sandbox.deductNow(json(response).order_id);
  return order.sign_plan_id as string;
}

describe('create-service-order: success', () => {
  it.each(['publicKey', 'certificate'] as const)("the merchant seed's request succeeds in %s mode", async (mode) => {
    const handler = createHandler({ mode });
    const signPlanId = await planWithDetail1Done(handler, sandboxes[mode]);
    const seed: Record<string, unknown> = { ...SEED_MERCHANT_ORDER, sign_plan_id: signPlanId, out_trade_no: detailTradeNo(signPlanId, 2) };
    const response = await post(handler, seed);

    expect(response.statusCode, response.body).toBe(200);
    const order = json(response);
    expect(order).toMatchObject({ out_order_no: seed.out_trade_no, mchid: world.merchant.mchid, state: 'CREATED', notify_url: 'https://api.test.com', attach: seed.attach });
    expect(response.headers!['Request-ID']).toEqual(expect.any(String));
    // The sandbox verified the signature over the exact bytes before creating anything.
    expect((await sandboxes[mode].order(order.order_id))!.request).toEqual(seed);

    const item = await aws.item(serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: seed.out_trade_no as string }));
    expect(item).toMatchObject({ state: 'CREATED', order_id: order.order_id, create_response: response.body, wechatpay_request_id: response.headers!['Request-ID'] });
    expect(JSON.parse(item!.create_request as string)).toEqual(seed);
  });

  it.each(['publicKey', 'certificate'] as const)("the partner seed's request succeeds in %s mode", async (mode) => {
    const handler = createHandler({ mode, variant: 'partner' });
    const signPlanId = await planWithDetail1Done(handler, sandboxes[mode], partnerOrder());
    const seed = partnerOrder({ sign_plan_id: signPlanId, plan_detail_no: 2 });
    const response = await post(handler, seed);
    expect(response.statusCode, response.body).toBe(200);
    expect(json(response)).toMatchObject({ mchid: world.partner.mchid, sub_mchid: '1900000109', sub_appid: 'wxd678efh567hg6999' });
    expect(await aws.item(serviceOrderKey({ mchid: world.partner.mchid, subMchid: '1900000109', outOrderNo: seed.out_trade_no as string }))).toMatchObject({ state: 'CREATED' });
  });

  it('a repeated create with the same out_trade_no is answered as the first, from the ledger, without a second call', async () => {
    const calls: string[] = [];
    const handler = createHandler({ overrides: { transport: (url, request) => (calls.push(url), nodeTransport()(url, request)) } });
    const order = merchantOrder();
    const first = await post(handler, order);
    const again = await post(handler, order);
    expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
    expect(again.body).toBe(first.body);
    expect(again.headers).toMatchObject({ 'Idempotent-Replayed': 'true', 'Request-ID': first.headers!['Request-ID'] });
    expect(calls).toHaveLength(1);
    const said = log.lines.filter((line) => line.level === 'info' && line.attributes.out_trade_no === order.out_trade_no);
    expect(said.map((line) => [line.message, line.attributes.ledger])).toEqual([
      ['service-order.create: WeChat Pay answered 200', 'new'],
      ['repeated request: answered as the first time, nothing sent to WeChat Pay', undefined],
    ]);
  });

  it('the same out_trade_no with another request → 409 IDEMPOTENCY_CONFLICT, nothing sent', async () => {
    const calls: string[] = [];
    const handler = createHandler({ overrides: { transport: (url, request) => (calls.push(url), nodeTransport()(url, request)) } });
    const order = merchantOrder();
    expect((await post(handler, order)).statusCode).toBe(200);
    const other = await post(handler, { ...order, attach: 'another request' });
    expect(other.statusCode).toBe(409);
    expect(json(other)).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    expect(calls).toHaveLength(1);
  });

  it('a partner order for the provider-side openid succeeds too', async () => {
    const { sub_openid: openid, sub_appid: _dropped, ...order } = partnerOrder();
    const response = await post(createHandler({ variant: 'partner' }), { ...order, openid });
    expect(response.statusCode, response.body).toBe(200);
  });

  it('fills notify_url from NOTIFY_URL when the request omits it', async () => {
    const { notify_url: _omitted, ...order } = merchantOrder();
    const response = await post(createHandler({ overrides: { notifyUrl: 'https://merchant.example/notify' } }), order);
    expect(response.statusCode, response.body).toBe(200);
    expect(json(response).notify_url).toBe('https://merchant.example/notify');
  });

  it('keeps a notify_url the request gives', async () => {
    const response = await post(createHandler({ overrides: { notifyUrl: 'https://merchant.example/notify' } }), merchantOrder());
    expect(json(response).notify_url).toBe('https://api.test.com');
  });

  it('names the project in User-Agent, and the partner variant in its logs', async () => {
    const agents: string[] = [];
    const recording: Transport = (url, request) => (agents.push(request.headers['User-Agent']!), nodeTransport()(url, request));
    const handler = createHandler({ variant: 'partner', overrides: { transport: recording } });
    const response = await handler(httpApiEvent({ body: JSON.stringify(partnerOrder()) }, '/partner/service-orders'), lambdaContext());
    expect(response.statusCode, response.body).toBe(200);
    expect(agents).toEqual(['payscore-sign-plan-lambda/0.1.0']);
    expect(log.lines.find((entry) => entry.message === 'service-order.create: WeChat Pay answered 200')!.attributes.account).toBe('partner');
  });

  it('signs with the injected clock: ten minutes off, WeChat Pay refuses the signature', async () => {
    const response = await post(createHandler({ overrides: { clock: () => Date.now() - 10 * 60_000 } }), merchantOrder());
    expect(response.statusCode).toBe(401);
    expect(json(response)).toMatchObject({ code: 'SIGN_ERROR', message: expect.stringContaining('off the server time') });
  });

  it('accepts REST 1.0 events and base64-encoded bodies', async () => {
    const handler = createHandler();
    const response = await handler(restEvent({ body: JSON.stringify(merchantOrder()), base64: true }, '/merchant/service-orders'), lambdaContext());
    expect(response.statusCode, response.body).toBe(200);
  });

  it('reuses one keep-alive connection to WeChat Pay across warm invocations', async () => {
    const counter = await countingTcpProxy(new URL(sandboxes.publicKey.url).port);
    try {
      const handler = createHandler({ overrides: { baseUrl: counter.url } });
      for (let i = 0; i < 5; i += 1) expect((await post(handler, merchantOrder())).statusCode).toBe(200);
      expect(counter.connections()).toBe(1);
    } finally {
      await counter.close();
    }
  });

  it('reads the secret once across many warm invocations', async () => {
    const handler = createHandler();
    const before = aws.secretsManager.calls.GetSecretValue;
    for (let i = 0; i < 20; i += 1) expect((await post(handler, merchantOrder())).statusCode).toBe(200);
    expect(aws.secretsManager.calls.GetSecretValue - before).toBe(1);
  });

  it('logs the request ids and out_trade_no, never the openid or key material', async () => {
    const order = merchantOrder();
    const response = await post(createHandler(), order);
    const line = log.lines.find((entry) => entry.message === 'service-order.create: WeChat Pay answered 200')!;
    expect(line.attributes).toMatchObject({ out_trade_no: order.out_trade_no, order_id: json(response).order_id, wechatpay_request_id: response.headers!['Request-ID'], aws_request_id: expect.stringMatching(/^lambda-request-/) });
    expect(line.attributes.user_ref).toMatch(/^[0-9a-f]{16}$/);
    expect(line.attributes.account).toBe('merchant');
    expect(log.text()).not.toContain(order.openid as string);
    expect(log.text()).not.toContain(world.merchant.merchant.privateKeyPem.slice(40, 80));
  });
});

describe('create-service-order: validation', () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['a missing service_id', { service_id: undefined }, ['service_id']],
    ['a service_id over 32 characters', { service_id: 'x'.repeat(33) }, ['service_id']],
    ['an empty sign_plan_id', { sign_plan_id: '' }, ['sign_plan_id']],
    ['a plan_detail_no of 0', { plan_detail_no: 0 }, ['plan_detail_no']],
    ['a fractional plan_detail_no', { plan_detail_no: 1.5 }, ['plan_detail_no']],
    ['a plan_detail_no as a string', { plan_detail_no: '2' }, ['plan_detail_no']],
    ['an appid over 32 characters', { appid: 'w'.repeat(33) }, ['appid']],
    ['an openid over 128 characters', { openid: 'o'.repeat(129) }, ['openid']],
    ['an http notify_url', { notify_url: 'http://api.test.com' }, ['notify_url']],
    ['a notify_url over 256 characters', { notify_url: `https://a.example/${'p'.repeat(240)}` }, ['notify_url']],
    ['a service_introduction of 21 characters', { service_introduction: '羽'.repeat(21) }, ['service_introduction']],
    ['an empty service_introduction', { service_introduction: '' }, ['service_introduction']],
    ['a start_time not yyyyMMddHHmmss', { time_range: { start_time: '2009-12-25 09:10:10' } }, ['time_range.start_time']],
    ['a start_time on 30 February', { time_range: { start_time: '20090230091010' } }, ['time_range.start_time']],
    ['a missing time_range', { time_range: undefined }, ['time_range']],
    ['a start_time_remark over 20 characters', { time_range: { start_time: '20091225091010', start_time_remark: 'r'.repeat(21) } }, ['time_range.start_time_remark']],
    ['an unknown field in time_range', { time_range: { start_time: '20091225091010', start: 'x' } }, ['time_range.start']],
    ['an attach over 256 characters', { attach: 'a'.repeat(257) }, ['attach']],
    ['an out_trade_no over 32 characters', { out_trade_no: 'T'.repeat(33) }, ['out_trade_no']],
    ['an unknown top-level field', { sub_mchid: '1900000109' }, ['sub_mchid']],
    ['a location that is not an object', { location: 'here' }, ['location']],
    ['several bad fields at once', { appid: '', openid: undefined, attach: 7, extra: true }, ['appid', 'openid', 'attach', 'extra']],
  ];

  it.each(cases)('%s → 400 naming the field', async (_name, change, fields) => {
    const body = { ...merchantOrder(), ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete body[key];
    const response = await post(createHandler(), body);
    expect(response.statusCode).toBe(400);
    const answer = json(response);
    expect(answer).toMatchObject({ code: 'INVALID_REQUEST', message: expect.any(String) });
    expect(answer.errors.map((error: { field: string }) => error.field).sort()).toEqual([...fields].sort());
    for (const error of answer.errors) expect(error.message).toEqual(expect.any(String));
  });

  it.each([
    ['not JSON', '{"service_id":', 'is not valid JSON'],
    ['a JSON array', '[]', 'must be an object, not an array'],
    ['JSON null', 'null', 'must be an object, not null'],
  ])('a body that is %s → 400 naming the body, NOTIFY_URL or not', async (_name, text, message) => {
    for (const notifyUrl of [undefined, 'https://merchant.example/notify']) {
      const response = await createHandler({ overrides: { notifyUrl } })(httpApiEvent({ body: text }, '/merchant/service-orders'), lambdaContext());
      expect(response.statusCode).toBe(400);
      expect(json(response).errors).toEqual([{ field: 'body', message }]);
    }
  });

  it.each([
    ['__proto__', '{"__proto__":{"attach":"x"},'],
    ['constructor', '{"constructor":"x",'],
    ['time_range.__proto__', null],
  ])('a %s key → 400 naming it as an unknown field, no order created', async (field, prefix) => {
    const order = merchantOrder();
    const text =
      prefix === null
        ? JSON.stringify(order).replace('"time_range":{', '"time_range":{"__proto__":{},')
        : JSON.stringify(order).replace('{', prefix);
    const before = sandboxes.publicKey.orders().length;
    const response = await createHandler()(httpApiEvent({ body: text }, '/merchant/service-orders'), lambdaContext());
    expect(response.statusCode, response.body).toBe(400);
    expect(json(response).errors).toEqual([{ field, message: 'is not a known field' }]);
    expect(sandboxes.publicKey.orders().length).toBe(before);
  });

  it('an omitted notify_url without NOTIFY_URL → 400 notify_url is required', async () => {
    const { notify_url: _omitted, ...order } = merchantOrder();
    expect(json(await post(createHandler(), order)).errors).toEqual([{ field: 'notify_url', message: 'is required' }]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['both openid and sub_openid', { openid: 'o1' }, ['openid']],
    ['neither openid nor sub_openid', { sub_openid: undefined }, ['openid']],
    ['sub_openid without sub_appid', { sub_appid: undefined }, ['sub_appid']],
    ['a missing sub_mchid, with another bad field', { sub_mchid: undefined, plan_detail_no: 0 }, ['sub_mchid', 'plan_detail_no']],
  ])('partner: %s → 400', async (_name, change, fields) => {
    const body = { ...partnerOrder(), ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete body[key];
    const response = await post(createHandler({ variant: 'partner' }), body);
    expect(response.statusCode).toBe(400);
    expect(json(response).errors.map((error: { field: string }) => error.field).sort()).toEqual([...fields].sort());
  });

  it('a body over 32 KiB → 413', async () => {
    expect((await post(createHandler(), { ...merchantOrder(), attach: 'a'.repeat(33_000) })).statusCode).toBe(413);
  });
});

describe('create-service-order: WeChat Pay errors', () => {
  const ledgerItem = (order: Record<string, unknown>) => aws.item(serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: order.out_trade_no as string }));

  it("passes WeChat Pay's 4xx through with its Request-ID", async () => {
    const order = merchantOrder({ plan_detail_no: 3 });
    const response = await post(createHandler(), order);
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ code: 'INVALID_REQUEST', message: expect.any(String) });
    expect(response.headers!['Request-ID']).toEqual(expect.any(String));
    expect(await ledgerItem(order)).toBeUndefined();
  });

  it.each(['badSignature', 'staleTimestamp'] as const)('a %s 4xx is forged: 502, never forwarded', async (kind) => {
    sandboxes.publicKey.injectFault({ kind });
    const order = merchantOrder({ plan_detail_no: 3 });
    const response = await post(createHandler(), order);
    expect(response.statusCode).toBe(502);
    expect(json(response)).toEqual({ code: 'BAD_GATEWAY', message: expect.any(String) });
    expect(response.headers?.['Request-ID']).toBeUndefined();
    expect(log.lines.at(-1)).toMatchObject({ level: 'error', attributes: { code: 'WECHATPAY_UNAVAILABLE' } });
    expect(log.text()).toContain(kind === 'badSignature' ? 'WECHATPAY_SIGNATURE_MISMATCH' : 'WECHATPAY_TIMESTAMP_OUT_OF_WINDOW');
    expect(await ledgerItem(order)).toBeUndefined();
  });

  it('a 4xx with only some Wechatpay-* headers is forged: 502', async () => {
    const order = merchantOrder({ plan_detail_no: 3 });
    const partlySigned: Transport = async (url, request) => {
      const answer = await nodeTransport()(url, request);
      const { 'wechatpay-signature': _dropped, ...headers } = answer.headers;
      return { ...answer, headers };
    };
    const response = await post(createHandler({ overrides: { transport: partlySigned } }), order);
    expect(response.statusCode).toBe(502);
    expect(log.text()).toContain('WECHATPAY_HEADER_MISSING');
  });

  it("an unsigned 4xx is WeChat Pay's answer, as the official SDKs read it: forwarded", async () => {
    sandboxes.publicKey.injectFault({ kind: 'unsigned' });
    const response = await post(createHandler(), merchantOrder({ plan_detail_no: 3 }));
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('a 4xx signed with a key the secret lacks forces one refresh, then 502', async () => {
    const handler = createHandler({ mode: 'certificate', secretMode: 'publicKey', secretId: 'merchant-publicKey' });
    const response = await post(handler, merchantOrder({ plan_detail_no: 3 }));
    expect(response.statusCode).toBe(502);
    expect(log.text()).toContain('WECHATPAY_SERIAL_UNKNOWN');
  });

  it.each([
    ['out_order_no', 'merchant'],
    ['mchid', 'merchant'],
    ['service_id', 'merchant'],
    ['sub_mchid', 'partner'],
    ['sub_mchid', 'merchant'],
  ] as const)("a signed answer whose %s is not the request's (%o) → 502, logged, nothing recorded", async (field, variant) => {
    sandboxes.publicKey.injectFault({ kind: 'otherOrder', field });
    const order = variant === 'merchant' ? merchantOrder() : partnerOrder();
    const response = await createHandler({ variant: variant as AccountKind })(
      httpApiEvent({ body: JSON.stringify(order) }, `/${variant}/service-orders`),
      lambdaContext(),
    );
    expect(response.statusCode, response.body).toBe(502);
    expect(json(response)).toEqual({ code: 'BAD_GATEWAY', message: expect.any(String) });
    expect(log.lines.at(-1)).toMatchObject({ level: 'error', message: 'request failed', attributes: { code: 'WECHATPAY_ANSWER_MISMATCH' } });
    expect(log.text()).toContain(`${field} differ`);
    expect(await aws.items()).not.toContainEqual(expect.objectContaining({ out_order_no: order.out_trade_no }));
  });

  it.each([
    ['null', 'null'],
    ['an array', '[{"order_id":"1"}]'],
    ['not JSON', '{"order_id":'],
  ])('a verified answer whose body is %s → 502, nothing recorded', async (_name, text) => {
    const privateKey = createPrivateKey(world.wechatpay.key.privateKeyPem);
    const resigned: Transport = async (url, request) => {
      const answer = await nodeTransport()(url, request);
      const headers = { 'request-id': answer.headers['request-id'], ...signResponse({ serial: world.wechatpay.publicKeyId, privateKey }, text) };
      return { status: answer.status, headers, body: Buffer.from(text) };
    };
    const order = merchantOrder();
    const response = await post(createHandler({ overrides: { transport: resigned } }), order);
    expect(response.statusCode, response.body).toBe(502);
    expect(log.lines.at(-1)).toMatchObject({ level: 'error', attributes: { code: 'WECHATPAY_UNAVAILABLE' } });
    expect(await ledgerItem(order)).toBeUndefined();
  });

  it('retries a 5xx with the same bytes and succeeds', async () => {
    sandboxes.publicKey.injectFault({ kind: 'systemError', count: 2 });
    const response = await post(createHandler(), merchantOrder());
    expect(response.statusCode, response.body).toBe(200);
  });

  it('answers 502 when every attempt gets a 5xx, and records nothing', async () => {
    sandboxes.publicKey.injectFault({ kind: 'systemError', count: 3 });
    const order = merchantOrder();
    const response = await post(createHandler(), order);
    expect(response.statusCode).toBe(502);
    expect(json(response)).toEqual({ code: 'BAD_GATEWAY', message: expect.stringContaining('same number') });
    expect(await ledgerItem(order)).toBeUndefined();
  });

  it('answers 504 within the deadline when WeChat Pay hangs', async () => {
    sandboxes.publicKey.injectFault({ kind: 'hang' });
    const order = merchantOrder();
    const response = await post(createHandler({ overrides: { deadlineMs: 300 } }), order);
    expect(response.statusCode).toBe(504);
    expect(json(response).code).toBe('GATEWAY_TIMEOUT');
    expect(await ledgerItem(order)).toBeUndefined();
  });

  it.each([
    [20_000, undefined, 7_000],
    [20_000, 300, 300],
    [2_800, undefined, 300],
    [2_500, undefined, 0],
    [1_000, undefined, 0],
  ])('with %i ms of Lambda time left and deadlineMs %s, WeChat Pay gets %i ms (the injected clock)', async (remainingMs, deadlineMs, budgetMs) => {
    const start = Date.now();
    let now = start;
    const attempts: number[] = [];
    // Every attempt takes 100 ms of the injected clock and fails as a network error: retried until the deadline.
    const transport: Transport = async () => {
      attempts.push(now - start);
      now += 100;
      throw new Error('socket hang up');
    };
    const retry = { maxRetries: 1_000, sleep: async () => undefined, random: () => 0 };
    const handler = createHandler({ overrides: { transport, clock: () => now, retry, ...(deadlineMs === undefined ? {} : { deadlineMs }) } });
    const response = await post(handler, merchantOrder(), remainingMs);
    expect(response.statusCode).toBe(504);
    expect(json(response).code).toBe('GATEWAY_TIMEOUT');
    expect(attempts).toEqual(Array.from({ length: budgetMs / 100 }, (_, index) => index * 100));
    expect(now - start).toBe(budgetMs);
  });

  it.each(['unsigned', 'badSignature', 'staleTimestamp'] as const)('answers 502 to a %s 2xx and records no success', async (kind) => {
    sandboxes.publicKey.injectFault({ kind });
    const order = merchantOrder();
    const response = await post(createHandler(), order);
    expect(response.statusCode).toBe(502);
    expect(await ledgerItem(order)).toBeUndefined();
    expect(log.lines.at(-1)).toMatchObject({ level: 'error', attributes: { code: 'WECHATPAY_UNAVAILABLE' } });
  });

  it('an unknown serial on a fresh container: one GetSecretValue (the keys are new already), then 502', async () => {
    const handler = createHandler({ mode: 'certificate', secretMode: 'publicKey', secretId: 'merchant-publicKey' });
    const before = aws.secretsManager.calls.GetSecretValue;
    const response = await post(handler, merchantOrder());
    expect(response.statusCode).toBe(502);
    expect(aws.secretsManager.calls.GetSecretValue - before).toBe(1);
    expect(log.text()).toContain('WECHATPAY_SERIAL_UNKNOWN');
  });

  it('an unknown serial once the keys are older than the forced-refresh interval: one refresh, then 502', async () => {
    let now = Date.now();
    const secrets = aws.secretCache('merchant-publicKey', { clock: () => now, forcedRefreshIntervalMs: 60_000 });
    const handler = createHandler({ mode: 'certificate', overrides: { secrets } });
    await secrets.get();
    now += 60_000;
    const before = aws.secretsManager.calls.GetSecretValue;
    expect((await post(handler, merchantOrder())).statusCode).toBe(502);
    expect(aws.secretsManager.calls.GetSecretValue - before).toBe(1);
  });
});

describe('create-service-order: configuration and ledger faults', () => {
  it('a missing secret → 500 with a clear log line', async () => {
    const response = await post(createHandler({ secretId: 'no-such-secret' }), merchantOrder());
    expect(response.statusCode).toBe(500);
    expect(json(response)).toEqual({ code: 'INTERNAL_ERROR', message: expect.any(String) });
    expect(log.text()).toContain('secret no-such-secret could not be loaded');
    expect(log.text()).toContain('ResourceNotFoundException');
  });

  it('a bad body is a 400 even while the secret cannot be loaded, and costs no secret fetch', async () => {
    const before = aws.secretsManager.calls.GetSecretValue;
    const response = await post(createHandler({ secretId: 'no-such-secret' }), { ...merchantOrder(), appid: '' });
    expect(response.statusCode).toBe(400);
    expect(json(response).errors).toEqual([{ field: 'appid', message: 'must not be empty' }]);
    // Time for a fetch started in the background to reach the stand-in, had there been one.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(aws.secretsManager.calls.GetSecretValue).toBe(before);
  });

  it('a malformed secret → 500 naming the field, with no key material logged', async () => {
    const secret = JSON.parse(world.secret(world.merchant, 'publicKey'));
    aws.secretsManager.setSecret('malformed', JSON.stringify({ ...secret, merchantPrivateKey: secret.merchantPrivateKey.slice(0, 200) }));
    const response = await post(createHandler({ secretId: 'malformed' }), merchantOrder());
    expect(response.statusCode).toBe(500);
    expect(log.text()).toContain('merchantPrivateKey: is not an unencrypted PKCS#8');
    expect(log.text()).not.toContain(secret.merchantPrivateKey.slice(40, 120));
    expect(log.text()).not.toContain(secret.apiV3Key);
  });

  it('a failed ledger write after WeChat Pay accepted → still 200, logged loudly, the intent left PENDING', async () => {
    // The ledger fails from the moment WeChat Pay has answered: the write-ahead went through.
    const order = merchantOrder();
    const response = await post(createHandler({ overrides: { transport: ledgerFailsAfter(aws, nodeTransport()) } }), order);
    expect(response.statusCode).toBe(200);
    const error = log.lines.find((line) => line.level === 'error')!;
    expect(error.message).toMatch(/^LEDGER_WRITE_FAILED/);
    expect(error.attributes).toMatchObject({ out_trade_no: order.out_trade_no, ledger: 'unrecorded' });
    aws.ledgerProxy.set('pass');
    const key = serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: order.out_trade_no as string });
    const intent = await aws.item(intentKey(key, 'create'));
    expect(intent).toMatchObject({ status: 'PENDING', method: 'POST', path: '/v3/payscore/sign-plan/serviceorder' });
    expect(JSON.parse(intent!.request as string)).toEqual(order);
  });

  it('a failed write-ahead → 503, and nothing is sent to WeChat Pay', async () => {
    const calls: string[] = [];
    aws.ledgerProxy.set('fail');
    const response = await post(createHandler({ overrides: { transport: (url, request) => (calls.push(url), nodeTransport()(url, request)) } }), merchantOrder());
    expect(response.statusCode).toBe(503);
    expect(json(response)).toMatchObject({ code: 'LEDGER_UNAVAILABLE' });
    expect(calls).toEqual([]);
  });

  it('a failure to build the dependencies (bad environment) → 500', async () => {
    const built = operationsHandler('merchant', [createServiceOrder], log, () => {
      throw new Error('environment variable WECHATPAY_SECRET_ID is required');
    }, metrics);
    const handler = Object.assign(built, { kind: 'merchant' as const });
    expect((await post(handler, merchantOrder())).statusCode).toBe(500);
    expect(log.text()).toContain('WECHATPAY_SECRET_ID is required');
  });
});
