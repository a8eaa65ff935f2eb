/** What the ledger reads out of a plaintext: nested JSON with every number exactly as written. */
import { describe, expect, it } from 'vitest';
import { jsonField } from '../../../lib/ledger/plaintext';

const field = (text: string, name = 'collection') => jsonField(text, JSON.parse(text) as Record<string, unknown>, name);

describe('jsonField', () => {
  it.each([
    ['an integer beyond 2^53', '{"collection":{"paid_amount":9007199254740993}}', '{"paid_amount":9007199254740993}'],
    ['a number beyond a double', '{"collection":{"ratio":1e400}}', '{"ratio":1e400}'],
    ['a decimal written with trailing zeros', '{"collection":{"rate":1.10}}', '{"rate":1.10}'],
    ['an exponent that is an integer', '{"collection":{"amount":1E2}}', '{"amount":1E2}'],
    ['a decimal that rounds to an integer', '{"collection":{"amount":4.0000000000000000001}}', '{"amount":4.0000000000000000001}'],
    ['a 16-digit integer, elsewhere in the text', '{"n":1234567890123456,"collection":{"amount":1}}', '{"amount":1}'],
  ])('keeps %s as written', (_case, text, expected) => {
    expect(field(text)).toBe(expected);
  });

  it('keeps small integers, and number-like text inside strings, as they are', () => {
    const text = '{"collection":{"state":"USER_PAID","paid_amount":-100,"details":[{"seq":1,"amount":123456789012345,"transaction_id":"4200000000201904026099999999","paid_time":"1.5e3 \\"2\\""}]}}';
    expect(field(text)).toBe(JSON.stringify((JSON.parse(text) as { collection: unknown }).collection));
  });

  it('is undefined when the field is absent or null', () => {
    expect(field('{"state":"DONE"}')).toBeUndefined();
    expect(field('{"collection":null}')).toBeUndefined();
  });
});
