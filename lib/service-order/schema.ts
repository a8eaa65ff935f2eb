/**
 * The field rules of SPEC "Creating a service order": one source for the create
 * functions' validation, their types, and the sandbox's PARAM_ERROR checks.
 */
// zod/mini: the same checks as classic zod, tree-shakable (classic zod added ~450 KB to each bundle).
import * as z from 'zod/mini';
import { isHttpsUrl, NOTIFY_URL_MAX_LENGTH } from './notify-url';

const text = (max: number) => z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(max, `must be at most ${max} characters`));

/** Counts characters as a person does (code points), not UTF-16 units. */
const characters = (min: number, max: number) =>
  z.string().check(z.refine((value) => [...value].length >= min && [...value].length <= max, `must be ${min} to ${max} characters`));

/** `yyyyMMddHHmmss`, and a real calendar time. */
const wechatTime = z.string().check(
  z.refine((value) => {
    const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
    if (!match) return false;
    const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  }, 'must be a time formatted yyyyMMddHHmmss'),
);

const notifyUrl = z.string().check(z.maxLength(NOTIFY_URL_MAX_LENGTH, `must be at most ${NOTIFY_URL_MAX_LENGTH} characters`), z.refine(isHttpsUrl, 'must be an https URL'));

const timeRange = z.strictObject({
  start_time: wechatTime,
  end_time: z.optional(wechatTime),
  start_time_remark: z.optional(characters(1, 20)),
  end_time_remark: z.optional(characters(1, 20)),
});

const location = z.strictObject({
  // WeChat Pay's own limit for service locations.
  start_location: z.optional(characters(1, 50)),
  end_location: z.optional(characters(1, 50)),
});

const common = {
  service_id: text(32),
  sign_plan_id: text(32),
  plan_detail_no: z.number().check(z.int('must be an integer'), z.gte(1, 'must be at least 1')),
  appid: text(32),
  notify_url: notifyUrl,
  service_introduction: characters(1, 20),
  time_range: timeRange,
  location: z.optional(location),
  attach: z.optional(z.string().check(z.maxLength(256, 'must be at most 256 characters'))),
  out_trade_no: text(32),
};

export const merchantServiceOrderSchema = z.strictObject({ ...common, openid: text(128) });

const partnerFields = z.strictObject({
  ...common,
  sub_mchid: text(32),
  sub_appid: z.optional(text(32)),
  openid: z.optional(text(128)),
  sub_openid: z.optional(text(128)),
});

/** The partner identity rule: exactly one of openid / sub_openid, and sub_openid needs sub_appid. */
function checkPartnerUser(order: { openid?: string | undefined; sub_openid?: string | undefined; sub_appid?: string | undefined }, ctx: z.core.$RefinementCtx): void {
  if ((order.openid === undefined) === (order.sub_openid === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['openid'], message: 'exactly one of openid and sub_openid is required' });
  }
  if (order.sub_openid !== undefined && order.sub_appid === undefined) {
    ctx.addIssue({ code: 'custom', path: ['sub_appid'], message: 'is required when sub_openid is given' });
  }
}

// `when` runs the rule even when other fields already failed: every bad field is reported at once.
const everyObject = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value) };

export const partnerServiceOrderSchema = partnerFields.check(z.superRefine(checkPartnerUser, everyObject));

export type MerchantServiceOrderRequest = z.infer<typeof merchantServiceOrderSchema>;
export type PartnerServiceOrderRequest = z.infer<typeof partnerServiceOrderSchema>;
export type ServiceOrderRequest = MerchantServiceOrderRequest | PartnerServiceOrderRequest;

export interface FieldError {
  /** Dotted path, e.g. `time_range.start_time`; `body` for the body as a whole. */
  field: string;
  message: string;
}

export type Validation<T> = { valid: true; value: T } | { valid: false; errors: FieldError[] };

/** The parsed value, or every bad field at once. */
export function validate<T>(schema: z.ZodMiniType<T>, value: unknown): Validation<T> {
  const result = schema.safeParse(value);
  if (result.success) return { valid: true, value: result.data };
  return { valid: false, errors: fieldErrorsOf(result.error, value) };
}

/** Every bad field at once; an empty list means `value` is valid. */
export function fieldErrors(schema: z.ZodMiniType, value: unknown): FieldError[] {
  const result = validate(schema, value);
  return result.valid ? [] : result.errors;
}

function fieldErrorsOf(error: z.core.$ZodError, value: unknown): FieldError[] {
  return error.issues.flatMap((issue) => {
    const field = issue.path.join('.') || 'body';
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: field === 'body' ? key : `${field}.${key}`, message: 'is not a known field' }));
    }
    if (issue.code === 'invalid_type') {
      const given = valueAt(value, issue.path);
      const expected = issue.expected === 'int' ? 'integer' : issue.expected;
      const message = given === undefined ? 'is required' : `must be ${article(expected)}${expected}, not ${typeName(given)}`;
      return [{ field, message }];
    }
    return [{ field, message: issue.message }];
  });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const typeName = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);

const article = (expected: string): string => (/^[aeiou]/.test(expected) ? 'an ' : 'a ');
