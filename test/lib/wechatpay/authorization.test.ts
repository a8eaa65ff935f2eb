import { describe, expect, it } from 'vitest';
import { lazy } from '../../helpers/wechatpay';
import { formatAuthorization, MalformedAuthorizationError, parseAuthorization } from '../../../lib/wechatpay';

const fields = { mchid: '1900000001', nonce_str: 'N0NCE', timestamp: '1554208460', serial_no: 'D7CE59D1F522D701', signature: 'c2ln+/==' };
const header = lazy(() => formatAuthorization(fields));

describe('Authorization header()', () => {
  it('formats in the documented order and parses back', () => {
    expect(header()).toBe('WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="N0NCE",timestamp="1554208460",serial_no="D7CE59D1F522D701",signature="c2ln+/=="');
    expect(parseAuthorization(header())).toEqual(fields);
  });

  it('parses fields in any order with spaces after commas', () => {
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 signature="c2ln+/==", serial_no="D7CE59D1F522D701", timestamp="1554208460", nonce_str="N0NCE", mchid="1900000001"')).toEqual(fields);
  });

  it.each([
    ['another scheme', header().replace('WECHATPAY2-SHA256-RSA2048', 'Bearer'), 'must start with'],
    ['an unquoted value', header().replace('mchid="1900000001"', 'mchid=1900000001'), 'name="value" pairs'],
    ['a field twice', `${header()},mchid="1"`, 'mchid appears twice'],
    ['a missing field', header().replace(/,signature="[^"]*"/, ''), 'lacks signature'],
    ['an empty field', header().replace('nonce_str="N0NCE"', 'nonce_str=""'), 'lacks nonce_str'],
  ])('refuses %s', (_name, value, message) => {
    expect(() => parseAuthorization(value)).toThrow(MalformedAuthorizationError);
    expect(() => parseAuthorization(value)).toThrow(message);
  });

  it.each([
    ['trailing text after a value', `${header()}x`],
    ['leading text before a name', header().replace('mchid=', '-mchid=')],
  ])('refuses %s', (_name, text) => {
    expect(() => parseAuthorization(text)).toThrow(new MalformedAuthorizationError('Authorization parameters must be name="value" pairs separated by commas'));
  });

  it('names every missing or empty field', () => {
    expect(() => parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="",signature="c2ln"')).toThrow(
      new MalformedAuthorizationError('Authorization lacks nonce_str, timestamp, serial_no'),
    );
  });
});
