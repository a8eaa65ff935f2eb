/** The create request rules: which field, and what is wrong with it, for every bad field at once. */
import { describe, expect, it } from 'vitest';
import { fieldErrors, merchantServiceOrderSchema, partnerServiceOrderSchema, validate } from '../../../lib/service-order/schema';
import { merchantOrder, partnerOrder } from '../../helpers/orders';

describe('service order schema', () => {
  it('accepts the seed orders', () => {
    expect(fieldErrors(merchantServiceOrderSchema, merchantOrder())).toEqual([]);
    expect(fieldErrors(partnerServiceOrderSchema, partnerOrder())).toEqual([]);
  });

  it.each([
    ['an array', [], 'must be an object, not an array'],
    ['null', null, 'must be an object, not null'],
    ['a string', 'order', 'must be an object, not a string'],
  ])('a body that is %s is one error naming the body', (_name, body, message) => {
    expect(fieldErrors(merchantServiceOrderSchema, body)).toEqual([{ field: 'body', message }]);
  });

  it('names every bad field at once, each in plain words', () => {
    const order = { ...merchantOrder(), openid: undefined, plan_detail_no: '3', attach: 7, time_range: { start_time: '2020', x: 1 }, location: [], extra: true, extra2: 1 };
    expect(fieldErrors(merchantServiceOrderSchema, order)).toEqual(
      expect.arrayContaining([
        { field: 'openid', message: 'is required' },
        { field: 'plan_detail_no', message: 'must be a number, not a string' },
        { field: 'attach', message: 'must be a string, not a number' },
        { field: 'time_range.start_time', message: 'must be a time formatted yyyyMMddHHmmss' },
        { field: 'time_range.x', message: 'is not a known field' },
        { field: 'location', message: 'must be an object, not an array' },
        { field: 'extra', message: 'is not a known field' },
        { field: 'extra2', message: 'is not a known field' },
      ]),
    );
    expect(fieldErrors(merchantServiceOrderSchema, order)).toHaveLength(8);
  });

  it('checks the partner identity rule even when other fields failed', () => {
    expect(fieldErrors(partnerServiceOrderSchema, { ...partnerOrder(), openid: 'o-1', plan_detail_no: 0 })).toEqual([
      { field: 'plan_detail_no', message: 'must be at least 1' },
      { field: 'openid', message: 'exactly one of openid and sub_openid is required' },
    ]);
    expect(fieldErrors(partnerServiceOrderSchema, { ...partnerOrder(), sub_appid: undefined })).toEqual([{ field: 'sub_appid', message: 'is required when sub_openid is given' }]);
  });

  it.each([
    ['a key separator', 'S1#X', false],
    ['a slash', 'A/B', false],
    ['a space', 'A B', false],
    ['a Chinese character', '订单1', false],
    ['a pipe (not a plan detail number)', 'A|B', false],
    ['33 characters', 'A'.repeat(33), false],
    ['digits, letters, _ and -', 'aZ09_-', true],
    ['32 characters', 'A'.repeat(32), true],
  ])('a merchant out_trade_no with %s is %s', (_name, outTradeNo, valid) => {
    const errors = fieldErrors(merchantServiceOrderSchema, merchantOrder({ out_trade_no: outTradeNo }));
    expect(errors).toEqual(valid ? [] : [{ field: 'out_trade_no', message: 'must be 1 to 32 characters, each a digit, a letter or _ - (the characters WeChat Pay allows)' }]);
  });

  it('a partner out_trade_no may hold * as well, and its sub_mchid only digits', () => {
    expect(fieldErrors(partnerServiceOrderSchema, partnerOrder({ out_trade_no: 'A*B_C-1' }))).toEqual([]);
    expect(fieldErrors(merchantServiceOrderSchema, merchantOrder({ out_trade_no: 'A*B' }))).toEqual([expect.objectContaining({ field: 'out_trade_no' })]);
    expect(fieldErrors(partnerServiceOrderSchema, partnerOrder({ out_trade_no: 'A#B', sub_mchid: 'S1#X' }))).toEqual([
      { field: 'out_trade_no', message: 'must be 1 to 32 characters, each a digit, a letter or _ - * (the characters WeChat Pay allows)' },
      { field: 'sub_mchid', message: 'must be a WeChat Pay merchant number: 1 to 32 digits' },
    ]);
  });

  it('refuses prototype keys as unknown fields, at any depth', () => {
    const text = JSON.stringify(merchantOrder()).replace('{', '{"__proto__":{"admin":true},"constructor":1,').replace('"time_range":{', '"time_range":{"prototype":2,');
    expect(validate(merchantServiceOrderSchema, JSON.parse(text))).toEqual({
      valid: false,
      errors: [
        { field: '__proto__', message: 'is not a known field' },
        { field: 'constructor', message: 'is not a known field' },
        { field: 'time_range.prototype', message: 'is not a known field' },
      ],
    });
  });
});
