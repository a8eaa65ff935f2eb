/**
 * The field rules of SPEC "Creating a service order": one source for the create
 * functions' validation, their types, and the sandbox's PARAM_ERROR checks.
 */
// valibot rather than zod/mini: the same checks in less code, and a shorter create cold
// start (zod builds its schemas with much machinery at import; docs/performance.md).
import * as v from 'valibot';
import { isJsonObject } from '../wechatpay/json';
import { isHttpsUrl, NOTIFY_URL_MAX_LENGTH } from './notify-url';

/** A schema of any input whose output is `T`. */
export type Schema<T = unknown> = v.GenericSchema<unknown, T>;

/**
 * An object of exactly these fields: every unknown field is reported, not only
 * the first. (valibot takes arrays for objects, hence the record check. It also
 * skips `__proto__`, `constructor` and `prototype` keys unreported: `validate`
 * reports those.)
 */
export function closedObject<const Entries extends v.ObjectEntries>(entries: Entries) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isJsonObject, (issue) => `must be an object, not ${typeName(issue.input)}`),
    v.objectWithRest(entries, v.never(UNKNOWN_FIELD)),
  ) as unknown as Schema<v.InferOutput<v.ObjectSchema<Entries, undefined>>>;
}

const UNKNOWN_FIELD = 'is not a known field';

export const text = (max: number) => v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(max, `must be at most ${max} characters`));

/** Counts characters as a person does (code points), not UTF-16 units: as JSON Schema's minLength and maxLength do. */
export const characters = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.check((value) => {
      const count = [...value].length;
      return count >= min && count <= max;
    }, `must be ${min} to ${max} characters`),
  );

/** `yyyyMMddHHmmss`, and a real calendar time. */
export const wechatTime = v.pipe(
  v.string(),
  v.check((value) => {
    const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
    if (!match) return false;
    const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  }, 'must be a time formatted yyyyMMddHHmmss'),
);

/**
 * The characters WeChat Pay allows in a number, and at most 32 of them. A sign-plan order's
 * `out_trade_no` must equal its plan detail's `merchant_plan_detail_no` (digits, letters, `_-*`)
 * and becomes the order's `out_order_no` (direct merchant: digits, letters, `_-|`; partner:
 * `_-|*`), so it may hold only what both allow. Sources: WeChat Pay's pages "创建支付分订单"
 * (merchant and partner), "创建用户的签约计划服务订单" and "创建用户的签约计划".
 */
export const merchantNumber = (allowed: string, described: string) =>
  v.pipe(v.string(), v.regex(new RegExp(`^[0-9A-Za-z${allowed}]{1,32}$`), `must be 1 to 32 characters, each a digit, a letter or ${described} (the characters WeChat Pay allows)`));

/** Merchant numbers are WeChat Pay's own: digits. */
export const mchid = v.pipe(v.string(), v.regex(/^[0-9]{1,32}$/, 'must be a WeChat Pay merchant number: 1 to 32 digits'));

export const notifyUrl = v.pipe(
  v.string(),
  v.maxLength(NOTIFY_URL_MAX_LENGTH, `must be at most ${NOTIFY_URL_MAX_LENGTH} characters`),
  v.check(isHttpsUrl, 'must be an https URL'),
);

export const timeRange = closedObject({
  start_time: wechatTime,
  end_time: v.optional(wechatTime),
  start_time_remark: v.optional(characters(1, 20)),
  end_time_remark: v.optional(characters(1, 20)),
});

export const location = closedObject({
  // WeChat Pay's own limit for service locations.
  start_location: v.optional(characters(1, 50)),
  end_location: v.optional(characters(1, 50)),
});

const common = {
  service_id: text(32),
  sign_plan_id: text(32),
  plan_detail_no: v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, 'must be at least 1')),
  appid: text(32),
  notify_url: notifyUrl,
  service_introduction: characters(1, 20),
  time_range: timeRange,
  location: v.optional(location),
  attach: v.optional(v.pipe(v.string(), v.maxLength(256, 'must be at most 256 characters'))),
};

export const merchantServiceOrderSchema = closedObject({ ...common, out_trade_no: merchantNumber('_-', '_ -'), openid: text(128) });

const partnerFields = closedObject({
  ...common,
  out_trade_no: merchantNumber('_*-', '_ - *'),
  sub_mchid: mchid,
  sub_appid: v.optional(text(32)),
  openid: v.optional(text(128)),
  sub_openid: v.optional(text(128)),
});

/**
 * The partner identity rule: exactly one of openid / sub_openid, and sub_openid
 * needs sub_appid. A raw check runs even when other fields already failed: every
 * bad field is reported at once. (The partner create and pre-sign pages.)
 */
export const partnerIdentity = v.rawCheck<unknown>(({ dataset, addIssue }) => {
  const order = dataset.value;
  if (!isJsonObject(order)) return;
  const at = (key: string): [v.ObjectPathItem] => [{ type: 'object', origin: 'value', input: order, key, value: order[key] }];
  if ((order.openid === undefined) === (order.sub_openid === undefined)) {
    addIssue({ message: 'exactly one of openid and sub_openid is required', path: at('openid') });
  }
  if (order.sub_openid !== undefined && order.sub_appid === undefined) {
    addIssue({ message: 'is required when sub_openid is given', path: at('sub_appid') });
  }
});

export const withPartnerIdentity = <T>(schema: Schema<T>): Schema<T> => v.pipe(schema, partnerIdentity as v.RawCheckAction<T>);

export const partnerServiceOrderSchema = withPartnerIdentity(partnerFields);

export type MerchantServiceOrderRequest = v.InferOutput<typeof merchantServiceOrderSchema>;
export type PartnerServiceOrderRequest = v.InferOutput<typeof partnerServiceOrderSchema>;
export type ServiceOrderRequest = MerchantServiceOrderRequest | PartnerServiceOrderRequest;

export interface FieldError {
  /** Dotted path, e.g. `time_range.start_time`; `body` for the body as a whole. */
  field: string;
  message: string;
}

export type Validation<T> = { valid: true; value: T } | { valid: false; errors: FieldError[] };

/** The parsed value, or every bad field at once. */
export function validate<T>(schema: Schema<T>, value: unknown): Validation<T> {
  const result = v.safeParse(schema, value);
  const skipped = skippedKeys(value);
  if (result.success && skipped.length === 0) return { valid: true, value: result.output };
  return { valid: false, errors: [...(result.success ? [] : result.issues.map(fieldError)), ...skipped] };
}

/** The keys valibot's object schemas pass over without a word: unknown fields like any other. */
const SKIPPED_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Deeper than any schema goes: below it, the schema itself has already refused what it found. */
const MAX_SCHEMA_DEPTH = 8;

function skippedKeys(value: unknown, path = '', depth = 0): FieldError[] {
  if (depth > MAX_SCHEMA_DEPTH) return [];
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (Array.isArray(value)) return value.flatMap((element, index) => skippedKeys(element, at(String(index)), depth + 1));
  if (!isJsonObject(value)) return [];
  return Object.keys(value).flatMap((key) => (SKIPPED_KEYS.includes(key) ? [{ field: at(key), message: UNKNOWN_FIELD }] : skippedKeys(value[key], at(key), depth + 1)));
}

/** Every bad field at once; an empty list means `value` is valid. */
export function fieldErrors(schema: Schema, value: unknown): FieldError[] {
  const result = validate(schema, value);
  return result.valid ? [] : result.errors;
}

function fieldError(issue: v.BaseIssue<unknown>): FieldError {
  const field = v.getDotPath(issue) ?? 'body';
  if (issue.input === undefined && issue.kind === 'schema') return { field, message: 'is required' };
  // A value of the wrong type gets a message in the words of the others; rules carry their own.
  if (issue.kind !== 'schema' || issue.type === 'custom' || issue.type === 'never') return { field, message: issue.message };
  const expected = issue.expected!.toLowerCase();
  return { field, message: `must be ${article(expected)}${expected}, not ${typeName(issue.input)}` };
}

const typeName = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);

const article = (expected: string): string => (/^[aeiou]/.test(expected) ? 'an ' : 'a ');
