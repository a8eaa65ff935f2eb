import { createPrivateKey, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { deductionNotifyHandler, MAX_NOTIFICATION_BYTES } from '../../../lib/handlers/deduction-notify';
import { serviceOrderKey, unattachedNotificationKey, userSignPlanKey } from '../../../lib/ledger/keys';
import { createTestWorld, type TestWorld } from '../../helpers/accounts';
import { httpApiEvent, lambdaContext, restEvent, type EventInput } from '../../helpers/events';
import { startLocalAws, type LocalAws } from '../../helpers/local-aws';
import { recordingLog, type RecordingLog } from '../../helpers/logs';
import { buildNotification, userPaidPlaintext, type NotificationOptions } from '../../helpers/notifications';
import type { SecretCache } from '../../../lib/secrets/secret-cache';
import { Ledger } from '../../../lib/ledger/ledger';
import { signResponse } from '../../../lib/wechatpay';
import { recordingMetrics, type RecordingMetrics } from '../../helpers/metrics';

let world: TestWorld;
let aws: LocalAws;
let log: RecordingLog;
let metrics: RecordingMetrics;

beforeAll(async () => {
  world = await createTestWorld();
  aws = await startLocalAws({ merchant: world.secret(world.merchant), partner: world.secret(world.partner) });
});
afterAll(() => aws.close());
beforeEach(() => {
  log = recordingLog();
  metrics = recordingMetrics('deduction-notify');
  aws.ledgerProxy.set('pass');
});

function notifyHandler(options: { secrets?: SecretCache; ledger?: Ledger; secretId?: string } = {}) {
  const secrets = options.secrets ?? aws.secretCache(options.secretId ?? 'merchant');
  const ledger = options.ledger ?? aws.ledger();
  return deductionNotifyHandler(log, () => ({ secrets, ledger }), metrics);
}

const outOrderNo = () => `OUT${randomUUID().replace(/-/g, '').slice(0, 20)}`;
const merchantNotification = (options: NotificationOptions = {}) => buildNotification(world.wechatpay, world.merchant, options);
const orderItem = (out: string, mchid = world.merchant.mchid, subMchid?: string) => aws.item(serviceOrderKey({ mchid, subMchid, outOrderNo: out }));
const notificationsOf = async (out: string) => (await aws.record(serviceOrderKey({ mchid: world.merchant.mchid, outOrderNo: out }))).notifications;
const deliver = (handler: ReturnType<typeof notifyHandler>, input: EventInput) => handler(httpApiEvent(input), lambdaContext());

describe('deduction-notify: accepted notifications', () => {
  it('records a genuine USER_PAID and answers 204, keeping the plaintext exactly', async () => {
    const out = outOrderNo();
    const notification = merchantNotification({ plaintext: { out_order_no: out, future_field: '新字段' } });
    const response = await deliver(notifyHandler(), notification);
    expect(response, log.text()).toEqual({ statusCode: 204, body: '' });

    const item = await orderItem(out);
    const notifications = await notificationsOf(out);
    expect(notifications).toHaveLength(1);
    expect(item).toMatchObject({ mchid: world.merchant.mchid, out_order_no: out, order_id: '15646546545165651651', state: 'DONE', source: 'notification', source_id: notifications[0]!.id });
    expect(JSON.parse(item!.collection as string)).toMatchObject({ state: 'USER_PAID', paid_amount: 40000 });
    expect(notifications[0]).toMatchObject({ mchid: world.merchant.mchid, out_order_no: out, event_type: 'PAYSCORE.USER_PAID' });
    expect(JSON.parse(notifications[0]!.plaintext as string)).toMatchObject({ out_order_no: out, future_field: '新字段' });
    expect(metrics.emitted()).toEqual([{ outcome: 'applied', event_type: 'PAYSCORE.USER_PAID', Notifications: 1 }]);
  });

  it('the same notification delivered three times concurrently: three 2xx, one effect', async () => {
    const out = outOrderNo();
    const notification = merchantNotification({ plaintext: { out_order_no: out } });
    const handler = notifyHandler();
    const responses = await Promise.all([1, 2, 3].map(() => deliver(handler, notification)));
    expect(responses.map((response) => response.statusCode)).toEqual([204, 204, 204]);
    expect(await notificationsOf(out)).toHaveLength(1);
    expect(log.lines.map((line) => line.attributes.outcome).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    expect(metrics.emitted().map((document) => document.outcome).sort()).toEqual(['applied', 'duplicate', 'duplicate']);
  });

  it('a late USER_CONFIRM after USER_PAID is recorded and the order stays paid', async () => {
    const out = outOrderNo();
    const handler = notifyHandler();
    await deliver(handler, merchantNotification({ plaintext: { out_order_no: out } }));
    const confirm = merchantNotification({ eventType: 'PAYSCORE.USER_CONFIRM', plaintext: { out_order_no: out, state: 'DOING', collection: undefined } });
    expect((await deliver(handler, confirm)).statusCode).toBe(204);
    const item = await orderItem(out);
    expect(item).toMatchObject({ state: 'DONE', source_id: (await notificationsOf(out)).find((entry) => entry.event_type === 'PAYSCORE.USER_PAID')!.id });
    expect(await notificationsOf(out)).toHaveLength(2);
    expect(log.lines.map((line) => line.attributes.outcome)).toEqual(['applied', 'late']);
    expect(metrics.emitted()).toEqual([
      { outcome: 'applied', event_type: 'PAYSCORE.USER_PAID', Notifications: 1 },
      { outcome: 'late', event_type: 'PAYSCORE.USER_CONFIRM', Notifications: 1 },
    ]);
  });

  it('USER_CONFIRM then USER_PAID moves the order forward', async () => {
    const out = outOrderNo();
    const handler = notifyHandler();
    await deliver(handler, merchantNotification({ eventType: 'PAYSCORE.USER_CONFIRM', plaintext: { out_order_no: out, state: 'DOING' } }));
    expect(await orderItem(out)).toMatchObject({ state: 'DOING' });
    await deliver(handler, merchantNotification({ plaintext: { out_order_no: out } }));
    expect(await orderItem(out)).toMatchObject({ state: 'DONE' });
  });

  it('verifies callbacks signed with the platform certificate and with the public key alike', async () => {
    const out = outOrderNo();
    const handler = notifyHandler();
    expect((await deliver(handler, merchantNotification({ signWith: 'certificate', plaintext: { out_order_no: out } }))).statusCode).toBe(204);
    expect((await deliver(handler, merchantNotification({ signWith: 'publicKey', eventType: 'PAYSCORE.USER_CONFIRM', plaintext: { out_order_no: out } }))).statusCode).toBe(204);
  });

  it('accepts base64-encoded bodies, REST 1.0 events with mixed-case headers, and UTF-8 text', async () => {
    const handler = notifyHandler();
    const base64 = merchantNotification({ plaintext: { out_order_no: outOrderNo() } });
    expect((await deliver(handler, { ...base64, base64: true })).statusCode).toBe(204);
    const out = outOrderNo();
    const rest = merchantNotification({ plaintext: { out_order_no: out, service_introduction: '羽毛球课🏸' } });
    const mixed = Object.fromEntries(Object.entries(rest.headers).map(([name, value], index) => [index % 2 ? name.toUpperCase() : name.toLowerCase(), value]));
    expect((await handler(restEvent({ headers: mixed, body: rest.body, base64: true }), lambdaContext())).statusCode).toBe(204);
    expect(JSON.parse((await notificationsOf(out))[0]!.plaintext as string).service_introduction).toBe('羽毛球课🏸');
  });

  it("records a partner notification under the sub-merchant's key", async () => {
    const out = outOrderNo();
    const notification = buildNotification(world.wechatpay, world.partner, { plaintext: { out_order_no: out, sub_mchid: '1900000109' } });
    expect((await deliver(notifyHandler({ secretId: 'partner' }), notification)).statusCode).toBe(204);
    expect(await orderItem(out, world.partner.mchid, '1900000109')).toMatchObject({ sub_mchid: '1900000109', state: 'DONE' });
  });

  it('records and acknowledges other event types once', async () => {
    const id = `EV-OTHER-${randomUUID()}`;
    const out = outOrderNo();
    const notification = merchantNotification({ id, eventType: 'PAYSCORE.USER_CANCEL', plaintext: { out_order_no: out } });
    const handler = notifyHandler();
    expect((await deliver(handler, notification)).statusCode).toBe(204);
    expect((await deliver(handler, notification)).statusCode).toBe(204);
    expect(await notificationsOf(out)).toMatchObject([{ id, event_type: 'PAYSCORE.USER_CANCEL' }]);
    expect(await orderItem(out)).toBeUndefined();
    expect(log.lines.map((line) => line.attributes.outcome)).toEqual(['recorded', 'duplicate']);
  });

  it('records a PAYSCORE.USER_SIGN_PLAN that names no merchant_sign_plan_no once, as a notification of its own', async () => {
    const id = `EV-SIGN-${randomUUID()}`;
    const notification = merchantNotification({ id, eventType: 'PAYSCORE.USER_SIGN_PLAN', plaintextText: JSON.stringify({ mchid: world.merchant.mchid, sign_state: 'SIGNED', sign_plan_id: 'SP1' }) });
    const handler = notifyHandler();
    expect((await deliver(handler, notification)).statusCode).toBe(204);
    expect((await deliver(handler, notification)).statusCode).toBe(204);
    expect(await aws.item(unattachedNotificationKey(world.merchant.mchid, id))).toMatchObject({ kind: 'NOTIFICATION', id, event_type: 'PAYSCORE.USER_SIGN_PLAN' });
    expect(log.lines.map((line) => line.attributes.outcome)).toEqual(['recorded', 'duplicate']);
  });

  it('a PAYSCORE.USER_SIGN_PLAN in a sign_state the ledger does not know is kept in the sign plan\'s partition, applied to nothing', async () => {
    const id = `EV-SIGN-${randomUUID()}`;
    const key = { mchid: world.merchant.mchid, merchantSignPlanNo: `SP${randomUUID().slice(0, 8)}` };
    const plaintext = { mchid: world.merchant.mchid, merchant_sign_plan_no: key.merchantSignPlanNo, sign_state: 'PAUSED', signed_detail_list: [{ plan_detail_no: 1, plan_detail_state: 'NOT_USED' }] };
    expect((await deliver(notifyHandler(), merchantNotification({ id, eventType: 'PAYSCORE.USER_SIGN_PLAN', plaintextText: JSON.stringify(plaintext) }))).statusCode).toBe(204);
    expect(await aws.record(userSignPlanKey(key))).toMatchObject({ object: undefined, details: [], notifications: [{ id, merchant_sign_plan_no: key.merchantSignPlanNo }] });
    expect(log.lines.map((line) => line.attributes.outcome)).toEqual(['recorded']);
  });

  it('hands the ledger what it received, at the time of the injected clock', async () => {
    const received: unknown[] = [];
    const ledger = { recordNotification: async (notification: unknown) => (received.push(notification), 'applied' as const) } as unknown as Ledger;
    const at = Date.UTC(2026, 10, 22, 2, 0, 0);
    const handler = deductionNotifyHandler(log, () => ({ secrets: aws.secretCache('merchant'), ledger, clock: () => at }), recordingMetrics());
    const out = outOrderNo();
    const partnerOut = outOrderNo();
    expect((await deliver(handler, merchantNotification({ id: 'EV-CLOCK-1', plaintext: { out_order_no: out } }))).statusCode).toBe(204);
    const partner = deductionNotifyHandler(log, () => ({ secrets: aws.secretCache('partner'), ledger, clock: () => at }), recordingMetrics());
    const partnerNotification = buildNotification(world.wechatpay, world.partner, { plaintext: { out_order_no: partnerOut, sub_mchid: '1900000109' } });
    expect((await deliver(partner, partnerNotification)).statusCode).toBe(204);
    const orderless = merchantNotification({ eventType: 'PAYSCORE.USER_CONFIRM', plaintext: { out_order_no: undefined, sub_mchid: 1900000109 } });
    expect((await deliver(handler, orderless)).statusCode).toBe(204);
    const oddSubMchid = merchantNotification({ plaintext: { out_order_no: out, sub_mchid: 1900000109 } });
    expect((await deliver(handler, oddSubMchid)).statusCode).toBe(204);
    const signPlan = buildNotification(world.wechatpay, world.partner, { eventType: 'PAYSCORE.USER_SIGN_PLAN', plaintextText: JSON.stringify({ mchid: world.partner.mchid, sub_mchid: '1900000109', merchant_sign_plan_no: 'SP-1' }) });
    expect((await deliver(partner, signPlan)).statusCode).toBe(204);
    expect(received[4]).toMatchObject({ order: undefined, signPlan: { mchid: world.partner.mchid, subMchid: '1900000109', merchantSignPlanNo: 'SP-1' } });
    expect(received[0]).toHaveProperty('signPlan', undefined);
    expect(log.lines.at(-1)!.attributes).toMatchObject({ merchant_sign_plan_no: 'SP-1', out_order_no: undefined });
    expect(received[2]).toHaveProperty('order', undefined);
    expect(received[3]).toMatchObject({ order: { subMchid: undefined, outOrderNo: out } });
    expect(received.slice(0, 2)).toMatchObject([
      { id: 'EV-CLOCK-1', eventType: 'PAYSCORE.USER_PAID', createTime: '2026-11-22T10:00:00+08:00', receivedAt: '2026-11-22T02:00:00.000Z', mchid: world.merchant.mchid, order: { mchid: world.merchant.mchid, subMchid: undefined, outOrderNo: out } },
      { mchid: world.partner.mchid, order: { mchid: world.partner.mchid, subMchid: '1900000109', outOrderNo: partnerOut } },
    ]);
    expect(log.lines.find((line) => line.message === 'notification recorded')!.attributes).toMatchObject({ notification_id: 'EV-CLOCK-1', event_type: 'PAYSCORE.USER_PAID', out_order_no: out, outcome: 'applied' });
  });

  it('a warm invocation sets no timer of its own around the work (no early-timeout race)', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    let during: number | undefined;
    const ledger = { recordNotification: async () => ((during = timers()), 'applied' as const) } as unknown as Ledger;
    const handler = notifyHandler({ ledger });
    const notification = () => merchantNotification({ plaintext: { out_order_no: outOrderNo() } });
    await deliver(handler, notification());
    const before = timers();
    expect((await deliver(handler, notification())).statusCode).toBe(204);
    expect(during).toBe(before);
  });
});

describe('deduction-notify: no genuine notification fails for its content or its number', () => {
  it('a USER_PAID whose numbers exceed 2^53 and a double (9007199254740993, 1e400) is acknowledged and kept exactly', async () => {
    const out = outOrderNo();
    const text = JSON.stringify(userPaidPlaintext(world.merchant, { out_order_no: out }))
      .replace('"paid_amount":40000', '"paid_amount":9007199254740993,"future_ratio":1e400')
      .replace(/}$/, ',"risk_score":1E400}');
    const response = await deliver(notifyHandler(), merchantNotification({ plaintextText: text }));
    expect(response.statusCode, log.text()).toBe(204);
    expect(log.lines.at(-1)!.attributes.outcome).toBe('applied');
    expect((await notificationsOf(out)).map((entry) => entry.plaintext)).toEqual([text]);
    expect((await orderItem(out))!.collection).toContain('"paid_amount":9007199254740993,"future_ratio":1e400');
  });

  it('a plaintext of 60 KiB is acknowledged and kept', async () => {
    const out = outOrderNo();
    const plaintext = userPaidPlaintext(world.merchant, { out_order_no: out, future_field: 'x'.repeat(60 * 1024) });
    expect((await deliver(notifyHandler(), merchantNotification({ plaintext }))).statusCode, log.text()).toBe(204);
    expect((await notificationsOf(out)).map((entry) => entry.plaintext)).toEqual([JSON.stringify(plaintext)]);
  });

  it('100 notifications of 30 KiB each for one order are all acknowledged and kept, the last USER_PAID too', async () => {
    const out = outOrderNo();
    const handler = notifyHandler();
    const statuses = [];
    for (let index = 0; index < 100; index += 1) {
      const eventType = index < 99 ? 'PAYSCORE.USER_CONFIRM' : 'PAYSCORE.USER_PAID';
      const plaintext = { out_order_no: out, future_field: 'x'.repeat(30 * 1024), ...(index < 99 ? { state: 'DOING', collection: undefined } : {}) };
      statuses.push((await deliver(handler, merchantNotification({ eventType, plaintext }))).statusCode);
    }
    expect(statuses).toEqual(Array.from({ length: 100 }, () => 204));
    expect(await notificationsOf(out)).toHaveLength(100);
    expect(await orderItem(out)).toMatchObject({ state: 'DONE' });
  });

  it('two USER_PAID with different ids, newest first: the older one does not overwrite the newer collection', async () => {
    const out = outOrderNo();
    const handler = notifyHandler();
    const at = (time: string) => (envelope: Record<string, unknown>) => void (envelope.create_time = time);
    const newer = merchantNotification({ envelope: at('2026-11-22T10:05:00+08:00'), plaintext: { out_order_no: out } });
    const paying = { state: 'USER_PAYING', total_amount: 40000, paying_amount: 40000, paid_amount: 0 };
    const older = merchantNotification({ envelope: at('2026-11-22T10:00:00+08:00'), plaintext: { out_order_no: out, collection: paying } });
    expect((await deliver(handler, newer)).statusCode).toBe(204);
    expect((await deliver(handler, older)).statusCode).toBe(204);
    expect(log.lines.map((line) => line.attributes.outcome)).toEqual(['applied', 'late']);
    expect(JSON.parse((await orderItem(out))!.collection as string)).toMatchObject({ state: 'USER_PAID', paid_amount: 40000 });
  });
});

describe('deduction-notify: rejections leave the ledger untouched', () => {
  const rejections: Array<[string, number, string, 'warn' | 'error', () => EventInput]> = [
    ['no Wechatpay-Signature', 401, 'WECHATPAY_HEADER_MISSING', 'warn', () => withoutHeader('Wechatpay-Signature')],
    ['no Wechatpay-Timestamp', 401, 'WECHATPAY_HEADER_MISSING', 'warn', () => withoutHeader('Wechatpay-Timestamp')],
    ['no Wechatpay-Nonce', 401, 'WECHATPAY_HEADER_MISSING', 'warn', () => withoutHeader('Wechatpay-Nonce')],
    ['no Wechatpay-Serial', 401, 'WECHATPAY_HEADER_MISSING', 'warn', () => withoutHeader('Wechatpay-Serial')],
    ['a timestamp 301 s old', 401, 'WECHATPAY_TIMESTAMP_OUT_OF_WINDOW', 'warn', () => merchantNotification({ clock: () => Date.now() - 301_000 })],
    ['a timestamp 301 s ahead', 401, 'WECHATPAY_TIMESTAMP_OUT_OF_WINDOW', 'warn', () => merchantNotification({ clock: () => Date.now() + 301_000 })],
    ['an unknown serial', 401, 'WECHATPAY_SERIAL_UNKNOWN', 'warn', () => ({ ...merchantNotification(), headers: { ...merchantNotification().headers, 'Wechatpay-Serial': 'PUB_KEY_ID_0199999999' } })],
    ['one body byte changed', 401, 'WECHATPAY_SIGNATURE_MISMATCH', 'warn', () => changedBody()],
    ['a SIGNTEST probe', 401, 'WECHATPAY_SIGNATURE_PROBE', 'warn', () => withHeader('Wechatpay-Signature', `WECHATPAY/SIGNTEST/${merchantNotification().headers['Wechatpay-Signature']}`)],
    ['a non-base64 signature', 401, 'WECHATPAY_SIGNATURE_MALFORMED', 'warn', () => withHeader('Wechatpay-Signature', '!!!')],
    ['wrong associated data', 400, 'WECHATPAY_DECRYPTION_FAILED', 'error', () => merchantNotification({ envelope: (envelope) => void (envelope.resource.associated_data = 'certificate') })],
    ['another algorithm', 400, 'WECHATPAY_ALGORITHM_UNSUPPORTED', 'warn', () => merchantNotification({ envelope: (envelope) => void (envelope.resource.algorithm = 'AEAD_AES_128_GCM') })],
    ['an envelope without id', 400, 'WECHATPAY_NOTIFICATION_MALFORMED', 'warn', () => merchantNotification({ envelope: (envelope) => void delete envelope.id })],
    ['a plaintext that is not JSON', 400, 'WECHATPAY_NOTIFICATION_MALFORMED', 'warn', () => merchantNotification({ plaintextText: 'DONE' })],
    ['another APIv3 key', 400, 'WECHATPAY_DECRYPTION_FAILED', 'error', () => merchantNotification({ apiV3Key: 'x'.repeat(32) })],
    ["another merchant's mchid", 400, 'NOTIFICATION_ACCOUNT_MISMATCH', 'error', () => merchantNotification({ plaintext: { mchid: '1230000109' } })],
    ['a body over the limit', 413, 'PAYLOAD_TOO_LARGE', 'warn', () => ({ headers: merchantNotification().headers, body: 'x'.repeat(MAX_NOTIFICATION_BYTES + 1) })],
    ['a base64 body over the limit', 413, 'PAYLOAD_TOO_LARGE', 'warn', () => ({ headers: merchantNotification().headers, body: 'x'.repeat(MAX_NOTIFICATION_BYTES + 1), base64: true })],
  ];

  it.each(rejections)('%s → %i FAIL, logged as %s', async (_name, status, code, level, input) => {
    const before = (await aws.items()).length;
    const response = await deliver(notifyHandler(), input());
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ code: 'FAIL', message: expect.any(String) });
    expect(log.lines).toEqual([expect.objectContaining({ level, message: 'request failed', attributes: expect.objectContaining({ code, status }) })]);
    expect((await aws.items()).length).toBe(before);
    // Counted by code; a failure (NotifyFailures) when an operator must look: an error, or a signature that fails. A probe apart.
    const failure = level === 'error' || status === 401;
    expect(metrics.emitted()).toEqual([
      code === 'WECHATPAY_SIGNATURE_PROBE' ? { SignatureProbes: 1 } : { code, NotificationRejections: 1, ...(failure ? { NotifyFailures: 1 } : {}) },
    ]);
  });

  it('a correctly signed body that is not JSON → 400', async () => {
    const body = merchantNotification().body.slice(0, -1);
    const headers = signResponse({ serial: world.wechatpay.publicKeyId, privateKey: createPrivateKey(world.wechatpay.key.privateKeyPem) }, body);
    expect((await deliver(notifyHandler(), { headers, body })).statusCode).toBe(400);
  });

  it('forces a secret refresh for an unknown serial only, never for another failure or a known serial', async () => {
    const cache = aws.secretCache('merchant');
    let forced = 0;
    const secrets = { get: () => cache.get(), forceRefresh: () => ((forced += 1), cache.forceRefresh()) };
    const handler = deductionNotifyHandler(log, () => ({ secrets, ledger: { recordNotification: async () => 'applied' as const } }), recordingMetrics());
    expect((await deliver(handler, merchantNotification())).statusCode).toBe(204);
    expect((await deliver(handler, changedBody())).statusCode).toBe(401);
    expect((await deliver(handler, withHeader('Wechatpay-Timestamp', '12'))).statusCode).toBe(401);
    expect(forced).toBe(0);
    expect((await deliver(handler, withHeader('Wechatpay-Serial', 'PUB_KEY_ID_0199999999'))).statusCode).toBe(401);
    expect(forced).toBe(1);
  });

  it('an unknown serial costs at most one secret refresh a minute, none right after a fetch', async () => {
    let now = Date.now();
    const secrets = aws.secretCache('merchant', { clock: () => now });
    const handler = notifyHandler({ secrets });
    await deliver(handler, merchantNotification());
    const fetched = aws.secretsManager.calls.GetSecretValue;
    await deliver(handler, withHeader('Wechatpay-Serial', 'PUB_KEY_ID_0199999999'));
    expect(aws.secretsManager.calls.GetSecretValue).toBe(fetched);
    now += 60_000;
    const before = aws.secretsManager.calls.GetSecretValue;
    for (let i = 0; i < 5; i += 1) await deliver(handler, withHeader('Wechatpay-Serial', 'PUB_KEY_ID_0199999999'));
    expect(aws.secretsManager.calls.GetSecretValue - before).toBe(1);
  });
});

describe('deduction-notify: faults', () => {
  it('ledger down → 500 FAIL; once it recovers the same notification lands exactly once', async () => {
    const out = outOrderNo();
    const notification = merchantNotification({ plaintext: { out_order_no: out } });
    const handler = notifyHandler();
    aws.ledgerProxy.set('fail');
    const failed = await deliver(handler, notification);
    expect(failed.statusCode).toBe(500);
    expect(JSON.parse(failed.body).code).toBe('FAIL');
    expect(await orderItem(out)).toBeUndefined();
    aws.ledgerProxy.set('pass');
    expect((await deliver(handler, notification)).statusCode).toBe(204);
    expect(await notificationsOf(out)).toHaveLength(1);
    expect(metrics.emitted()).toEqual([
      { operation: 'notification', LedgerWriteFailures: 1 },
      { code: log.lines[0]!.attributes.code, NotificationRejections: 1, NotifyFailures: 1 },
      { outcome: 'applied', event_type: 'PAYSCORE.USER_PAID', Notifications: 1 },
    ]);
  });

  it('ledger slower than its write timeout → 500 within the budget', async () => {
    const notification = merchantNotification({ plaintext: { out_order_no: outOrderNo() } });
    const handler = notifyHandler({ ledger: aws.ledger({ writeTimeoutMs: 200 }) });
    await deliver(handler, merchantNotification());
    aws.ledgerProxy.set('hang');
    const response = await deliver(handler, notification);
    expect(response.statusCode).toBe(500);
    expect(log.lines.at(-1)).toMatchObject({ level: 'error', message: 'request failed' });
  });

  it("the ledger write's timeout is writeTimeoutMs exactly: when it fires, 500 FAIL", { timeout: 5_000 }, async () => {
    const secrets = aws.secretCache('merchant');
    await secrets.get();
    // The write's timer, by duration: firing one is the injected clock reaching it.
    const timers: Array<{ ms: number; controller: AbortController }> = [];
    vi.spyOn(AbortSignal, 'timeout').mockImplementation((ms) => {
      const controller = new AbortController();
      timers.push({ ms, controller });
      return controller.signal;
    });
    try {
      let sent = 0;
      const client = {
        send: (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
          new Promise((_resolve, reject) => {
            sent += 1;
            options?.abortSignal?.addEventListener('abort', () => reject(options.abortSignal!.reason));
          }),
      };
      const ledger = new Ledger({ client: client as never, tableName: 'ledger-test', writeTimeoutMs: 1_234 });
      const answer = deliver(notifyHandler({ secrets, ledger }), merchantNotification({ plaintext: { out_order_no: outOrderNo() } }));
      // The record and its application go at once, under the one budget.
      await vi.waitFor(() => expect(sent).toBe(2));
      expect(timers.map((timer) => timer.ms)).toContain(1_234);
      for (const timer of timers.filter(({ ms }) => ms === 1_234)) timer.controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
      const response = await answer;
      expect(response.statusCode).toBe(500);
      expect(JSON.parse(response.body)).toEqual({ code: 'FAIL', message: 'temporarily unable to process; retry later' });
      expect(log.lines.at(-1)).toMatchObject({ level: 'error', message: 'request failed', attributes: { status: 500 } });
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('Secrets Manager down at cold start → 500 with a clear log; a warm container keeps serving', async () => {
    const cold = notifyHandler({ secrets: aws.secretCache('merchant') });
    aws.secretsManager.fail(1);
    const response = await deliver(cold, merchantNotification());
    expect(response.statusCode).toBe(500);
    expect(log.lines.at(-1)!.attributes.code).toBe('SECRET_UNAVAILABLE');

    const secrets = aws.secretCache('merchant', { refreshIntervalMs: 0 });
    const warm = notifyHandler({ secrets });
    expect((await deliver(warm, merchantNotification())).statusCode).toBe(204);
    aws.secretsManager.fail(1);
    expect((await deliver(warm, merchantNotification())).statusCode).toBe(204);
  });

  it('a malformed secret → 500, the log names the field and holds no key material', async () => {
    const broken = JSON.parse(world.secret(world.merchant));
    aws.secretsManager.setSecret('broken', JSON.stringify({ ...broken, apiV3Key: 'a-secret-apiv3-key-too-short' }));
    const response = await deliver(notifyHandler({ secretId: 'broken' }), merchantNotification());
    expect(response.statusCode).toBe(500);
    expect(log.text()).toContain('apiV3Key: must be exactly 32 bytes');
    expect(log.text()).not.toContain('a-secret-apiv3-key-too-short');
  });
});

describe('deduction-notify: logs', () => {
  it("every line carries the invocation's fields: request ids, function name, cold start, X-Ray trace id", async () => {
    const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    vi.stubEnv('_X_AMZN_TRACE_ID', trace);
    try {
      const context = lambdaContext();
      await notifyHandler()(httpApiEvent(merchantNotification({ plaintext: { out_order_no: outOrderNo() } })), context);
      await notifyHandler()(restEvent(changedBody()), lambdaContext());
      expect(log.lines.map((line) => line.invocation)).toEqual([
        { aws_request_id: context.awsRequestId, function_name: 'test', cold_start: expect.any(Boolean), xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793', api_request_id: 'api-request-1' },
        { aws_request_id: expect.stringMatching(/^lambda-request-/), function_name: 'test', cold_start: false, xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793', api_request_id: 'rest-request-1' },
      ]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('at DEBUG, also what came in and what was verified, never its content', async () => {
    log = recordingLog({ debug: true });
    const notification = merchantNotification({ plaintext: { out_order_no: outOrderNo() } });
    await deliver(notifyHandler(), notification);
    const id = JSON.parse(notification.body).id;
    expect(log.lines.filter((line) => line.level === 'debug').map(({ message, attributes }) => ({ message, attributes }))).toEqual([
      { message: 'request received', attributes: { route: 'POST /merchant/notify', body_length: notification.body.length } },
      { message: 'notification verified and decrypted', attributes: { notification_id: id, event_type: 'PAYSCORE.USER_PAID', wechatpay_serial: world.wechatpay.publicKeyId } },
    ]);
  });

  it('hold ids and outcomes, never keys, signatures, plaintext or the openid', async () => {
    const handler = notifyHandler();
    const notification = merchantNotification({ plaintext: { out_order_no: outOrderNo() } });
    await deliver(handler, notification);
    await deliver(handler, changedBody());
    const text = log.text();
    expect(text).toContain('notification recorded');
    expect(log.lines.find((line) => line.message === 'notification recorded')!.attributes.wechatpay_serial).toBe(world.wechatpay.publicKeyId);
    for (const secret of [world.merchant.apiV3Key, world.wechatpay.key.privateKeyPem.slice(40, 80), notification.headers['Wechatpay-Signature']!.slice(0, 24), 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', '15646546545165651651']) {
      expect(text).not.toContain(secret);
    }
  });
});

function withHeader(name: string, value: string): EventInput {
  const notification = merchantNotification();
  return { ...notification, headers: { ...notification.headers, [name]: value } };
}

function withoutHeader(name: string): EventInput {
  const notification = merchantNotification();
  const { [name]: _removed, ...headers } = notification.headers;
  return { ...notification, headers };
}

function changedBody(): EventInput {
  const notification = merchantNotification();
  return { ...notification, body: notification.body.replace('"summary":"支付成功"', '"summary":"支付失败"') };
}
