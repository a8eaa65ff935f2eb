/**
 * valibot to JSON Schema (2020-12) with @valibot/to-json-schema, faithful to what the functions
 * accept: a check is converted only through CHECKS below, which states it in JSON Schema, and a
 * closed object says so with `additionalProperties: false`. The statements live here rather than
 * as metadata on the schemas so that no function's bundle carries them.
 */
import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import { partnerIdentity, type Schema } from '../../lib/service-order/schema';

export type { JsonSchema };

/** JSON Schema keywords, some of which (dependentRequired) the converter's type does not list. */
type Keywords = Record<string, unknown>;

/** Each `v.check` of lib/ by the message it answers with: what it means in JSON Schema. */
const CHECKS: ReadonlyArray<[RegExp, (match: RegExpExecArray) => Keywords]> = [
  // lib/service-order/schema.ts `characters`: code points, as JSON Schema's minLength and maxLength count.
  [/^must be (\d+) to (\d+) characters$/, ([, min, max]) => ({ minLength: Number(min), maxLength: Number(max) })],
  [
    /^must be a time formatted yyyyMMddHHmmss$/,
    () => ({
      pattern: '^[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$',
      description: 'yyyyMMddHHmmss, a real calendar time (a day past the end of its month, such as 20230230…, is refused too)',
    }),
  ],
  [/^must be an https URL$/, () => ({ pattern: '^https://[^\\s/?#]', description: 'an https URL (as the WHATWG URL parser reads it)' })],
];

const PARTNER_IDENTITY: Keywords = {
  oneOf: [{ required: ['openid'] }, { required: ['sub_openid'] }],
  dependentRequired: { sub_openid: ['sub_appid'] },
  description: 'The user: exactly one of openid and sub_openid; sub_openid needs sub_appid.',
};

/** A check's meaning in JSON Schema; a check not stated here stops the generator. */
function checkInJsonSchema(action: { type: string; message?: unknown }): Keywords {
  if (action.type === 'raw_check') {
    if (action === partnerIdentity) return PARTNER_IDENTITY;
    throw new Error('a raw_check action that dev/openapi/json-schema.ts does not state in JSON Schema');
  }
  for (const [message, keywords] of CHECKS) {
    const match = typeof action.message === 'string' ? message.exec(action.message) : null;
    if (match) return keywords(match);
  }
  throw new Error(`a check ('${String(action.message)}') that dev/openapi/json-schema.ts does not state in JSON Schema`);
}

export function jsonSchemaOf(schema: Schema): JsonSchema {
  const { $schema: _dialect, ...converted } = toJsonSchema(schema, {
    target: 'draft-2020-12',
    // A closedObject's pipe is an object check (v.custom) and then the object: from the last
    // schema of a pipe on, which states the same (a JSON object, not an array or null).
    typeMode: 'output',
    overrideAction({ valibotAction, jsonSchema }) {
      if (valibotAction.type !== 'check' && valibotAction.type !== 'raw_check') return undefined;
      return { ...jsonSchema, ...checkInJsonSchema(valibotAction as { type: string; message?: unknown }) } as JsonSchema;
    },
    overrideSchema({ valibotSchema, jsonSchema }) {
      if (jsonSchema.type !== 'object') return undefined;
      const closed = (valibotSchema as { rest?: { type: string } }).rest?.type === 'never';
      const { required, ...rest } = jsonSchema;
      return { ...rest, ...(required?.length ? { required } : {}), ...(closed ? { additionalProperties: false } : {}) };
    },
  });
  return converted;
}
