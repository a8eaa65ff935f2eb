/**
 * Builders of genuine WeChat Pay messages for tests, so that each negative test
 * changes exactly one thing of a message that otherwise verifies.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { signResponse, type Clock, type WechatpaySignatureHeaders } from '../../lib/wechatpay';

export const NOW_SECONDS = 1_763_800_000;
export const fixedClock = (seconds: number = NOW_SECONDS): Clock => () => seconds * 1000;

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export const generateRsaKeyPair = (modulusLength = 2048): RsaKeyPair => generateKeyPairSync('rsa', { modulusLength });

/** One WeChat Pay signing key, generated once per test file. */
export const wechatpayKey: RsaKeyPair = generateRsaKeyPair();
export const WECHATPAY_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000000000';

export interface SignedMessage {
  headers: Record<string, string>;
  body: Buffer;
}

/** A message WeChat Pay signed at `timestamp` with `wechatpayKey`. */
export function signedMessage(
  body: string | Buffer,
  options: { timestampSeconds?: number; nonce?: string; serial?: string; privateKey?: KeyObject } = {},
): SignedMessage {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const headers: WechatpaySignatureHeaders = signResponse(
    {
      serial: options.serial ?? WECHATPAY_KEY_ID,
      privateKey: options.privateKey ?? wechatpayKey.privateKey,
      clock: fixedClock(options.timestampSeconds),
      nonce: () => options.nonce ?? 'c5ac7061fccab6bf3e254dcf98995b8c',
    },
    bytes,
  );
  return { headers: { ...headers }, body: bytes };
}

/** Flips the lowest bit of byte `index`. */
export function flipByte(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

/**
 * `lazy` builds a fixture on first use, inside a test: built at module level, one that
 * throws (a mutant of the code it calls, say) fails only the file, and Stryker
 * scores a file error as a runtime error, not a kill.
 */
export { lazy } from '../../lib/wiring/lazy';
