import type { KeyObject } from 'node:crypto';
import { formatAuthorization, SIGNATURE_SCHEME } from './authorization';
import { systemClock, unixSeconds, type Clock } from './clock';
import { requestMessage, responseMessage, type Body } from './message';
import { randomNonce, type NonceSource } from './nonce';
import { signSha256WithRsa } from './rsa';

export interface SignerOptions {
  /** The merchant (or, for partner calls, the service provider) that signs. */
  mchid: string;
  /** Serial number of the merchant API certificate whose private key signs. */
  serialNo: string;
  privateKey: KeyObject;
  clock?: Clock;
  nonce?: NonceSource;
}

/** Signs merchant requests to WeChat Pay (APIv3 `Authorization` header). */
export class Signer {
  readonly mchid: string;
  readonly serialNo: string;
  readonly #privateKey: KeyObject;
  readonly #clock: Clock;
  readonly #nonce: NonceSource;

  constructor(options: SignerOptions) {
    this.mchid = options.mchid;
    this.serialNo = options.serialNo;
    this.#privateKey = options.privateKey;
    this.#clock = options.clock ?? systemClock;
    this.#nonce = options.nonce ?? randomNonce;
  }

  /** The Authorization header for exactly these body bytes: send the same bytes. */
  authorization(request: { method: string; url: string; body: Body }): string {
    const timestamp = String(unixSeconds(this.#clock));
    const nonce = this.#nonce();
    const signature = signSha256WithRsa(requestMessage({ ...request, timestamp, nonce }), this.#privateKey);
    return formatAuthorization({ mchid: this.mchid, nonce_str: nonce, timestamp, serial_no: this.serialNo, signature });
  }
}

export interface ResponseSignerOptions {
  /** The id WeChat Pay sends in `Wechatpay-Serial`: `PUB_KEY_ID_…` or a platform certificate serial. */
  serial: string;
  privateKey: KeyObject;
  clock?: Clock;
  nonce?: NonceSource;
}

/** The `Wechatpay-*` headers WeChat Pay puts on a response or notification (a type, so it fits any header bag). */
export type WechatpaySignatureHeaders = {
  'Wechatpay-Timestamp': string;
  'Wechatpay-Nonce': string;
  'Wechatpay-Signature': string;
  'Wechatpay-Serial': string;
  'Wechatpay-Signature-Type': string;
};

/** Signs as WeChat Pay does: for the sandbox and for tests that need genuine notifications. */
export function signResponse(options: ResponseSignerOptions, body: Body): WechatpaySignatureHeaders {
  const timestamp = String(unixSeconds(options.clock ?? systemClock));
  const nonce = (options.nonce ?? randomNonce)();
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signSha256WithRsa(responseMessage({ timestamp, nonce, body }), options.privateKey),
    'Wechatpay-Serial': options.serial,
    'Wechatpay-Signature-Type': SIGNATURE_SCHEME,
  };
}
