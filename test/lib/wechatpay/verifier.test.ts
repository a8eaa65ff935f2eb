import { describe, expect, it } from 'vitest';
import {
  ExpiredKeyError,
  InvalidHeaderError,
  MalformedSignatureError,
  MissingHeaderError,
  SignatureMismatchError,
  SignatureProbeError,
  TimestampOutOfWindowError,
  UnknownSerialError,
  signResponse,
  Verifier,
  VerificationError,
} from '../../../lib/wechatpay';
import { fixedClock, flipByte, generateRsaKeyPair, lazy, NOW_SECONDS, signedMessage, WECHATPAY_KEY_ID, wechatpayKey } from '../../helpers/wechatpay';

const verifier = lazy(() => new Verifier({ publicKeys: new Map([[WECHATPAY_KEY_ID, wechatpayKey.publicKey]]), clock: fixedClock() }));
const BODY = '{"id":"EV-1","summary":"支付成功"}';
const genuine = lazy(() => signedMessage(BODY, { timestampSeconds: NOW_SECONDS }));
const withHeader = (name: string, value: string | undefined) => ({ ...genuine().headers, [name]: value });

describe('Verifier', () => {
  it('accepts the genuine() message and says what signed it', () => {
    expect(verifier().verify(genuine().headers, genuine().body)).toEqual({ serial: WECHATPAY_KEY_ID, timestamp: NOW_SECONDS, nonce: 'c5ac7061fccab6bf3e254dcf98995b8c' });
  });

  it('matches header names case-insensitively and takes single-value arrays (REST multiValueHeaders)', () => {
    const mixed = Object.fromEntries(Object.entries(genuine().headers).map(([name, value], index) => [index % 2 ? name.toLowerCase() : name.toUpperCase(), [value]]));
    expect(verifier().verify(mixed, genuine().body).serial).toBe(WECHATPAY_KEY_ID);
  });

  it('finds a serial sent in lower case', () => {
    const lower = signedMessage(BODY, { serial: WECHATPAY_KEY_ID.toLowerCase() });
    expect(verifier().verify(lower.headers, lower.body).serial).toBe(WECHATPAY_KEY_ID.toLowerCase());
  });

  it.each([-300, 300])('accepts a timestamp %i s away (the window is inclusive)', (skew) => {
    const message = signedMessage(BODY, { timestampSeconds: NOW_SECONDS + skew });
    expect(() => verifier().verify(message.headers, message.body)).not.toThrow();
  });

  it.each([
    [-301, 'past'],
    [301, 'future'],
  ])('rejects a timestamp %i s away, in the %s', (skew, direction) => {
    const message = signedMessage(BODY, { timestampSeconds: NOW_SECONDS + skew });
    const attempt = () => verifier().verify(message.headers, message.body);
    expect(attempt).toThrow(TimestampOutOfWindowError);
    expect(attempt).toThrow(`301 s in the ${direction}`);
  });

  it('honours a configured tolerance', () => {
    const strict = new Verifier({ publicKeys: new Map([[WECHATPAY_KEY_ID, wechatpayKey.publicKey]]), clock: fixedClock(), toleranceSeconds: 10 });
    const message = signedMessage(BODY, { timestampSeconds: NOW_SECONDS - 11 });
    expect(() => strict.verify(message.headers, message.body)).toThrow(TimestampOutOfWindowError);
  });

  it.each(['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial'])('rejects a message without %s', (header) => {
    expect(() => verifier().verify(withHeader(header, undefined), genuine().body)).toThrow(new MissingHeaderError(header));
  });

  it('rejects an empty header as missing', () => {
    expect(() => verifier().verify(withHeader('Wechatpay-Nonce', ''), genuine().body)).toThrow(MissingHeaderError);
  });

  it.each([['1763800000.0'], ['+1763800000'], ['1e9'], ['9999999999999']])('rejects the timestamp %s as not a Unix time', (timestamp) => {
    expect(() => verifier().verify(withHeader('Wechatpay-Timestamp', timestamp), genuine().body)).toThrow(new InvalidHeaderError('Wechatpay-Timestamp', 'is not a Unix time in seconds'));
  });

  it('rejects a header sent twice with different values', () => {
    const headers = { ...genuine().headers, 'wechatpay-nonce': 'another' };
    expect(() => verifier().verify(headers, genuine().body)).toThrow('appears more than once');
  });

  it('accepts a header repeated with the same value', () => {
    const headers = { ...genuine().headers, 'wechatpay-nonce': [genuine().headers['Wechatpay-Nonce']!, genuine().headers['Wechatpay-Nonce']!] };
    expect(() => verifier().verify(headers, genuine().body)).not.toThrow();
  });

  it('rejects a signature type other than WECHATPAY2-SHA256-RSA2048', () => {
    expect(() => verifier().verify(withHeader('Wechatpay-Signature-Type', 'WECHATPAY2-SM2-WITH-SM3'), genuine().body)).toThrow(
      new InvalidHeaderError('Wechatpay-Signature-Type', 'is not WECHATPAY2-SHA256-RSA2048'),
    );
  });

  it('accepts a message without the optional Wechatpay-Signature-Type', () => {
    expect(() => verifier().verify(withHeader('Wechatpay-Signature-Type', undefined), genuine().body)).not.toThrow();
  });

  it('rejects an unknown serial and bounds what it repeats of it', () => {
    const serial = `PUB_KEY_ID_${'9'.repeat(200)}`;
    const error = (() => {
      try {
        verifier().verify(withHeader('Wechatpay-Serial', serial), genuine().body);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UnknownSerialError);
    expect((error as UnknownSerialError).serial).toHaveLength(64);
    expect(verifier().knows(serial)).toBe(false);
    expect(verifier().knows(WECHATPAY_KEY_ID)).toBe(true);
  });

  it('rejects a key past its end of validity, and only then', () => {
    const notAfter = NOW_SECONDS * 1000;
    const expiring = (clockSeconds: number) =>
      new Verifier({ publicKeys: new Map([[WECHATPAY_KEY_ID, wechatpayKey.publicKey]]), notAfter: new Map([[WECHATPAY_KEY_ID, notAfter]]), clock: fixedClock(clockSeconds) });
    expect(expiring(NOW_SECONDS).verify(genuine().headers, genuine().body).serial).toBe(WECHATPAY_KEY_ID);
    const error = (() => {
      try {
        expiring(NOW_SECONDS + 1).verify(genuine().headers, genuine().body);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ExpiredKeyError);
    expect(error).toMatchObject({ code: 'WECHATPAY_KEY_EXPIRED', serial: WECHATPAY_KEY_ID });
    expect((error as Error).message).toContain(new Date(notAfter).toISOString());
  });

  it('rejects one changed body byte', () => {
    expect(() => verifier().verify(genuine().headers, flipByte(genuine().body, 5))).toThrow(SignatureMismatchError);
  });

  it('rejects one changed signature byte', () => {
    const signature = Buffer.from(genuine().headers['Wechatpay-Signature']!, 'base64');
    expect(() => verifier().verify(withHeader('Wechatpay-Signature', flipByte(signature, 17).toString('base64')), genuine().body)).toThrow(SignatureMismatchError);
  });

  it('rejects a signature made with another key', () => {
    const forged = signedMessage(BODY, { privateKey: generateRsaKeyPair().privateKey });
    expect(() => verifier().verify(forged.headers, forged.body)).toThrow(SignatureMismatchError);
  });

  it('rejects the raw body re-serialised (only the bytes as received are signed)', () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(BODY), null, 1));
    expect(() => verifier().verify(genuine().headers, pretty)).toThrow(SignatureMismatchError);
  });

  it('rejects a WECHATPAY/SIGNTEST/ probe', () => {
    expect(() => verifier().verify(withHeader('Wechatpay-Signature', 'WECHATPAY/SIGNTEST/' + genuine().headers['Wechatpay-Signature']), genuine().body)).toThrow(
      SignatureProbeError,
    );
  });

  it.each([
    ['non-alphabet characters', 'Ju7HB4Pnqmppe7uU!p0CURWQt8wjOB04'],
    ['missing padding', genuine().headers['Wechatpay-Signature']!.replace(/=+$/, '')],
    ['embedded whitespace', genuine().headers['Wechatpay-Signature']!.replace(/^(.{10})/, '$1 ')],
    ['URL-safe alphabet', 'ab-_'],
    ['non-canonical trailing bits', 'QR=='],
  ])('rejects a signature with %s as malformed', (_name, signature) => {
    expect(() => verifier().verify(withHeader('Wechatpay-Signature', signature), genuine().body)).toThrow(MalformedSignatureError);
  });

  it('every rejection is a VerificationError with a stable code and no signature in its message', () => {
    try {
      verifier().verify(withHeader('Wechatpay-Signature', flipByte(Buffer.from(genuine().headers['Wechatpay-Signature']!, 'base64'), 0).toString('base64')), genuine().body);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(VerificationError);
      expect((error as VerificationError).code).toBe('WECHATPAY_SIGNATURE_MISMATCH');
      expect((error as Error).message).not.toContain(genuine().headers['Wechatpay-Signature']!.slice(0, 16));
    }
  });
});

describe('signResponse and Verifier with the system clock and nonces', () => {
  it('a message signed now verifies now', () => {
    const live = new Verifier({ publicKeys: new Map([[WECHATPAY_KEY_ID, wechatpayKey.publicKey]]) });
    const headers = signResponse({ serial: WECHATPAY_KEY_ID, privateKey: wechatpayKey.privateKey }, BODY);
    expect(headers['Wechatpay-Nonce']).toMatch(/^[0-9A-F]{32}$/);
    expect(live.verify(headers, Buffer.from(BODY)).serial).toBe(WECHATPAY_KEY_ID);
  });
});
