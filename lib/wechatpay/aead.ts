import { createCipheriv, createDecipheriv } from 'node:crypto';
import { decodeStrictBase64 } from './base64';
import { ConfigurationError, DecryptionError } from './errors';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The APIv3 key as the 32 bytes AEAD_AES_256_GCM needs. Any other length is a
 * configuration error (a 16-byte key would silently mean AES-128).
 */
export function apiV3KeyBytes(key: string | Uint8Array, field = 'apiV3Key'): Buffer {
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: Buffer.from reads a string as UTF-8 and copies bytes either way; the test only picks the overload.
  const bytes = typeof key === 'string' ? Buffer.from(key) : Buffer.from(key);
  if (bytes.length !== KEY_BYTES) {
    throw new ConfigurationError(field, `must be exactly ${KEY_BYTES} bytes (the APIv3 key set in the merchant platform), got ${bytes.length}`);
  }
  return bytes;
}

export interface AeadParts {
  /** 32-byte key; see `apiV3KeyBytes`. */
  key: Buffer;
  /** 12 characters, used as their bytes (not base64). */
  nonce: string;
  /** May be empty. */
  associatedData: string;
}

function nonceBytes(nonce: string): Buffer {
  const bytes = Buffer.from(nonce);
  if (bytes.length !== NONCE_BYTES) throw new DecryptionError(`nonce must be ${NONCE_BYTES} bytes, got ${bytes.length}`);
  return bytes;
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new DecryptionError(`key must be ${KEY_BYTES} bytes, got ${key.length}`);
}

/** Decrypts `ciphertext` (base64 of encrypted bytes followed by the 16-byte tag); throws unless the tag authenticates. */
export function decryptAeadAes256Gcm(parts: AeadParts & { ciphertext: string }): Buffer {
  checkKey(parts.key);
  const iv = nonceBytes(parts.nonce);
  const sealed = decodeStrictBase64(parts.ciphertext);
  if (!sealed || sealed.length < TAG_BYTES) {
    throw new DecryptionError(`ciphertext must be base64 of at least ${TAG_BYTES} bytes (the GCM tag)`);
  }
  // Stryker disable next-line ObjectLiteral: the tag is cut to TAG_BYTES above, and GCM's default tag length is 16 bytes anyway.
  const decipher = createDecipheriv('aes-256-gcm', parts.key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(parts.associatedData));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const encrypted = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([encrypted, decipher.final()]);
  } catch (cause) {
    throw new DecryptionError('authentication tag does not match: wrong APIv3 key, or nonce, associated data or ciphertext altered', { cause });
  }
}

/** Encrypts as WeChat Pay does; returns base64 of ciphertext followed by the tag. */
export function encryptAeadAes256Gcm(parts: AeadParts & { plaintext: string | Uint8Array }): string {
  checkKey(parts.key);
  // Stryker disable next-line ObjectLiteral: GCM's default tag length is 16 bytes: the option only says so.
  const cipher = createCipheriv('aes-256-gcm', parts.key, nonceBytes(parts.nonce), { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(parts.associatedData));
  const encrypted = Buffer.concat([cipher.update(parts.plaintext), cipher.final()]);
  return Buffer.concat([encrypted, cipher.getAuthTag()]).toString('base64');
}
