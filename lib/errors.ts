/**
 * The application's errors beside the protocol core's (lib/wechatpay/errors.ts).
 * Both trees stand on `CodedError`: each error has a stable `code`, and
 * lib/http/error-responses.ts is the one table that turns any of them into an HTTP answer.
 */
import { CodedError } from './wechatpay/coded-error';
import type { FieldError } from './service-order/schema';

export { CodedError };

/** The caller's request is invalid; `errors` lists every bad field at once. */
export class RequestValidationError extends CodedError {
  readonly code = 'INVALID_REQUEST';

  constructor(readonly errors: FieldError[]) {
    super(`request has ${errors.length} invalid field(s): ${errors.map((error) => error.field).join(', ')}`);
  }
}

/** The account secret could not be read from Secrets Manager (and nothing is cached). */
export class SecretUnavailableError extends CodedError {
  readonly code = 'SECRET_UNAVAILABLE';
}

/** The function's environment is incomplete: the deployment must be fixed. */
export class EnvironmentError extends CodedError {
  readonly code = 'ENVIRONMENT_INVALID';

  constructor(readonly variable: string, problem: string) {
    super(`environment variable ${variable} ${problem}`);
  }
}

/** A genuine notification for another account: this route's secret is not the account WeChat Pay notifies. */
export class AccountMismatchError extends CodedError {
  readonly code = 'NOTIFICATION_ACCOUNT_MISMATCH';

  constructor() {
    super("the notification's mchid is not this function's account: check that WECHATPAY_SECRET_ID and the notify_url belong to the same account");
  }
}

/** The body exceeds what any genuine notification needs. */
export class PayloadTooLargeError extends CodedError {
  readonly code = 'PAYLOAD_TOO_LARGE';

  constructor(readonly limitBytes: number) {
    super(`body exceeds ${limitBytes} bytes`);
  }
}

/** A verified create answer about another order than the one asked for: not trusted, nothing of it recorded. */
export class AnswerMismatchError extends CodedError {
  readonly code = 'WECHATPAY_ANSWER_MISMATCH';

  constructor(
    /** The fields of the answer that differ from the request, e.g. `out_order_no`. Never their values. */
    readonly fields: string[],
    readonly wechatpayRequestId: string | undefined,
  ) {
    super(`WeChat Pay's signed answer is about another order (${fields.join(', ')} differ from the request); it was not trusted`);
  }
}

/** The ledger shows that the call would break a rule of the product (`code` names it): nothing was sent to WeChat Pay. */
export class ConflictError extends CodedError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A GET for an object the ledger does not hold, or a path no route of the function serves. */
export class NotFoundError extends CodedError {
  readonly code = 'NOT_FOUND';
}

/** The write-ahead failed: nothing was sent to WeChat Pay, and the caller may retry. */
export class LedgerUnavailableError extends CodedError {
  readonly code = 'LEDGER_UNAVAILABLE';

  constructor(cause: unknown) {
    super('the ledger could not record the request before sending it', { cause });
  }
}
