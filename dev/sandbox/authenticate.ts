import type { IncomingHttpHeaders } from 'node:http';
import {
  decodeStrictBase64,
  DEFAULT_TOLERANCE_SECONDS,
  headerValue,
  MalformedAuthorizationError,
  parseAuthorization,
  requestMessage,
  unixSeconds,
  verifySha256WithRsa,
  type Clock,
  type WechatPayError,
} from '../../lib/wechatpay';
import type { RegisteredAccount } from './accounts';
import { signError } from './api-error';

export interface ReceivedRequest {
  method: string;
  /** Path and query exactly as received: what the merchant signed. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body bytes exactly as received. */
  body: Buffer;
}

/**
 * Checks a merchant request as WeChat Pay does and returns the calling account;
 * any failure is `401 SIGN_ERROR`, with a message that says what to fix.
 */
export function authenticate(request: ReceivedRequest, accounts: ReadonlyMap<string, RegisteredAccount>, clock: Clock): RegisteredAccount {
  const header = readHeader(request.headers, 'Authorization');
  if (!header) throw signError('Authorization header is missing');
  let fields;
  try {
    fields = parseAuthorization(header);
  } catch (error) {
    if (error instanceof MalformedAuthorizationError) throw signError(error.message);
    throw error;
  }
  const account = accounts.get(fields.mchid);
  if (!account) throw signError(`mchid ${fields.mchid.slice(0, 32)} is not a registered merchant`);
  if (fields.serial_no.toUpperCase() !== account.config.merchantSerialNo.toUpperCase()) {
    throw signError(`serial_no ${fields.serial_no.slice(0, 64)} is not the merchant API certificate serial registered for ${fields.mchid}`);
  }
  if (!/^\d{1,12}$/.test(fields.timestamp)) throw signError('timestamp is not a Unix time in seconds');
  const skew = Number(fields.timestamp) - unixSeconds(clock);
  if (Math.abs(skew) > DEFAULT_TOLERANCE_SECONDS) throw signError(`timestamp is ${Math.abs(skew)} s off the server time, beyond ${DEFAULT_TOLERANCE_SECONDS} s`);
  const signature = decodeStrictBase64(fields.signature);
  if (!signature) throw signError('signature is not base64');
  const message = requestMessage({ method: request.method, url: request.url, timestamp: fields.timestamp, nonce: fields.nonce_str, body: request.body });
  if (!verifySha256WithRsa(message, signature, account.publicKey)) {
    throw signError('signature does not verify: sign METHOD, path and query, timestamp, nonce and the exact body bytes sent');
  }
  return account;
}

/** A header that appears twice with different values cannot be trusted either. */
function readHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  try {
    return headerValue(headers, name);
  } catch (error) {
    throw signError((error as WechatPayError).message);
  }
}
