/**
 * The one table that maps errors to HTTP answers. Internal details stay in the
 * logs: an answer carries a stable code and a message written for the caller.
 */
import { AccountMismatchError, AnswerMismatchError, ConflictError, LedgerUnavailableError, NotFoundError, PayloadTooLargeError, RequestValidationError } from '../errors';
import {
  DecryptionError,
  MalformedNotificationError,
  UnsupportedAlgorithmError,
  VerificationError,
  WechatPayApiError,
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
  if (error instanceof PayloadTooLargeError) {
    return { severity: 'warn', response: jsonResponse(413, { code: error.code, message: error.message }) };
  }
  if (error instanceof RequestValidationError) {
    return { severity: 'warn', response: jsonResponse(400, { code: error.code, message: 'the request has invalid fields', errors: error.errors }) };
  }
  if (error instanceof ConflictError) {
    return { severity: 'warn', response: jsonResponse(409, { code: error.code, message: error.message }) };
  }
  if (error instanceof NotFoundError) {
    return { severity: 'warn', response: jsonResponse(404, { code: error.code, message: error.message }) };
  }
  if (error instanceof LedgerUnavailableError) {
    return { severity: 'error', response: jsonResponse(503, { code: error.code, message: 'the ledger is unavailable; nothing was sent to WeChat Pay; retry' }) };
  }
  if (error instanceof WechatPayApiError) {
    return { severity: 'warn', response: jsonResponse(error.status, error.body, error.requestId ? { 'Request-ID': error.requestId } : {}) };
  }
  if (error instanceof WechatPayUnavailableError || error instanceof AnswerMismatchError) {
    return {
      severity: 'error',
      response: jsonResponse(502, { code: 'BAD_GATEWAY', message: 'WeChat Pay gave no trustworthy answer; retry with the same number' }),
    };
  }
  if (error instanceof WechatPayTimeoutError) {
    return {
      severity: 'error',
      response: jsonResponse(504, { code: 'GATEWAY_TIMEOUT', message: 'WeChat Pay did not answer in time; retry with the same number' }),
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
  if (error instanceof MalformedNotificationError || error instanceof UnsupportedAlgorithmError) return fail(400, 'malformed notification', 'warn');
  // Signed by WeChat Pay, yet not for us: the APIv3 key or the route's secret is wrong. An operator must act.
  if (error instanceof DecryptionError || error instanceof AccountMismatchError) return fail(400, 'notification not accepted', 'error');
  return fail(500, 'temporarily unable to process; retry later', 'error');
}
