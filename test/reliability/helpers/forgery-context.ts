/** What a forger works from: genuine notifications it captured, and keys that are not WeChat Pay's. */
import { randomBytes, type KeyObject } from 'node:crypto';
import { signResponse } from '../../../lib/wechatpay';
import { fixedClock } from '../../helpers/wechatpay';
import type { Delivery } from './notify-events';

export const SIGNED_HEADERS = ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial'] as const;
export type SignedHeader = (typeof SIGNED_HEADERS)[number];

/** A genuine notification: WeChat Pay's headers and the exact body it signed. */
export interface Genuine {
  headers: Record<string, string>;
  body: string;
}

export interface ForgeryContext {
  /** Genuine notifications for the account under attack, signed at `nowSeconds`. */
  pool: readonly Genuine[];
  /** Genuine notifications for another account (same WeChat Pay key, another APIv3 key). */
  otherAccount: readonly Genuine[];
  /** WeChat Pay's key: only to reproduce a message it really signed at another time (a replay). */
  wechatpayKey: KeyObject;
  /** The forger's own key. */
  attackerKey: KeyObject;
  /** The ids the account knows WeChat Pay's key by. */
  knownSerials: readonly string[];
  nowSeconds: number;
}

/** One way of forging a notification, named for the figures. */
export interface Forgery {
  kind: string;
  forge(genuine: Genuine, context: ForgeryContext): Delivery;
}

export const forgery =
  (kind: string) =>
  <T>(parameters: T, forge: (parameters: T, genuine: Genuine, context: ForgeryContext) => Delivery): Forgery => ({ kind, forge: (genuine, context) => forge(parameters, genuine, context) });

export const withHeaders = (genuine: Genuine, changes: Partial<Record<string, string | undefined>>, body: string | Buffer = genuine.body): Delivery => {
  const headers = { ...genuine.headers };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return { headers, body };
};

/** `candidate`, unless it happens to equal `original`: a forgery must change something. */
export const changed = (original: string, candidate: string): string => (candidate === original ? `${candidate}0` : candidate);

export const isKnownSerial = (context: ForgeryContext, serial: string): boolean => context.knownSerials.some((known) => known.toUpperCase() === serial.toUpperCase());

/** A serial that names no configured key, however it is cased. */
export const unknownSerial = (context: ForgeryContext, candidate: string): string => {
  let serial = candidate;
  while (isKnownSerial(context, serial)) serial = `X${serial}`;
  return serial;
};

export const randomSerial = (): string => randomBytes(20).toString('hex').toUpperCase();

/** Signature headers over `body` by `privateKey`, as WeChat Pay would make them. */
export function signedHeaders(body: string | Buffer, options: { privateKey: KeyObject; serial: string; timestampSeconds: number; nonce?: string }): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    ...signResponse({ serial: options.serial, privateKey: options.privateKey, clock: fixedClock(options.timestampSeconds), ...(options.nonce ? { nonce: () => options.nonce! } : {}) }, body),
  };
}

/** A copy of `bytes` with the byte at `index` (modulo the length) XORed with a non-zero `mask`. */
export function xorByte(bytes: Uint8Array, index: number, mask: number): Buffer {
  const copy = Buffer.from(bytes);
  const at = index % copy.length;
  copy[at] = copy[at]! ^ mask;
  return copy;
}
