/** What every handler's call to WeChat Pay shares: who signs it and says it is calling, and how long it may take. */
import type { Context } from 'aws-lambda';
import type { CallStatus, Metrics } from '../metrics';
import type { AccountFields } from '../secrets/secret-fields';
import { Signer, WechatPayApiError, WechatPayClient, WechatPayTimeoutError, WechatPayUnavailableError, type Clock, type ClientOptions, type WechatPayResponse } from '../wechatpay';

const USER_AGENT = 'payscore-sign-plan-lambda/0.1.0';

/** The fields of the account secret that sign a request. */
type SigningAccount = Pick<AccountFields, 'mchid' | 'merchantSerialNo' | 'merchantPrivateKey'>;

/** A client whose requests `account` signs (on `options.clock`), sent with this project's user agent. */
export const wechatpayClient = (account: SigningAccount, options: Omit<ClientOptions, 'signer' | 'userAgent'>): WechatPayClient =>
  new WechatPayClient({
    ...options,
    signer: new Signer({ mchid: account.mchid, serialNo: account.merchantSerialNo, privateKey: account.merchantPrivateKey, clock: options.clock }),
    userAgent: USER_AGENT,
  });

/** The deadline for WeChat Pay, retries included: `deadlineMs`, cut so that `reservedMs` of the Lambda's time left remain for what follows the call. */
export const callDeadline = (context: Pick<Context, 'getRemainingTimeInMillis'>, deadlineMs: number, reservedMs: number): number =>
  Math.max(0, Math.min(deadlineMs, context.getRemainingTimeInMillis() - reservedMs));

/** How `WechatpayCalls` counts a call that threw: WeChat Pay's 4xx by its status, no (trusted) answer by why. */
const failedCallStatus = (error: unknown): CallStatus => {
  if (error instanceof WechatPayApiError) return error.status;
  if (error instanceof WechatPayTimeoutError) return 'TIMEOUT';
  if (error instanceof WechatPayUnavailableError) return 'UNAVAILABLE';
  return 'ERROR';
};

/**
 * `call` (one request to WeChat Pay, its retries included), counted and timed in `metrics` under
 * `operation` (`create`, `certificates`, …) whatever its answer: the metrics of every handler that calls WeChat Pay.
 */
export async function measuredCall(metrics: Pick<Metrics, 'wechatpayCall'>, operation: string, clock: Clock, call: () => Promise<WechatPayResponse>): Promise<WechatPayResponse> {
  const start = clock();
  try {
    const response = await call();
    metrics.wechatpayCall(operation, response.status, clock() - start);
    return response;
  } catch (error) {
    metrics.wechatpayCall(operation, failedCallStatus(error), clock() - start);
    throw error;
  }
}
