import { systemClock, type Clock } from './clock';
import { VerificationError, WechatPayApiError, WechatPayTimeoutError, WechatPayUnavailableError } from './errors';
import { headerValue, type HeaderBag } from './headers';
import type { Signer } from './signer';
import { parseJsonObject } from './json';
import type { ResponseVerifier } from './verifier';

/** Any of them present: the answer claims to be signed, and is verified whatever its status. */
const SIGNATURE_HEADERS = new Set(['wechatpay-signature', 'wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-serial']);

/** Only looks: reading the values (a header sent twice, say) is the verifier's business. */
const claimsSignature = (headers: HeaderBag): boolean => Object.keys(headers).some((name) => SIGNATURE_HEADERS.has(name.toLowerCase()) && headers[name] !== undefined);

export interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** Aborts the exchange; a transport rejects with `signal.reason` then. */
  signal: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: HeaderBag;
  /** The whole body, as received. */
  body: Buffer;
}

/** One HTTP exchange. Injected: lib/http/transport.ts in production, scripts in tests. */
export type Transport = (url: string, request: TransportRequest) => Promise<TransportResponse>;

export interface ClientOptions {
  /** e.g. `https://api.mch.weixin.qq.com`. */
  baseUrl: string;
  signer: Signer;
  /** The verifier of the moment: keys may be refreshed between calls. */
  verifier: () => ResponseVerifier;
  /**
   * Called once when a response names a `Wechatpay-Serial` the verifier does not
   * know (WeChat Pay may have rotated its key); resolves to a verifier with fresh keys.
   */
  refreshVerifier?: () => Promise<ResponseVerifier>;
  /** Sent as `Wechatpay-Serial`: the key the answer is expected to be signed with. Empty: not sent (no key is trusted yet). */
  wechatpaySerial: string;
  userAgent: string;
  transport: Transport;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Retries after the first attempt, for network errors and 5xx only. */
  maxRetries?: number;
  backoffBaseMs?: number;
}

export interface WechatPayResponse {
  status: number;
  /** The body exactly as received and verified. */
  body: Buffer;
  json: Record<string, unknown>;
  requestId: string | undefined;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A failed attempt that may be retried with the same bytes. */
class RetryableAttempt {
  constructor(readonly reason: string, readonly cause?: unknown) {}
}

/**
 * Calls WeChat Pay: signs the exact bytes it sends, retries network errors and
 * 5xx with jittered backoff inside one deadline, and trusts a 2xx only once its
 * signature verifies.
 */
export class WechatPayClient {
  readonly #options: ClientOptions;
  readonly #clock: Clock;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
  }

  async request(request: { method: string; path: string; body: Buffer; deadlineMs: number }): Promise<WechatPayResponse> {
    const { maxRetries = 2, backoffBaseMs = 100 } = this.#options;
    const deadline = this.#clock() + request.deadlineMs;
    let last: RetryableAttempt | undefined;
    for (let attempt = 0; attempt <= maxRetries; attempt += 1) {
      if (attempt > 0) {
        // Full jitter: retries of many callers do not arrive together.
        const delay = Math.min(this.#random() * backoffBaseMs * 2 ** attempt, deadline - this.#clock());
        if (delay > 0) await this.#sleep(delay);
      }
      const remaining = deadline - this.#clock();
      if (remaining <= 0) throw this.#timeout(last);
      const outcome = await this.#attempt(request, remaining);
      if (!(outcome instanceof RetryableAttempt)) return outcome;
      if (outcome.reason === 'timeout') throw this.#timeout(outcome);
      last = outcome;
    }
    throw new WechatPayUnavailableError(`WeChat Pay failed ${maxRetries + 1} attempts; last: ${last!.reason}`, { cause: last!.cause });
  }

  #timeout(last: RetryableAttempt | undefined): WechatPayTimeoutError {
    return new WechatPayTimeoutError(`WeChat Pay gave no answer within the deadline${last ? `; last: ${last.reason}` : ''}`, { cause: last?.cause });
  }

  async #attempt(request: { method: string; path: string; body: Buffer }, timeoutMs: number): Promise<WechatPayResponse | RetryableAttempt> {
    const { baseUrl, signer, userAgent, wechatpaySerial, transport } = this.#options;
    const url = baseUrl.replace(/\/+$/, '') + request.path;
    let response: TransportResponse;
    try {
      response = await transport(url, {
        method: request.method,
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          'User-Agent': userAgent,
          ...(wechatpaySerial ? { 'Wechatpay-Serial': wechatpaySerial } : {}),
          Authorization: signer.authorization({ method: request.method, url: request.path, body: request.body }),
        },
        body: request.method === 'GET' ? undefined : request.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      const timedOut = (cause as Error).name === 'TimeoutError';
      return new RetryableAttempt(timedOut ? 'timeout' : `network error: ${(cause as Error).message}`, cause);
    }
    const { status, headers, body } = response;
    const requestId = headerValue(headers, 'Request-ID');
    if (status >= 500) return new RetryableAttempt(`HTTP ${status}`);
    if (status >= 400) {
      // The official SDKs read an error answer without verifying it, and WeChat Pay signs no
      // answer to a badly signed request (its 401): only a signed error can be checked, and must be.
      if (claimsSignature(headers)) await this.#verify(headers, body, `${status} answer`);
      throw new WechatPayApiError(status, errorBody(body), requestId);
    }
    await this.#verify(headers, body, 'answer');
    // Some endpoints answer 204 (a partner complete or cancel): signed, and empty.
    if (status === 204) return { status, body, json: {}, requestId };
    const json = parseJsonObject(body.toString('utf8'), {
      notJson: (cause) => new WechatPayUnavailableError('WeChat Pay answered a verified body that is not JSON', { cause }),
      notObject: () => new WechatPayUnavailableError('WeChat Pay answered a verified body that is not a JSON object'),
    });
    return { status, body, json, requestId };
  }

  async #verify(headers: HeaderBag, body: Buffer, what: string): Promise<void> {
    try {
      let verifier = this.#options.verifier();
      const serial = headerValue(headers, 'Wechatpay-Serial');
      if (serial && !verifier.knows(serial) && this.#options.refreshVerifier) verifier = await this.#options.refreshVerifier();
      verifier.verify(headers, body);
    } catch (cause) {
      if (cause instanceof VerificationError) {
        throw new WechatPayUnavailableError(`WeChat Pay's ${what} failed verification (${cause.code}); it was not trusted`, { cause });
      }
      throw cause;
    }
  }
}

/** WeChat Pay's `{code, message, detail}`; anything else is summarised, never echoed whole. */
function errorBody(body: Buffer): { code: string; message: string; detail?: unknown } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (typeof parsed.code === 'string' && typeof parsed.message === 'string') {
      return { code: parsed.code, message: parsed.message, ...(parsed.detail === undefined ? {} : { detail: parsed.detail }) };
    }
  } catch {
    // Falls through to the generic answer below.
  }
  return { code: 'UNKNOWN', message: 'WeChat Pay answered an error without a readable body' };
}
