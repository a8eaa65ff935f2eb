import { describe, expect, it, vi } from 'vitest';
import {
  MissingHeaderError,
  parseAuthorization,
  requestMessage,
  Signer,
  Verifier,
  verifySha256WithRsa,
  WechatPayApiError,
  WechatPayClient,
  WechatPayTimeoutError,
  WechatPayUnavailableError,
  type ClientOptions,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from '../../../lib/wechatpay';
import { fixedClock, generateRsaKeyPair, lazy, NOW_SECONDS, signedMessage, WECHATPAY_KEY_ID, wechatpayKey } from '../../helpers/wechatpay';

const merchantKey = generateRsaKeyPair();
const verifier = lazy(() => new Verifier({ publicKeys: new Map([[WECHATPAY_KEY_ID, wechatpayKey.publicKey]]), clock: fixedClock() }));
const body = Buffer.from('{"out_trade_no":"T1","service_introduction":"羽毛球"}');
const ORDER = '{"order_id":"15646546545165651651","state":"CREATED"}';

interface Call {
  url: string;
  init: TransportRequest;
}

/** A transport that answers from a script, one entry per call, and records what it was sent. */
function scripted(...answers: Array<TransportResponse | Error | 'hang'>): Transport & { calls: Call[] } {
  const calls: Call[] = [];
  const transport = async (url: string, init: TransportRequest): Promise<TransportResponse> => {
    calls.push({ url, init });
    const answer = answers.shift() ?? new Error('script exhausted');
    if (answer === 'hang') {
      return new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
    }
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return Object.assign(transport, { calls });
}

const reply = (text: string, status: number, headers: Record<string, string> = {}): TransportResponse => ({ status, headers, body: Buffer.from(text) });

function signedResponse(text: string, status = 200, options: Parameters<typeof signedMessage>[1] = {}): TransportResponse {
  const message = signedMessage(text, { timestampSeconds: NOW_SECONDS, ...options });
  return reply(text, status, { ...message.headers, 'Request-ID': 'REQ-1', 'Content-Type': 'application/json' });
}

function client(transport: Transport, overrides: Partial<ClientOptions> = {}) {
  const sleeps: number[] = [];
  const instance = new WechatPayClient({
    baseUrl: 'https://api.mch.weixin.qq.com/',
    signer: new Signer({ mchid: '1900000109', serialNo: 'MERCHANTSERIAL', privateKey: merchantKey.privateKey, clock: fixedClock() }),
    verifier: () => verifier(),
    wechatpaySerial: WECHATPAY_KEY_ID,
    userAgent: 'test-agent',
    transport,
    clock: fixedClock(),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...overrides,
  });
  return Object.assign(instance, { sleeps });
}

const post = { method: 'POST', path: '/v3/payscore/sign-plan/serviceorder', body, deadlineMs: 5_000 };

describe('WechatPayClient', () => {
  it('sends the signed bytes with the documented headers and returns the verified answer', async () => {
    const transport = scripted(signedResponse(ORDER));
    const answer = await client(transport).request(post);
    expect(answer).toMatchObject({ status: 200, requestId: 'REQ-1', json: JSON.parse(ORDER) });
    expect(answer.body.toString()).toBe(ORDER);

    const [call] = transport.calls;
    expect(call!.url).toBe('https://api.mch.weixin.qq.com/v3/payscore/sign-plan/serviceorder');
    expect(call!.init.body).toBe(body);
    const headers = call!.init.headers as Record<string, string>;
    expect(headers).toMatchObject({ Accept: 'application/json', 'Content-Type': 'application/json', 'User-Agent': 'test-agent', 'Wechatpay-Serial': WECHATPAY_KEY_ID });
    const authorization = parseAuthorization(headers.Authorization!);
    const message = requestMessage({ method: 'POST', url: post.path, timestamp: authorization.timestamp, nonce: authorization.nonce_str, body });
    expect(verifySha256WithRsa(message, Buffer.from(authorization.signature, 'base64'), merchantKey.publicKey)).toBe(true);
  });

  it('sends no Wechatpay-Serial when no key is trusted yet (a first certificate download)', async () => {
    const transport = scripted(signedResponse('{}'));
    await client(transport, { wechatpaySerial: '' }).request({ ...post, method: 'GET', body: Buffer.alloc(0) });
    expect(Object.keys(transport.calls[0]!.init.headers as Record<string, string>)).not.toContain('Wechatpay-Serial');
  });

  it('sends no body on GET', async () => {
    const transport = scripted(signedResponse('{}'));
    await client(transport).request({ ...post, method: 'GET', body: Buffer.alloc(0) });
    expect(transport.calls[0]!.init.body).toBeUndefined();
  });

  it('retries a 5xx and a network error with the same bytes and fresh signatures, then succeeds', async () => {
    const transport = scripted(reply('{"code":"SYSTEM_ERROR","message":"x"}', 500), new TypeError('socket hang up'), signedResponse(ORDER));
    const instance = client(transport);
    expect((await instance.request(post)).status).toBe(200);
    expect(transport.calls.map((call) => call.init.body)).toEqual([body, body, body]);
    const nonces = transport.calls.map((call) => parseAuthorization((call.init.headers as Record<string, string>).Authorization!).nonce_str);
    expect(new Set(nonces).size).toBe(3);
    expect(instance.sleeps).toEqual([100, 200]);
  });

  it('gives up after two retries with WechatPayUnavailableError', async () => {
    const transport = scripted(...[1, 2, 3].map(() => reply('', 503)));
    await expect(client(transport).request(post)).rejects.toThrow(new WechatPayUnavailableError('WeChat Pay failed 3 attempts; last: HTTP 503'));
    expect(transport.calls).toHaveLength(3);
  });

  it('retries as configured', async () => {
    const transport = scripted(reply('', 500));
    await expect(client(transport, { maxRetries: 0 }).request(post)).rejects.toThrow('failed 1 attempts');
  });

  it('passes a 4xx through without retrying, reduced to code, message and detail', async () => {
    const answer = reply('{"code":"PARAM_ERROR","message":"bad","detail":{"field":"openid"},"extra":1}', 400, { 'Request-ID': 'R4' });
    const error = await client(scripted(answer)).request(post).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WechatPayApiError);
    expect(error).toMatchObject({ status: 400, requestId: 'R4', body: { code: 'PARAM_ERROR', message: 'bad', detail: { field: 'openid' } } });
  });

  it.each([
    ['no JSON', 'Bad Request'],
    ['JSON without code', '{"message":"x"}'],
    ['null', 'null'],
  ])('summarises a 4xx whose body is %s', async (_name, text) => {
    const error = await client(scripted(reply(text, 403))).request(post).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 403, requestId: undefined, body: { code: 'UNKNOWN' } });
  });

  it('keeps a 4xx without detail free of one', async () => {
    const error = await client(scripted(reply('{"code":"NO_AUTH","message":"no"}', 403))).request(post).catch((caught: unknown) => caught);
    expect((error as WechatPayApiError).body).toStrictEqual({ code: 'NO_AUTH', message: 'no' });
  });

  it.each([
    ['unsigned', () => reply(ORDER, 200)],
    ['badly signed', () => signedResponse(ORDER, 200, { privateKey: generateRsaKeyPair().privateKey })],
    ['stale', () => signedResponse(ORDER, 200, { timestampSeconds: NOW_SECONDS - 600 })],
  ])('refuses a %s 2xx as untrustworthy, without retrying', async (_name, answer) => {
    const transport = scripted(answer());
    const error = await client(transport).request(post).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WechatPayUnavailableError);
    expect((error as Error).message).toContain('failed verification');
    expect(transport.calls).toHaveLength(1);
  });

  it('takes a verified, empty 204 (a partner complete or cancel) as an answer with no fields', async () => {
    expect(await client(scripted(signedResponse('', 204))).request(post)).toEqual({ status: 204, body: Buffer.alloc(0), json: {}, requestId: 'REQ-1' });
  });

  it('refuses an unsigned 204', async () => {
    await expect(client(scripted(reply('', 204))).request(post)).rejects.toThrow(WechatPayUnavailableError);
  });

  it('refuses a verified 2xx whose body is not JSON, keeping the parser error as the cause', async () => {
    const error = await client(scripted(signedResponse('<html>'))).request(post).catch((caught: unknown) => caught);
    expect(error).toEqual(new WechatPayUnavailableError('WeChat Pay answered a verified body that is not JSON'));
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it("says which answer failed verification, keeping the verifier's error as the cause", async () => {
    const error = await client(scripted(reply(ORDER, 200))).request(post).catch((caught: unknown) => caught);
    expect(error).toEqual(new WechatPayUnavailableError("WeChat Pay's answer failed verification (WECHATPAY_HEADER_MISSING); it was not trusted"));
    expect((error as Error).cause).toBeInstanceOf(MissingHeaderError);
  });

  it('joins a base URL with any number of trailing slashes to the path with one', async () => {
    const transport = scripted(signedResponse(ORDER));
    await client(transport, { baseUrl: 'https://api.mch.weixin.qq.com//' }).request(post);
    expect(transport.calls[0]!.url).toBe('https://api.mch.weixin.qq.com/v3/payscore/sign-plan/serviceorder');
  });

  it.each(['null', '[{"order_id":"1"}]', '"CREATED"', '42'])('refuses a verified 2xx whose body is %s: not a JSON object', async (text) => {
    await expect(client(scripted(signedResponse(text))).request(post)).rejects.toThrow(
      new WechatPayUnavailableError('WeChat Pay answered a verified body that is not a JSON object'),
    );
  });

  it('verifies a signed 4xx, then passes it through', async () => {
    const answer = signedResponse('{"code":"ORDER_NOT_EXIST","message":"no such order"}', 404);
    await expect(client(scripted(answer)).request(post)).rejects.toThrow(new WechatPayApiError(404, { code: 'ORDER_NOT_EXIST', message: 'no such order' }, 'REQ-1'));
  });

  it.each([
    ['badly signed', () => signedResponse('{"code":"ORDER_NOT_EXIST","message":"x"}', 404, { privateKey: generateRsaKeyPair().privateKey }), 'WECHATPAY_SIGNATURE_MISMATCH'],
    ['stale', () => signedResponse('{"code":"ORDER_NOT_EXIST","message":"x"}', 404, { timestampSeconds: NOW_SECONDS - 600 }), 'WECHATPAY_TIMESTAMP_OUT_OF_WINDOW'],
  ])('refuses a %s 4xx as forged, without retrying', async (_name, answer, code) => {
    const transport = scripted(answer());
    const error = await client(transport).request(post).catch((caught: unknown) => caught);
    expect(error).toEqual(new WechatPayUnavailableError(`WeChat Pay's 404 answer failed verification (${code}); it was not trusted`));
    expect(((error as Error).cause as { code: string }).code).toBe(code);
    expect(transport.calls).toHaveLength(1);
  });

  it('a signed 4xx with two different Wechatpay-Serial headers is refused as forged', async () => {
    const signed = signedResponse('{"code":"ORDER_NOT_EXIST","message":"x"}', 404);
    const ambiguous = { ...signed, headers: { ...signed.headers, 'wechatpay-serial': 'PUB_KEY_ID_OTHER' } };
    const error = await client(scripted(ambiguous)).request(post).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WechatPayUnavailableError);
    expect(((error as Error).cause as { code: string }).code).toBe('WECHATPAY_HEADER_INVALID');
  });

  it('a 4xx with a Wechatpay-* header whose value is missing claims no signature', async () => {
    const error = await client(scripted(reply('{"code":"NO_AUTH","message":"no"}', 403, { 'Wechatpay-Serial': undefined } as never))).request(post).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WechatPayApiError);
  });

  it.each(['Wechatpay-Signature', 'wechatpay-timestamp', 'WECHATPAY-NONCE', 'Wechatpay-Serial'])('a 4xx with %s alone claims a signature: refused as forged', async (name) => {
    const signed = signedResponse('{"code":"ORDER_NOT_EXIST","message":"x"}', 404);
    const value = Object.entries(signed.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())![1] as string;
    const headers = { [name]: value };
    const error = await client(scripted(reply('{"code":"ORDER_NOT_EXIST","message":"x"}', 404, headers))).request(post).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WechatPayUnavailableError);
    expect(((error as Error).cause as { code: string }).code).toBe('WECHATPAY_HEADER_MISSING');
  });

  it('refreshes the keys once for an unknown serial, then verifies with the new ones', async () => {
    const rotated = generateRsaKeyPair();
    const fresh = new Verifier({ publicKeys: new Map([['PUB_KEY_ID_NEW', rotated.publicKey]]), clock: fixedClock() });
    let refreshes = 0;
    const transport = scripted(signedResponse(ORDER, 200, { serial: 'PUB_KEY_ID_NEW', privateKey: rotated.privateKey }));
    const instance = client(transport, { refreshVerifier: async () => (refreshes++, fresh) });
    expect((await instance.request(post)).status).toBe(200);
    expect(refreshes).toBe(1);
  });

  it('rejects an unknown serial that a refresh does not bring', async () => {
    const transport = scripted(signedResponse(ORDER, 200, { serial: 'PUB_KEY_ID_NEW' }));
    const error = await client(transport, { refreshVerifier: async () => verifier() }).request(post).catch((caught: unknown) => caught);
    expect(((error as Error).cause as { code: string }).code).toBe('WECHATPAY_SERIAL_UNKNOWN');
  });

  it('does not refresh for a known serial, nor without a refresher', async () => {
    await expect(client(scripted(signedResponse(ORDER)), { refreshVerifier: async () => expect.unreachable() }).request(post)).resolves.toBeDefined();
    await expect(client(scripted(signedResponse(ORDER, 200, { serial: 'PUB_KEY_ID_NEW' }))).request(post)).rejects.toThrow('WECHATPAY_SERIAL_UNKNOWN');
  });

  it('lets an unexpected verifier() failure through as it is', async () => {
    const broken = { knows: () => true, verify: () => { throw new RangeError('bug'); } } as unknown as Verifier;
    await expect(client(scripted(signedResponse(ORDER)), { verifier: () => broken }).request(post)).rejects.toThrow(RangeError);
  });

  it('answers WechatPayTimeoutError when WeChat Pay hangs past the deadline, without retrying', async () => {
    const transport = scripted('hang');
    const error = await client(transport).request({ ...post, deadlineMs: 50 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WechatPayTimeoutError);
    expect((error as Error).message).toBe('WeChat Pay gave no answer within the deadline; last: timeout');
    expect(transport.calls).toHaveLength(1);
  });

  it('stops retrying when the deadline has passed, saying what failed last', async () => {
    let now = NOW_SECONDS * 1000;
    const transport = scripted(reply('', 502));
    const instance = client(transport, { clock: () => now, sleep: async (ms) => void (now += ms + 1) });
    const error = await instance.request({ ...post, deadlineMs: 100 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WechatPayTimeoutError);
    expect((error as Error).message).toContain('last: HTTP 502');
    expect(transport.calls).toHaveLength(1);
  });

  it('answers WechatPayTimeoutError for a deadline already spent', async () => {
    const transport = scripted();
    await expect(client(transport).request({ ...post, deadlineMs: 0 })).rejects.toThrow(new WechatPayTimeoutError('WeChat Pay gave no answer within the deadline'));
    expect(transport.calls).toHaveLength(0);
  });

  it('skips the backoff when random gives zero, and uses real timers and Math.random by default', async () => {
    const transport = scripted(reply('', 500), signedResponse(ORDER));
    const instance = new WechatPayClient({
      baseUrl: 'https://api.mch.weixin.qq.com',
      signer: new Signer({ mchid: '1', serialNo: 'S', privateKey: merchantKey.privateKey }),
      verifier: () => verifier(),
      wechatpaySerial: WECHATPAY_KEY_ID,
      userAgent: 'ua',
      transport,
      clock: fixedClock(),
      backoffBaseMs: 1,
    });
    expect((await instance.request(post)).status).toBe(200);
    const zero = client(scripted(reply('', 500), signedResponse(ORDER)), { random: () => 0 });
    await zero.request(post);
    expect(zero.sleeps).toEqual([]);
  });

  it('uses the system clock when none is injected', async () => {
    const live = new Verifier({ publicKeys: new Map([[WECHATPAY_KEY_ID, wechatpayKey.publicKey]]) });
    const now = Math.floor(Date.now() / 1000);
    const instance = new WechatPayClient({
      baseUrl: 'https://api.mch.weixin.qq.com',
      signer: new Signer({ mchid: '1', serialNo: 'S', privateKey: merchantKey.privateKey }),
      verifier: () => live,
      wechatpaySerial: WECHATPAY_KEY_ID,
      userAgent: 'ua',
      transport: scripted(signedResponse(ORDER, 200, { timestampSeconds: now })),
    });
    expect((await instance.request(post)).status).toBe(200);
  });
});

describe('WechatPayClient with ambiguous headers', () => {
  it('refuses an answer with two different Wechatpay-Serial headers as untrustworthy', async () => {
    const signed = signedResponse(ORDER);
    const ambiguous = { ...signed, headers: { ...signed.headers, 'wechatpay-serial': 'PUB_KEY_ID_OTHER' } };
    await expect(client(scripted(ambiguous)).request(post)).rejects.toBeInstanceOf(WechatPayUnavailableError);
  });
});

describe('WechatPayClient retry timing', () => {
  const failing = (count: number) => scripted(...Array.from({ length: count }, () => reply('', 500)));

  it('backs off random × base × 2^attempt: 100, 200, 400 ms for three retries', async () => {
    const instance = client(failing(4), { maxRetries: 3 });
    await expect(instance.request(post)).rejects.toThrow('failed 4 attempts; last: HTTP 500');
    expect(instance.sleeps).toEqual([100, 200, 400]);
  });

  it('never sleeps past the deadline', async () => {
    const instance = client(failing(3));
    await expect(instance.request({ ...post, deadlineMs: 150 })).rejects.toThrow(WechatPayUnavailableError);
    expect(instance.sleeps).toEqual([100, 150]);
  });

  it('a deadline reached exactly after a backoff ends the retries: no attempt with 0 ms left', async () => {
    let now = NOW_SECONDS * 1000;
    const transport = failing(3);
    const instance = client(transport, { clock: () => now, sleep: async (ms) => void (now += ms) });
    const error = await instance.request({ ...post, deadlineMs: 300 }).catch((caught: unknown) => caught);
    expect(error).toEqual(new WechatPayTimeoutError('WeChat Pay gave no answer within the deadline; last: HTTP 500'));
    expect(transport.calls).toHaveLength(2);
    expect(now).toBe(NOW_SECONDS * 1000 + 300);
  });

  it('gives each attempt the time left as its timeout', async () => {
    let now = NOW_SECONDS * 1000;
    const timeouts: number[] = [];
    const spy = vi.spyOn(AbortSignal, 'timeout').mockImplementation((ms) => (timeouts.push(ms), new AbortController().signal));
    try {
      const instance = client(failing(3), { clock: () => now, sleep: async (ms) => void (now += ms) });
      await instance.request({ ...post, deadlineMs: 1_000 }).catch(() => undefined);
      expect(timeouts).toEqual([1_000, 900, 700]);
    } finally {
      spy.mockRestore();
    }
  });

  it('sleeps with real timers by default, for as long as the backoff says', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const transport = scripted(reply('', 500), signedResponse(ORDER));
      // The default sleep, not the recording one of `client`.
      const instance = client(transport, { sleep: undefined, backoffBaseMs: 1_000 });
      const answer = instance.request(post);
      await vi.advanceTimersByTimeAsync(999);
      expect(transport.calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect((await answer).status).toBe(200);
      expect(transport.calls).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the last network error as the cause, and says what it was', async () => {
    const reset = new TypeError('socket hang up');
    const error = await client(scripted(reset, reset, reset)).request(post).catch((caught: unknown) => caught);
    expect(error).toEqual(new WechatPayUnavailableError('WeChat Pay failed 3 attempts; last: network error: socket hang up'));
    expect((error as Error).cause).toBe(reset);
  });

  it('keeps the timeout as the cause of a WechatPayTimeoutError', async () => {
    const error = await client(scripted('hang')).request({ ...post, deadlineMs: 20 }).catch((caught: unknown) => caught);
    expect(((error as Error).cause as Error).name).toBe('TimeoutError');
  });
});

describe('WechatPayClient error bodies', () => {
  it.each([
    ['a code without a message', '{"code":"PARAM_ERROR"}'],
    ['a message without a code', '{"message":"bad"}'],
    ['a numeric code', '{"code":400,"message":"bad"}'],
    ['an array', '[]'],
  ])('summarises a 4xx with %s, echoing nothing of it', async (_name, text) => {
    const error = await client(scripted(reply(text, 400))).request(post).catch((caught: unknown) => caught);
    expect((error as WechatPayApiError).body).toEqual({ code: 'UNKNOWN', message: 'WeChat Pay answered an error without a readable body' });
  });

  it('keeps only code, message and detail of a 4xx', async () => {
    const answer = reply('{"code":"PARAM_ERROR","message":"bad","detail":{"field":"openid"},"extra":"secret"}', 400);
    const error = await client(scripted(answer)).request(post).catch((caught: unknown) => caught);
    expect((error as WechatPayApiError).body).toEqual({ code: 'PARAM_ERROR', message: 'bad', detail: { field: 'openid' } });
  });
});
