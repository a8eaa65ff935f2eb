/**
 * The one table that maps errors to HTTP answers. Internal details stay in the
 * logs: an answer carries a stable code and a message written for the caller.
 */
import { EnvironmentError, RequestValidationError, SecretUnavailableError } from '../errors';
import {
  ConfigurationError,
  VerificationError,
  WechatPayApiError,
  WechatPayError,
  WechatPayTimeoutError,
  WechatPayUnavailableError,
} from '../wechatpay';
import { jsonResponse, type HttpResponse } from './response';

type Severity = 'warn' | 'error';

export interface MappedError {
  response: HttpResponse;
  /** How loudly to log it: `error` for what an operator must look at. */
  severity: Severity;
}

const INTERNAL = { code: 'INTERNAL_ERROR', message: 'internal error; the details are in the function logs' };

/** Answers of the create functions (callers are internal services). */
export function apiErrorResponse(error: unknown): MappedError {
  if (error instanceof RequestValidationError) {
    return { severity: 'warn', response: jsonResponse(400, { code: error.code, message: 'the request has invalid fields', errors: error.errors }) };
  }
  if (error instanceof WechatPayApiError) {
    return { severity: 'warn', response: jsonResponse(error.status, error.body, error.requestId ? { 'Request-ID': error.requestId } : {}) };
  }
  if (error instanceof WechatPayUnavailableError) {
    return {
      severity: 'error',
      response: jsonResponse(502, { code: 'BAD_GATEWAY', message: 'WeChat Pay gave no trustworthy answer; retry with the same out_trade_no' }),
    };
  }
  if (error instanceof WechatPayTimeoutError) {
    return {
      severity: 'error',
      response: jsonResponse(504, { code: 'GATEWAY_TIMEOUT', message: 'WeChat Pay did not answer in time; retry with the same out_trade_no' }),
    };
  }
  return { severity: 'error', response: jsonResponse(500, INTERNAL) };
}

/** Answers of the notify function: WeChat Pay retries on anything but a 2xx, and reads `{code: "FAIL"}`. */
export function notifyErrorResponse(error: unknown): MappedError {
  const fail = (statusCode: number, message: string, severity: Severity): MappedError => ({
    severity,
    response: jsonResponse(statusCode, { code: 'FAIL', message }),
  });
  if (error instanceof VerificationError) return fail(401, 'signature verification failed', 'warn');
  if (error instanceof PayloadTooLargeError) return fail(413, 'body too large', 'warn');
  if (error instanceof ConfigurationError || error instanceof SecretUnavailableError || error instanceof EnvironmentError) {
    return fail(500, 'temporarily unable to process; retry later', 'error');
  }
  if (error instanceof WechatPayError && CLIENT_CODES.has(error.code)) return fail(400, 'malformed notification', 'warn');
  return fail(500, 'temporarily unable to process; retry later', 'error');
}

/** The body exceeds what any genuine notification needs. */
export class PayloadTooLargeError extends WechatPayError {
  readonly code = 'PAYLOAD_TOO_LARGE';
}

/** Notification errors that are the sender's fault (a retry of the same bytes cannot succeed). */
const CLIENT_CODES = new Set(['WECHATPAY_NOTIFICATION_MALFORMED', 'WECHATPAY_ALGORITHM_UNSUPPORTED', 'WECHATPAY_DECRYPTION_FAILED', 'NOTIFICATION_ACCOUNT_MISMATCH']);
