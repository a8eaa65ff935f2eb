/**
 * Genuine WeChat Pay notifications for an account of a test world, and the
 * knobs to change exactly one thing of them.
 */
import { createPrivateKey } from 'node:crypto';
import { apiV3KeyBytes, createNotificationBody, signResponse, type Clock } from '../../lib/wechatpay';
import type { DevAccount, DevWechatpayKeys } from '../../dev/keys';

export interface NotificationOptions {
  id?: string;
  eventType?: string;
  /** Merged into the default USER_PAID plaintext. */
  plaintext?: Record<string, unknown>;
  /** Replaces the plaintext text wholesale (malformed plaintext tests). */
  plaintextText?: string;
  associatedData?: string;
  /** Sign with the public key id (default) or the certificate serial. */
  signWith?: 'publicKey' | 'certificate';
  clock?: Clock;
  /** Applied to the envelope before it is serialised and signed. */
  envelope?: (envelope: Record<string, unknown> & { resource: Record<string, unknown> }) => void;
  /** Another APIv3 key to encrypt with. */
  apiV3Key?: string;
}

export interface BuiltNotification {
  headers: Record<string, string>;
  body: string;
}

let sequence = 0;

export function userPaidPlaintext(account: DevAccount, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mchid: account.mchid,
    appid: 'wxd678efh567hg6787',
    out_order_no: '1234323JKHDFE1243252',
    service_id: '2002000000000558128851361561536',
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    state: 'DONE',
    state_description: 'MCH_COMPLETE',
    service_introduction: '羽毛球课基础练习课程',
    total_amount: 40000,
    post_payments: [{ name: '羽毛球课程', amount: 40000, description: '第2节课', count: 1 }],
    risk_fund: { name: 'ESTIMATE_ORDER_COST', amount: 40000 },
    time_range: { start_time: '20091225091010', end_time: '20091225121010' },
    order_id: '15646546545165651651',
    need_collection: true,
    collection: {
      state: 'USER_PAID',
      total_amount: 40000,
      paying_amount: 0,
      paid_amount: 40000,
      details: [{ seq: 1, amount: 40000, paid_type: 'NEWTON', paid_time: '20091225121210', transaction_id: '15646546545165651651' }],
    },
    ...overrides,
  };
}

export function buildNotification(wechatpay: DevWechatpayKeys, account: DevAccount, options: NotificationOptions = {}): BuiltNotification {
  sequence += 1;
  const envelope = JSON.parse(
    createNotificationBody({
      id: options.id ?? `EV-TEST-${sequence}`,
      createTime: '2026-11-22T10:00:00+08:00',
      eventType: options.eventType ?? 'PAYSCORE.USER_PAID',
      summary: '支付成功',
      plaintext: options.plaintextText ?? userPaidPlaintext(account, options.plaintext),
      apiV3Key: apiV3KeyBytes(options.apiV3Key ?? account.apiV3Key),
      nonce: 'Kj7QIyUiYx1q',
      associatedData: options.associatedData ?? 'payscore',
      originalType: 'payscore',
    }),
  ) as Record<string, unknown> & { resource: Record<string, unknown> };
  options.envelope?.(envelope);
  const body = JSON.stringify(envelope);
  const headers = signResponse(
    {
      serial: options.signWith === 'certificate' ? wechatpay.key.serial : wechatpay.publicKeyId,
      privateKey: createPrivateKey(wechatpay.key.privateKeyPem),
      ...(options.clock ? { clock: options.clock } : {}),
    },
    body,
  );
  return { headers: { ...headers, 'Content-Type': 'application/json' }, body };
}
