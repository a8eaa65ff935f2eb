/**
 * valibot to JSON Schema (2020-12) with @valibot/to-json-schema, faithful to what the functions
 * accept: a check is converted only through the metadata just before it (lib/service-order/schema.ts
 * `inJsonSchema`), and a closed object says so with `additionalProperties: false`.
 */
import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import type { Schema } from '../../lib/service-order/schema';

export type { JsonSchema };

const CHECKS = new Set(['check', 'raw_check']);

export function jsonSchemaOf(schema: Schema): JsonSchema {
  // The type of the item converted last: a check must come right after its metadata.
  let previous: string | undefined;
  const { $schema: _dialect, ...converted } = toJsonSchema(schema, {
    target: 'draft-2020-12',
    // A closedObject's pipe is an object check (v.custom) and then the object: from the last
    // schema of a pipe on, which states the same (a JSON object, not an array or null).
    typeMode: 'output',
    overrideAction({ valibotAction, jsonSchema }) {
      const before = previous;
      previous = valibotAction.type;
      if (!CHECKS.has(valibotAction.type)) return undefined;
      if (before !== 'metadata') throw new Error(`a ${valibotAction.type} action without the metadata before it that states it in JSON Schema`);
      return jsonSchema;
    },
    overrideSchema({ valibotSchema, jsonSchema }) {
      previous = valibotSchema.type;
      if (jsonSchema.type !== 'object') return undefined;
      const closed = (valibotSchema as { rest?: { type: string } }).rest?.type === 'never';
      const { required, ...rest } = jsonSchema;
      return { ...rest, ...(required?.length ? { required } : {}), ...(closed ? { additionalProperties: false } : {}) };
    },
  });
  return converted;
}
