import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptAeadAes256Gcm, DecryptionError, encryptAeadAes256Gcm, Verifier, VerificationError } from '../../../lib/wechatpay';
import { fixedClock, flipByte, lazy, NOW_SECONDS, signedMessage, WECHATPAY_KEY_ID, wechatpayKey } from '../../helpers/wechatpay';

const verifier = lazy(() => new Verifier({ publicKeys: new Map([[WECHATPAY_KEY_ID, wechatpayKey.publicKey]]), clock: fixedClock() }));
const nonceArbitrary = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 16, maxLength: 32 });
const timestampArbitrary = fc.integer({ min: NOW_SECONDS - 300, max: NOW_SECONDS + 300 });

/** A header value with one character replaced by a different printable ASCII character. */
const mutateText = (text: string, index: number, replacement: string): string =>
  text.slice(0, index) + (text[index] === replacement ? String.fromCharCode(((replacement.charCodeAt(0) - 32 + 1) % 95) + 32) : replacement) + text.slice(index + 1);

const throwsVerificationError = (attempt: () => unknown): boolean => {
  try {
    attempt();
    return false;
  } catch (error) {
    return error instanceof VerificationError;
  }
};

describe('properties of signing and verifying', () => {
  it('any UTF-8 body signed by WeChat Pay verifies', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), timestampArbitrary, nonceArbitrary, (body, timestampSeconds, nonce) => {
        const message = signedMessage(body, { timestampSeconds, nonce });
        expect(verifier().verify(message.headers, message.body)).toMatchObject({ timestamp: timestampSeconds, nonce });
      }),
      { numRuns: 150 },
    );
  });

  it('any single-byte change of the body fails', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (body, position, mask) => {
        const message = signedMessage(Buffer.from(body));
        const mutated = Buffer.from(message.body);
        const index = position % mutated.length;
        mutated[index] = mutated[index]! ^ mask;
        return throwsVerificationError(() => verifier().verify(message.headers, mutated));
      }),
      { numRuns: 150 },
    );
  });

  it('any single-character change of the signature, timestamp or nonce fails', () => {
    const message = signedMessage('{"id":"EV-1"}');
    const header = fc.constantFrom('Wechatpay-Signature', 'Wechatpay-Timestamp', 'Wechatpay-Nonce');
    fc.assert(
      fc.property(header, fc.nat(), fc.integer({ min: 32, max: 126 }), (name, position, code) => {
        const value = message.headers[name]!;
        const mutated = mutateText(value, position % value.length, String.fromCharCode(code));
        return throwsVerificationError(() => verifier().verify({ ...message.headers, [name]: mutated }, message.body));
      }),
      { numRuns: 300 },
    );
  });
});

describe('properties of AEAD_AES_256_GCM', () => {
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes));
  const nonce = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 12, maxLength: 12 });
  const associatedData = fc.string({ maxLength: 40 });

  it('encrypt then decrypt gives the plaintext back', () => {
    fc.assert(
      fc.property(key, nonce, associatedData, fc.uint8Array({ maxLength: 2000 }), (k, n, aad, plaintext) => {
        const ciphertext = encryptAeadAes256Gcm({ key: k, nonce: n, associatedData: aad, plaintext });
        expect(decryptAeadAes256Gcm({ key: k, nonce: n, associatedData: aad, ciphertext })).toEqual(Buffer.from(plaintext));
      }),
    );
  });

  it('any single-byte change of the sealed bytes fails authentication', () => {
    fc.assert(
      fc.property(key, nonce, associatedData, fc.uint8Array({ maxLength: 200 }), fc.nat(), (k, n, aad, plaintext, position) => {
        const sealed = Buffer.from(encryptAeadAes256Gcm({ key: k, nonce: n, associatedData: aad, plaintext }), 'base64');
        const ciphertext = flipByte(sealed, position % sealed.length).toString('base64');
        expect(() => decryptAeadAes256Gcm({ key: k, nonce: n, associatedData: aad, ciphertext })).toThrow(DecryptionError);
      }),
    );
  });
});
