import { describe, expect, it } from 'vitest';
import { decodeStrictBase64 } from '../../../lib/wechatpay';

describe('decodeStrictBase64', () => {
  it('decodes canonical, padded base64', () => {
    expect(decodeStrictBase64('c2ln')).toEqual(Buffer.from('sig'));
    expect(decodeStrictBase64('c2k=')).toEqual(Buffer.from('si'));
  });

  it.each([
    ['empty', ''],
    ['unpadded', 'c2k'],
    ['URL-safe', '-_8='],
    ['with stray characters', 'c2ln!'],
    ['with stray bits', 'c2l='],
  ])('refuses a string that is %s', (_name, text) => {
    expect(decodeStrictBase64(text)).toBeUndefined();
  });
});
