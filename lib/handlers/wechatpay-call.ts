/** What every handler's call to WeChat Pay shares: who signs it and says it is calling, and how long it may take. */
import type { Context } from 'aws-lambda';
import type { AccountFields } from '../secrets/secret-fields';
import { Signer, WechatPayClient, type ClientOptions } from '../wechatpay';

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
