import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Clock } from '../../lib/wechatpay';
import { compactTime } from './wechat-time';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The 12-character nonce of an AEAD_AES_256_GCM resource (its bytes are the IV). */
export const resourceNonce = (): string => Array.from({ length: 12 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

/** WeChat Pay's `Request-ID` header, quoted by its support to trace one call. */
export const requestId = (): string => randomBytes(20).toString('hex').toUpperCase();

/**
 * Identifiers WeChat Pay assigns. A counter makes them unique within one sandbox;
 * the start time and a random instance tag keep them apart across restarts,
 * since a local ledger may outlive the sandbox.
 */
export class IdSource {
  readonly #clock: Clock;
  readonly #instance = String(randomInt(1000)).padStart(3, '0');
  #counter = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  #next(): string {
    this.#counter += 1;
    return `${compactTime(this.#clock())}${this.#instance}${String(this.#counter).padStart(6, '0')}`;
  }

  /** Numeric, as WeChat Pay's service order numbers are. */
  orderId(): string {
    return `1000${this.#next()}`;
  }

  /** Numeric, as WeChat Pay's payment transaction ids (4200…) are. */
  transactionId(): string {
    return `4200${this.#next()}`;
  }

  /** 36 characters, UUID-like, as in the sign-plan notice pages' examples. */
  notificationId(): string {
    return randomUUID();
  }

  /** 32 digits, as the plan pages' `plan_id` examples. */
  planId(): string {
    return `0100${this.#next()}`.padEnd(32, '0');
  }

  /** 32 digits, as the sign-plan pages' `sign_plan_id` examples. */
  signPlanId(): string {
    return `0101${this.#next()}`.padEnd(32, '0');
  }

  /** The `package` the signing page opens with: opaque base64url, as in the JSAPI page's example. */
  signPackage(): string {
    return randomBytes(21).toString('base64url');
  }
}
