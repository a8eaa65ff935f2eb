import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { MissingHeaderError, SignatureMismatchError, SignatureProbeError, TimestampOutOfWindowError } from '../../../lib/wechatpay';
import {
  call,
  controlGet,
  controlPost,
  createOrder,
  merchantOrder,
  MERCHANT_PATH,
  post,
  signerFor,
  startWorldSandbox,
  receiverSandboxFixture,
  verifierFor,
} from './helpers';

const fx = receiverSandboxFixture();

const create = (order = merchantOrder(), signal?: AbortSignal) => post(fx.sandbox.url, MERCHANT_PATH, JSON.stringify(order), signerFor(fx.world.merchant), signal);
const hasOrder = (outTradeNo: unknown) => fx.sandbox.orders().some((order) => order.request.out_trade_no === outTradeNo);

describe('faults on the other WeChat Pay routes', () => {
  it('spoil the next answer whichever route gives it: a query, a complete, a 204', async () => {
    const order = merchantOrder();
    const created = await create(order);
    const query = `/v3/payscore/serviceorder?service_id=${String(order.service_id)}&appid=${String(order.appid)}&out_order_no=${String(order.out_trade_no)}`;
    fx.sandbox.injectFault({ kind: 'badSignature' });
    const queried = await call(fx.sandbox, fx.world.merchant, 'GET', query);
    expect(queried.json.order_id).toBe(created.json.order_id);
    expect(() => verifierFor(fx.world.wechatpay).verify(queried.headers, queried.raw)).toThrow(SignatureMismatchError);
    fx.sandbox.injectFault({ kind: 'unsigned' });
    const complete = { appid: order.appid, service_id: order.service_id, post_payments: [{ name: 'x', amount: 1000 }], total_amount: 1000 };
    const completed = await call(fx.sandbox, fx.world.merchant, 'POST', `/v3/payscore/serviceorder/${String(order.out_trade_no)}/complete`, complete);
    expect(completed.json.state).toBe('DOING');
    expect(() => verifierFor(fx.world.wechatpay).verify(completed.headers, completed.raw)).toThrow(MissingHeaderError);
    fx.sandbox.injectFault({ kind: 'systemError' });
    expect((await call(fx.sandbox, fx.world.merchant, 'GET', query)).json.code).toBe('SYSTEM_ERROR');
    expect(fx.sandbox.faults()).toEqual([]);
    await fx.sandbox.idle();
  });
});

describe('create faults', () => {
  it('systemError answers the next N creates 500 SYSTEM_ERROR, signed, without creating the order', async () => {
    fx.sandbox.injectFault({ kind: 'systemError', count: 2 });
    const order = merchantOrder();
    for (const _ of [1, 2]) {
      const answer = await create(order);
      expect(answer.status).toBe(500);
      expect(answer.json.code).toBe('SYSTEM_ERROR');
      expect(() => verifierFor(fx.world.wechatpay).verify(answer.headers, answer.raw)).not.toThrow();
    }
    expect(hasOrder(order.out_trade_no)).toBe(false);
    expect((await create(order)).status).toBe(200);
  });

  it('hang creates the order but never answers; the retry gets the same order', async () => {
    fx.sandbox.injectFault({ kind: 'hang' });
    const order = merchantOrder();
    const abort = new AbortController();
    const hung = create(order, abort.signal);
    await vi.waitFor(() => expect(hasOrder(order.out_trade_no)).toBe(true));
    abort.abort();
    await expect(hung).rejects.toThrow();
    const retried = await create(order);
    expect(retried.json.order_id).toBe(fx.sandbox.orders().find((stored) => stored.request.out_trade_no === order.out_trade_no)!.orderId);
  });

  it('hang ends when the fx.sandbox closes', async () => {
    const closing = await startWorldSandbox(fx.world);
    closing.injectFault({ kind: 'hang' });
    const hung = post(closing.url, MERCHANT_PATH, JSON.stringify(merchantOrder()), signerFor(fx.world.merchant));
    await vi.waitFor(() => expect(closing.orders()).toHaveLength(1));
    await closing.close();
    await expect(hung).rejects.toThrow();
  });

  it.each([
    ['unsigned', MissingHeaderError],
    ['badSignature', SignatureMismatchError],
    ['staleTimestamp', TimestampOutOfWindowError],
  ] as const)('%s spoils the signature of an otherwise normal answer', async (kind, rejection) => {
    fx.sandbox.injectFault({ kind });
    const order = merchantOrder();
    const answer = await create(order);
    expect(answer.status).toBe(200);
    expect(answer.json.out_order_no).toBe(order.out_trade_no);
    expect(answer.headers['request-id']).toBeTruthy();
    expect(() => verifierFor(fx.world.wechatpay).verify(answer.headers, answer.raw)).toThrow(rejection);
    const next = await create();
    expect(() => verifierFor(fx.world.wechatpay).verify(next.headers, next.raw)).not.toThrow();
  });

  it('unsigned leaves out every Wechatpay-* header; staleTimestamp is 10 minutes old', async () => {
    fx.sandbox.injectFault({ kind: 'unsigned' });
    expect(Object.keys((await create()).headers).filter((name) => name.startsWith('wechatpay-'))).toEqual([]);
    fx.sandbox.injectFault({ kind: 'staleTimestamp' });
    const stale = await create();
    expect(Math.round((Date.now() / 1000 - Number(stale.headers['wechatpay-timestamp'])) / 60)).toBe(10);
  });
});

describe('delivery faults', () => {
  it('duplicateDelivery delivers the same bytes K times, one after the other', async () => {
    fx.receiver.received.length = 0;
    fx.sandbox.injectFault({ kind: 'duplicateDelivery', copies: 3 });
    const created = await createOrder(fx.sandbox, fx.world.merchant, merchantOrder());
    const deliveries = await fx.sandbox.waitForDelivery(fx.sandbox.completeOrder(created.order_id as string).notificationId);
    expect(deliveries.map((delivery) => [delivery.copy, delivery.outcome])).toEqual([[1, 'delivered'], [2, 'delivered'], [3, 'delivered']]);
    expect(fx.receiver.received).toHaveLength(3);
    expect(new Set(fx.receiver.received.map((received) => received.body.toString())).size).toBe(1);
  });

  it('concurrentDelivery sends K copies at once', async () => {
    // Answers nobody until all three copies are waiting: sequential copies would time out instead.
    const waiting: ServerResponse[] = [];
    const gate = createServer((request, response) => {
      request.resume();
      waiting.push(response);
      if (waiting.length === 3) for (const held of waiting) held.writeHead(204).end();
    });
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    const gated = await startWorldSandbox(fx.world, { resolveNotifyUrl: () => `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`, deliveryTimeoutMs: 10_000 });
    try {
      gated.injectFault({ kind: 'concurrentDelivery', copies: 3 });
      const created = await createOrder(gated, fx.world.merchant, merchantOrder());
      const deliveries = await gated.waitForDelivery(gated.completeOrder(created.order_id as string).notificationId);
      expect(deliveries.map((delivery) => [delivery.attempts.length, delivery.attempts[0]!.statusCode])).toEqual([[1, 204], [1, 204], [1, 204]]);
    } finally {
      await gated.close();
      await new Promise((resolve) => gate.close(resolve));
    }
  });

  it('probe precedes the notification with the same body under a WECHATPAY/SIGNTEST/ signature, sent once', async () => {
    fx.receiver.received.length = 0;
    fx.sandbox.injectFault({ kind: 'probe' });
    const created = await createOrder(fx.sandbox, fx.world.merchant, merchantOrder());
    const deliveries = await fx.sandbox.waitForDelivery(fx.sandbox.completeOrder(created.order_id as string).notificationId);
    expect(deliveries.map((delivery) => [delivery.probe, delivery.copy, delivery.attempts.length])).toEqual([[true, 0, 1], [false, 1, 1]]);
    const [probe, genuine] = fx.receiver.received;
    expect(probe!.headers['wechatpay-signature']).toMatch(/^WECHATPAY\/SIGNTEST\//);
    expect(probe!.body).toEqual(genuine!.body);
    expect(() => verifierFor(fx.world.wechatpay).verify(probe!.headers, probe!.body)).toThrow(SignatureProbeError);
    expect(() => verifierFor(fx.world.wechatpay).verify(genuine!.headers, genuine!.body)).not.toThrow();
  });

  it('can also be asked for per notification', async () => {
    fx.receiver.received.length = 0;
    const created = await createOrder(fx.sandbox, fx.world.merchant, merchantOrder());
    const deliveries = await fx.sandbox.waitForDelivery(fx.sandbox.completeOrder(created.order_id as string, { copies: 2, probe: true }).notificationId);
    expect(deliveries.map((delivery) => delivery.copy)).toEqual([0, 1, 2]);
  });
});

describe('the faults route', () => {
  it('queues, lists and clears faults over HTTP', async () => {
    expect(await controlPost(fx.sandbox.url, '/sandbox/faults', { kind: 'unsigned' })).toEqual({ status: 200, json: { kind: 'unsigned', count: 1 } });
    expect(await controlPost(fx.sandbox.url, '/sandbox/faults', { kind: 'duplicateDelivery', copies: 2, count: 3 })).toMatchObject({ status: 200 });
    expect(await controlGet(fx.sandbox.url, '/sandbox/faults')).toEqual([
      { kind: 'unsigned', count: 1 },
      { kind: 'duplicateDelivery', copies: 2, count: 3 },
    ]);
    const answer = await create();
    expect(answer.headers['wechatpay-signature']).toBeUndefined();
    expect(await controlGet(fx.sandbox.url, '/sandbox/faults')).toEqual([{ kind: 'duplicateDelivery', copies: 2, count: 3 }]);
    expect(await (await fetch(`${fx.sandbox.url}/sandbox/faults`, { method: 'DELETE' })).json()).toEqual([]);
  });

  it('rejects an unknown fault with 400 PARAM_ERROR naming the field', async () => {
    const answer = await controlPost(fx.sandbox.url, '/sandbox/faults', { kind: 'explode' });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/kind' } });
    const missing = await controlPost(fx.sandbox.url, '/sandbox/faults', { kind: 'concurrentDelivery' });
    expect(missing.json).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/copies' } });
  });
});
