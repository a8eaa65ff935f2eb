import { describe, expect, it } from 'vitest';
import { apiV3KeyBytes, ConfigurationError, decryptAeadAes256Gcm, DecryptionError, encryptAeadAes256Gcm } from '../../../lib/wechatpay';
import { thrown } from '../../helpers/errors';
import { lazy } from '../../helpers/wechatpay';

const key = Buffer.from('a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb');
const sealed = { key, nonce: 'Kj7QIyUiYx1q', associatedData: 'payscore' };
const ciphertext = lazy(() => encryptAeadAes256Gcm({ ...sealed, plaintext: '{"state":"DONE"}' }));

describe('apiV3KeyBytes', () => {
  it('takes a 32-character key as its bytes, and 32 raw bytes as they are', () => {
    expect(apiV3KeyBytes('a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb')).toEqual(Buffer.from('a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb'));
    expect(apiV3KeyBytes(new Uint8Array(32))).toHaveLength(32);
  });

  it.each([16, 31, 33])('refuses a %i-byte key, naming the field but not the key', (length) => {
    const secret = 'k'.repeat(length);
    const attempt = () => apiV3KeyBytes(secret);
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(`apiV3Key: must be exactly 32 bytes`);
    expect(attempt).toThrow(new RegExp(`got ${length}$`));
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it('counts bytes, not characters: 32 characters of Chinese text are not 32 bytes', () => {
    expect(() => apiV3KeyBytes('密'.repeat(32))).toThrow('got 96');
  });
});

describe('AEAD_AES_256_GCM', () => {
  it('round-trips with associated data and with none', () => {
    expect(decryptAeadAes256Gcm({ ...sealed, ciphertext: ciphertext() }).toString()).toBe('{"state":"DONE"}');
    const empty = { ...sealed, associatedData: '' };
    expect(decryptAeadAes256Gcm({ ...empty, ciphertext: encryptAeadAes256Gcm({ ...empty, plaintext: 'x' }) }).toString()).toBe('x');
  });

  it('decrypts an empty plaintext (a bare tag)', () => {
    expect(decryptAeadAes256Gcm({ ...sealed, ciphertext: encryptAeadAes256Gcm({ ...sealed, plaintext: '' }) })).toHaveLength(0);
  });

  it('rejects wrong associated data', () => {
    expect(() => decryptAeadAes256Gcm({ ...sealed, associatedData: 'payscorf', ciphertext: ciphertext() })).toThrow(DecryptionError);
  });

  it('rejects a wrong nonce', () => {
    expect(() => decryptAeadAes256Gcm({ ...sealed, nonce: 'Kj7QIyUiYx1r', ciphertext: ciphertext() })).toThrow(DecryptionError);
  });

  it.each(['Kj7QIyUiYx1', 'Kj7QIyUiYx1qq', '密'.repeat(12)])('rejects the nonce %s, which is not 12 bytes', (nonce) => {
    expect(() => decryptAeadAes256Gcm({ ...sealed, nonce, ciphertext: ciphertext() })).toThrow('nonce must be 12 bytes');
    expect(() => encryptAeadAes256Gcm({ ...sealed, nonce, plaintext: 'x' })).toThrow('nonce must be 12 bytes');
  });

  it('rejects a wrong key', () => {
    const error = thrown(DecryptionError, () => decryptAeadAes256Gcm({ ...sealed, key: apiV3KeyBytes('b'.repeat(32)), ciphertext: ciphertext() }));
    expect(error.message).toBe('authentication tag does not match: wrong APIv3 key, or nonce, associated data or ciphertext altered');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it.each([16, 33])('refuses a %i-byte key buffer', (length) => {
    expect(() => decryptAeadAes256Gcm({ ...sealed, key: Buffer.alloc(length), ciphertext: ciphertext() })).toThrow('key must be 32 bytes');
    expect(() => encryptAeadAes256Gcm({ ...sealed, key: Buffer.alloc(length), plaintext: 'x' })).toThrow('key must be 32 bytes');
  });

  it('rejects a truncated ciphertext (tag cut short)', () => {
    const bytes = Buffer.from(ciphertext(), 'base64');
    expect(() => decryptAeadAes256Gcm({ ...sealed, ciphertext: bytes.subarray(0, bytes.length - 1).toString('base64') })).toThrow(DecryptionError);
    expect(() => decryptAeadAes256Gcm({ ...sealed, ciphertext: bytes.subarray(0, 15).toString('base64') })).toThrow('at least 16 bytes');
  });

  it('rejects a ciphertext that is not strict base64', () => {
    expect(() => decryptAeadAes256Gcm({ ...sealed, ciphertext: ciphertext().slice(0, -2) })).toThrow('must be base64');
    expect(() => decryptAeadAes256Gcm({ ...sealed, ciphertext: `${ciphertext()}\n` })).toThrow('must be base64');
    expect(() => decryptAeadAes256Gcm({ ...sealed, ciphertext: '' })).toThrow('must be base64');
  });
});
