import type { KeyObject } from 'node:crypto';
import { decodeStrictBase64 } from './base64';
import { systemClock, type Clock } from './clock';
import {
  ExpiredKeyError,
  InvalidHeaderError,
  MalformedSignatureError,
  MissingHeaderError,
  SignatureMismatchError,
  SignatureProbeError,
  TimestampOutOfWindowError,
  UnknownSerialError,
} from './errors';
import { headerValues, type HeaderBag } from './headers';
import { responseMessage } from './message';
import { verifySha256WithRsa } from './rsa';
import { SIGNATURE_SCHEME } from './authorization';

export const DEFAULT_TOLERANCE_SECONDS = 300;
/** How WeChat Pay marks the probes that test whether a merchant verifies signatures at all. */
export const SIGNATURE_PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';

export interface VerifierOptions {
  /**
   * WeChat Pay keys by the id sent in `Wechatpay-Serial`: public keys (`PUB_KEY_ID_…`)
   * and platform certificate serials side by side (see `loadWechatpayPublicKeys`).
   */
  publicKeys: ReadonlyMap<string, KeyObject>;
  /**
   * End of validity (ms) of the keys that have one: platform certificates (see
   * `certificateExpiries`). Only the end is enforced: a certificate's start is
   * WeChat Pay's business, and known-answer vectors sign before it.
   */
  notAfter?: ReadonlyMap<string, number>;
  clock?: Clock;
  /** Allowed |now − Wechatpay-Timestamp|, past or future. */
  toleranceSeconds?: number;
}

/** What a verified message was signed with. */
export interface VerifiedSignature {
  serial: string;
  timestamp: number;
  nonce: string;
}

/** What checks a WeChat Pay signature: a `Verifier`, or one that picks its keys per message. */
export interface ResponseVerifier {
  /** Whether a `Wechatpay-Serial` names a configured key (to decide on a forced key refresh). */
  knows(serial: string): boolean;
  /** Throws a `VerificationError` unless `body` is exactly what WeChat Pay signed. */
  verify(headers: HeaderBag, body: Uint8Array): VerifiedSignature;
}

/**
 * Verifies WeChat Pay responses and notifications over the raw body bytes as
 * received. Checks run in the order of SPEC "Signing and verifying": headers,
 * timestamp window, key by serial, signature.
 */
export class Verifier implements ResponseVerifier {
  readonly #publicKeys: ReadonlyMap<string, KeyObject>;
  readonly #notAfter: ReadonlyMap<string, number>;
  readonly #clock: Clock;
  readonly #toleranceSeconds: number;

  constructor(options: VerifierOptions) {
    this.#publicKeys = options.publicKeys;
    this.#notAfter = options.notAfter ?? new Map();
    this.#clock = options.clock ?? systemClock;
    this.#toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  }

  /** Whether a `Wechatpay-Serial` names a configured key (to decide on a forced key refresh). */
  knows(serial: string): boolean {
    return this.#publicKeys.has(serial.toUpperCase());
  }

  /** Throws a `VerificationError` unless `body` is exactly what WeChat Pay signed. */
  verify(headers: HeaderBag, body: Uint8Array): VerifiedSignature {
    const values = headerValues(headers, SIGNATURE_HEADERS);
    const timestampText = required(values, 'Wechatpay-Timestamp');
    const nonce = required(values, 'Wechatpay-Nonce');
    const signatureText = required(values, 'Wechatpay-Signature');
    const serial = required(values, 'Wechatpay-Serial');
    const scheme = values['Wechatpay-Signature-Type'];
    if (scheme !== undefined && scheme !== SIGNATURE_SCHEME) {
      throw new InvalidHeaderError('Wechatpay-Signature-Type', `is not ${SIGNATURE_SCHEME}`);
    }

    if (!/^\d{1,12}$/.test(timestampText)) throw new InvalidHeaderError('Wechatpay-Timestamp', 'is not a Unix time in seconds');
    const timestamp = Number(timestampText);
    const skewSeconds = timestamp - Math.floor(this.#clock() / 1000);
    if (Math.abs(skewSeconds) > this.#toleranceSeconds) throw new TimestampOutOfWindowError(skewSeconds, this.#toleranceSeconds);

    const id = serial.toUpperCase();
    const publicKey = this.#publicKeys.get(id);
    if (!publicKey) throw new UnknownSerialError(serial);
    const notAfter = this.#notAfter.get(id);
    // Stryker disable next-line ConditionalExpression: `now > undefined` is false too; the check is for the type, not the outcome.
    if (notAfter !== undefined && this.#clock() > notAfter) throw new ExpiredKeyError(id, notAfter);

    if (signatureText.startsWith(SIGNATURE_PROBE_PREFIX)) throw new SignatureProbeError();
    const signature = decodeStrictBase64(signatureText);
    if (!signature) throw new MalformedSignatureError();
    if (!verifySha256WithRsa(responseMessage({ timestamp: timestampText, nonce, body }), signature, publicKey)) {
      throw new SignatureMismatchError(serial);
    }
    return { serial, timestamp, nonce };
  }
}

const SIGNATURE_HEADERS = ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial', 'Wechatpay-Signature-Type'] as const;

function required(values: Record<(typeof SIGNATURE_HEADERS)[number], string | undefined>, name: Exclude<(typeof SIGNATURE_HEADERS)[number], 'Wechatpay-Signature-Type'>): string {
  const value = values[name];
  if (!value) throw new MissingHeaderError(name);
  return value;
}
