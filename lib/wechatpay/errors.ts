/**
 * The protocol core's error tree. Every error has a stable `code` that callers
 * map to responses; messages say what is wrong and how to fix it, and never
 * carry key material, signatures, ciphertext or plaintext.
 */
import { CodedError } from './coded-error';

/** An error of the WeChat Pay protocol: its messages, keys and answers. */
export abstract class WechatPayError extends CodedError {}

/** Key material or account settings are unusable: the operator must fix the secret. */
export class ConfigurationError extends WechatPayError {
  readonly code = 'WECHATPAY_CONFIG_INVALID';

  constructor(
    /** Which setting is wrong, e.g. `apiV3Key` or `wechatpayPublicKeys.PUB_KEY_ID_…`. Never its value. */
    readonly field: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${problem}`, options);
  }
}

/** A WeChat Pay response or notification failed signature verification: it must not be trusted. */
export abstract class VerificationError extends WechatPayError {}

export class MissingHeaderError extends VerificationError {
  readonly code = 'WECHATPAY_HEADER_MISSING';

  constructor(readonly header: string) {
    super(`header ${header} is missing or empty; WeChat Pay always sends it, so this message is not from WeChat Pay or was altered in transit`);
  }
}

export class InvalidHeaderError extends VerificationError {
  readonly code = 'WECHATPAY_HEADER_INVALID';

  constructor(readonly header: string, problem: string) {
    super(`header ${header} ${problem}`);
  }
}

export class TimestampOutOfWindowError extends VerificationError {
  readonly code = 'WECHATPAY_TIMESTAMP_OUT_OF_WINDOW';

  constructor(readonly skewSeconds: number, readonly toleranceSeconds: number) {
    super(
      // Stryker disable next-line EqualityOperator: a skew of 0 is never out of a window.
      `Wechatpay-Timestamp is ${Math.abs(skewSeconds)} s in the ${skewSeconds < 0 ? 'past' : 'future'}, ` +
        `beyond the ${toleranceSeconds} s window; a replayed message, or this host's clock is wrong (check NTP)`,
    );
  }
}

export class UnknownSerialError extends VerificationError {
  readonly code = 'WECHATPAY_SERIAL_UNKNOWN';

  readonly serial: string;

  constructor(serial: string) {
    // The serial comes from the sender: bounded so a hostile header cannot flood the logs.
    const shown = serial.slice(0, 64);
    super(
      `Wechatpay-Serial ${shown} names no configured WeChat Pay key; add that public key (PUB_KEY_ID_…) ` +
        `or platform certificate to wechatpayPublicKeys in the secret`,
    );
    this.serial = shown;
  }
}

export class SignatureProbeError extends VerificationError {
  readonly code = 'WECHATPAY_SIGNATURE_PROBE';

  constructor() {
    super('Wechatpay-Signature is a WECHATPAY/SIGNTEST/ probe: WeChat Pay checking that signatures are verified; rejected as it must be');
  }
}

/** A platform certificate past its end of validity: WeChat Pay no longer signs with it. */
export class ExpiredKeyError extends VerificationError {
  readonly code = 'WECHATPAY_KEY_EXPIRED';

  constructor(readonly serial: string, expiredAt: number) {
    super(
      `platform certificate ${serial} expired at ${new Date(expiredAt).toISOString()} and is no longer trusted; ` +
        `run the certificate refresher (npm run certificates) or add WeChat Pay's current key to wechatpayPublicKeys`,
    );
  }
}

export class MalformedSignatureError extends VerificationError {
  readonly code = 'WECHATPAY_SIGNATURE_MALFORMED';

  constructor() {
    super('Wechatpay-Signature is not strict base64');
  }
}

export class SignatureMismatchError extends VerificationError {
  readonly code = 'WECHATPAY_SIGNATURE_MISMATCH';

  constructor(readonly serial: string) {
    super(
      `signature does not verify with the key ${serial}: the body, timestamp or nonce was altered, ` +
        `or the configured key for ${serial} is not the one WeChat Pay signs with`,
    );
  }
}

/** An Authorization header that is not `WECHATPAY2-SHA256-RSA2048 k="v",…` with every field present. */
export class MalformedAuthorizationError extends WechatPayError {
  readonly code = 'WECHATPAY_AUTHORIZATION_MALFORMED';
}

/** AEAD_AES_256_GCM input is malformed, or the tag does not authenticate it. */
export class DecryptionError extends WechatPayError {
  readonly code = 'WECHATPAY_DECRYPTION_FAILED';
}

/** A notification body that is not the documented envelope. `field` names the offending field. */
export class MalformedNotificationError extends WechatPayError {
  readonly code = 'WECHATPAY_NOTIFICATION_MALFORMED';

  constructor(readonly field: string, problem: string) {
    super(`notification ${field} ${problem}`);
  }
}

export class UnsupportedAlgorithmError extends WechatPayError {
  readonly code = 'WECHATPAY_ALGORITHM_UNSUPPORTED';

  constructor(readonly algorithm: string) {
    super(`resource.algorithm ${JSON.stringify(algorithm.slice(0, 40))} is not supported; only AEAD_AES_256_GCM is`);
  }
}

/** WeChat Pay answered 4xx: the request itself is wrong. `code`/`message`/`detail` are WeChat Pay's. */
export class WechatPayApiError extends WechatPayError {
  readonly code = 'WECHATPAY_REQUEST_REJECTED';

  constructor(
    readonly status: number,
    /** WeChat Pay's answer, reduced to its documented fields. */
    readonly body: { code: string; message: string; detail?: unknown },
    readonly requestId: string | undefined,
  ) {
    super(`WeChat Pay answered ${status} ${body.code}`);
  }
}

/** WeChat Pay could not be reached, answered 5xx on every attempt, or gave an answer that cannot be trusted. */
export class WechatPayUnavailableError extends WechatPayError {
  readonly code = 'WECHATPAY_UNAVAILABLE';
}

/** No trustworthy answer within the deadline. */
export class WechatPayTimeoutError extends WechatPayError {
  readonly code = 'WECHATPAY_TIMEOUT';
}

/** A `GET /v3/certificates` answer that cannot be used; nothing of it is trusted. `field` names the offending part. */
export class CertificateDownloadError extends WechatPayError {
  readonly code = 'WECHATPAY_CERTIFICATE_DOWNLOAD_INVALID';

  constructor(readonly field: string, problem: string, options?: { cause?: unknown }) {
    super(`certificate download ${field} ${problem}`, options);
  }
}
