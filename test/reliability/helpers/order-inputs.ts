/**
 * Create-request bodies for the bad-input corpus: a valid order with fields
 * deleted, retyped, resized or added (unicode, huge numbers, nulls, arrays…),
 * or a body that is not a JSON object at all. Each remembers which fields it
 * touched, so that a 400 can be checked to name them.
 */
import fc from 'fast-check';
import { merchantOrder, partnerOrder } from '../../helpers/orders';

export type Variant = 'merchant' | 'partner';

const COMMON_PATHS = [
  'service_id', 'sign_plan_id', 'plan_detail_no', 'appid', 'openid', 'notify_url', 'service_introduction',
  'time_range', 'time_range.start_time', 'time_range.end_time', 'time_range.start_time_remark', 'time_range.end_time_remark',
  'location', 'location.start_location', 'location.end_location', 'attach', 'out_trade_no',
];
const PARTNER_PATHS = ['sub_mchid', 'sub_appid', 'sub_openid'];

/** A JSON number literal no JavaScript value serialises to: placed into the text after JSON.stringify. */
const RAW_PREFIX = '\u0000raw:';
const rawNumber = fc.constantFrom('1e999', '-1e999', '123456789012345678901234567890', '1.0', '2e0', '-0', '0.1e1').map((literal) => RAW_PREFIX + literal);

const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ minLength: 20, maxLength: 300 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1.5, 2 ** 53, 2 ** 53 + 2, 1e308, Number.MAX_SAFE_INTEGER, '', ' ', '2', '20091225091010', '20090230091010', '2009-12-25T09:10:10', 'http://api.test.com', 'https://', `https://a.example/${'p'.repeat(250)}`, 'javascript:alert(1)', '羽'.repeat(21), '🏸'.repeat(20)),
  rawNumber,
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

interface Mutation {
  path: string;
  /** `undefined`: delete the field. */
  value?: unknown;
  remove: boolean;
}

const unknownField = fc.tuple(fc.constantFrom('', 'time_range.', 'location.'), fc.string({ minLength: 1, maxLength: 20 }).filter((name) => !name.includes('.'))).map(([parent, name]) => parent + name);

const mutation = (variant: Variant): fc.Arbitrary<Mutation> =>
  fc.record({
    path: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...COMMON_PATHS, ...(variant === 'partner' ? PARTNER_PATHS : [])) }, { weight: 1, arbitrary: unknownField }),
    value,
    remove: fc.boolean(),
  });

export interface OrderInput {
  variant: Variant;
  body: string;
  /** Fields the mutations touched; `body` when the body is not an order at all. */
  touched: string[];
}

const setOwn = (object: Record<string, unknown>, key: string, entry: Mutation) => {
  if (entry.remove) delete object[key];
  else Object.defineProperty(object, key, { value: entry.value, enumerable: true, configurable: true, writable: true });
};

/** Applies the mutations that find an object to act on; the rest are dropped. */
function mutated(variant: Variant, mutations: Mutation[]): OrderInput {
  const order = structuredClone(variant === 'merchant' ? merchantOrder() : partnerOrder());
  const touched: string[] = [];
  for (const entry of mutations) {
    const [first, second] = entry.path.split('.') as [string, string?];
    const parent = second === undefined ? order : order[first];
    if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) continue;
    if (second !== undefined) order[first] = { ...(parent as Record<string, unknown>) };
    setOwn(second === undefined ? order : (order[first] as Record<string, unknown>), second ?? first, entry);
    touched.push(entry.path);
  }
  const body = JSON.stringify(order).replace(/"\\u0000raw:([^"]*)"/g, '$1');
  return { variant, body, touched };
}

const variant = fc.constantFrom<Variant>('merchant', 'partner');

const notAnOrder: fc.Arbitrary<OrderInput> = fc.tuple(
  variant,
  fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.jsonValue({ maxDepth: 2 }).filter((json) => typeof json !== 'object' || json === null || Array.isArray(json)).map((json) => JSON.stringify(json) ?? 'null'),
    fc.nat().map((cut) => {
      const text = JSON.stringify(merchantOrder());
      return text.slice(0, cut % text.length);
    }),
    fc.constantFrom('', ' ', '[]', '{', '{"service_id":', `${'['.repeat(5000)}${']'.repeat(5000)}`, '\uFEFF{}'),
  ),
).map(([kind, body]) => ({ variant: kind, body, touched: ['body'] }));

export const orderInputArbitrary: fc.Arbitrary<OrderInput> = fc.oneof(
  { weight: 8, arbitrary: variant.chain((kind) => fc.array(mutation(kind), { minLength: 1, maxLength: 4 }).map((mutations) => mutated(kind, mutations))) },
  { weight: 1, arbitrary: notAnOrder },
);

/** The partner identity rule links these: touching one may make another the field in error. */
const LINKED = ['openid', 'sub_openid', 'sub_appid'];

/** Whether an error about `field` is explained by touching `path`. */
export function explains(path: string, field: string): boolean {
  return field === path || field.startsWith(`${path}.`) || path.startsWith(`${field}.`) || (LINKED.includes(path) && LINKED.includes(field));
}
