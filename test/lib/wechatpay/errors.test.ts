/**
 * The stable codes: logs, the HTTP answers and README's troubleshooting table rely on
 * each one staying exactly what it is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CertificateDownloadError,
  CodedError,
  ConfigurationError,
  DecryptionError,
  ExpiredKeyError,
  InvalidHeaderError,
  MalformedAuthorizationError,
  MalformedNotificationError,
  MalformedSignatureError,
  MissingHeaderError,
  SignatureMismatchError,
  SignatureProbeError,
  TimestampOutOfWindowError,
  UnknownSerialError,
  UnsupportedAlgorithmError,
  WechatPayApiError,
  WechatPayError,
  WechatPayTimeoutError,
  WechatPayUnavailableError,
} from '../../../lib/wechatpay';
import { AccountMismatchError, AnswerMismatchError, EnvironmentError, PayloadTooLargeError, RequestValidationError, SecretUnavailableError } from '../../../lib/errors';

const cause = new Error('underlying');
const errors: Array<[CodedError, string]> = [
  [new ConfigurationError('apiV3Key', 'must be 32 bytes', { cause }), 'WECHATPAY_CONFIG_INVALID'],
  [new MissingHeaderError('Wechatpay-Nonce'), 'WECHATPAY_HEADER_MISSING'],
  [new InvalidHeaderError('Wechatpay-Timestamp', 'is not a number'), 'WECHATPAY_HEADER_INVALID'],
  [new TimestampOutOfWindowError(-301, 300), 'WECHATPAY_TIMESTAMP_OUT_OF_WINDOW'],
  [new UnknownSerialError('PUB_KEY_ID_1'), 'WECHATPAY_SERIAL_UNKNOWN'],
  [new SignatureProbeError(), 'WECHATPAY_SIGNATURE_PROBE'],
  [new ExpiredKeyError('ABC', 0), 'WECHATPAY_KEY_EXPIRED'],
  [new MalformedSignatureError(), 'WECHATPAY_SIGNATURE_MALFORMED'],
  [new SignatureMismatchError('ABC'), 'WECHATPAY_SIGNATURE_MISMATCH'],
  [new MalformedAuthorizationError('bad'), 'WECHATPAY_AUTHORIZATION_MALFORMED'],
  [new DecryptionError('bad tag', { cause }), 'WECHATPAY_DECRYPTION_FAILED'],
  [new MalformedNotificationError('id', 'is missing'), 'WECHATPAY_NOTIFICATION_MALFORMED'],
  [new UnsupportedAlgorithmError('AEAD_AES_128_GCM'), 'WECHATPAY_ALGORITHM_UNSUPPORTED'],
  [new WechatPayApiError(400, { code: 'PARAM_ERROR', message: 'x' }, undefined), 'WECHATPAY_REQUEST_REJECTED'],
  [new WechatPayUnavailableError('down', { cause }), 'WECHATPAY_UNAVAILABLE'],
  [new WechatPayTimeoutError('late', { cause }), 'WECHATPAY_TIMEOUT'],
  [new CertificateDownloadError('data', 'must be an array', { cause }), 'WECHATPAY_CERTIFICATE_DOWNLOAD_INVALID'],
  [new RequestValidationError([{ field: 'appid', message: 'must not be empty' }]), 'INVALID_REQUEST'],
  [new SecretUnavailableError('secret x could not be loaded', { cause }), 'SECRET_UNAVAILABLE'],
  [new EnvironmentError('WECHATPAY_SECRET_ID', 'is required'), 'ENVIRONMENT_INVALID'],
  [new AccountMismatchError(), 'NOTIFICATION_ACCOUNT_MISMATCH'],
  [new PayloadTooLargeError(65_536), 'PAYLOAD_TOO_LARGE'],
  [new AnswerMismatchError(['mchid'], 'REQ-1'), 'WECHATPAY_ANSWER_MISMATCH'],
];

describe('error codes', () => {
  it.each(errors.map(([error, code]) => [error.name, code, error] as const))('%s has the code %s and its own name', (name, code, error) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
    expect(error).toBeInstanceOf(CodedError);
    expect(name).not.toBe('Error');
  });

  it("the protocol core's are WechatPayErrors, the application's are not", () => {
    const application = new Set<unknown>([RequestValidationError, SecretUnavailableError, EnvironmentError, AccountMismatchError, PayloadTooLargeError, AnswerMismatchError]);
    expect(errors.filter(([error]) => application.has(error.constructor))).toHaveLength(6);
    for (const [error] of errors) expect(error instanceof WechatPayError).toBe(!application.has(error.constructor));
  });

  it('keep the cause they are given', () => {
    for (const [error] of errors.filter(([candidate]) => candidate.cause !== undefined)) expect(error.cause).toBe(cause);
    expect(errors.filter(([error]) => error.cause === cause)).toHaveLength(6);
  });

  it("every code README's troubleshooting table names is one of them", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Troubleshooting WeChat Pay verification'), readme.indexOf('## What changed in this version'));
    const named = [...new Set(table.match(/`[A-Z][A-Z0-9_]{5,}`/g)!.map((quoted) => quoted.slice(1, -1)))];
    expect(named.length).toBeGreaterThan(5);
    const codes = new Set(errors.map(([, code]) => code));
    expect(named.filter((code) => !codes.has(code))).toEqual([]);
  });

  it.each([
    [new MissingHeaderError('Wechatpay-Nonce'), 'header Wechatpay-Nonce is missing or empty; WeChat Pay always sends it, so this message is not from WeChat Pay or was altered in transit'],
    [new TimestampOutOfWindowError(-301, 300), "Wechatpay-Timestamp is 301 s in the past, beyond the 300 s window; a replayed message, or this host's clock is wrong (check NTP)"],
    [new TimestampOutOfWindowError(400, 300), "Wechatpay-Timestamp is 400 s in the future, beyond the 300 s window; a replayed message, or this host's clock is wrong (check NTP)"],
    [new UnknownSerialError('PUB_KEY_ID_1'), 'Wechatpay-Serial PUB_KEY_ID_1 names no configured WeChat Pay key; add that public key (PUB_KEY_ID_…) or platform certificate to wechatpayPublicKeys in the secret'],
    [new SignatureProbeError(), 'Wechatpay-Signature is a WECHATPAY/SIGNTEST/ probe: WeChat Pay checking that signatures are verified; rejected as it must be'],
    [new ExpiredKeyError('ABC', 0), 'platform certificate ABC expired at 1970-01-01T00:00:00.000Z and is no longer trusted; run the certificate refresher (npm run certificates) or add WeChat Pay\'s current key to wechatpayPublicKeys'],
    [new MalformedSignatureError(), 'Wechatpay-Signature is not strict base64'],
    [new SignatureMismatchError('ABC'), 'signature does not verify with the key ABC: the body, timestamp or nonce was altered, or the configured key for ABC is not the one WeChat Pay signs with'],
    [new UnsupportedAlgorithmError(`AEAD_${'X'.repeat(50)}`), `resource.algorithm "AEAD_${'X'.repeat(35)}" is not supported; only AEAD_AES_256_GCM is`],
    [new WechatPayApiError(404, { code: 'ORDER_NOT_EXIST', message: 'x' }, undefined), 'WeChat Pay answered 404 ORDER_NOT_EXIST'],
  ] as const)('say what is wrong and what to do: %s', (error, message) => {
    expect(error.message).toBe(message);
  });
});
