/**
 * What the ledger reads out of a decrypted plaintext or an answer. The text itself
 * is kept as received; only a few fields are read, and in a way no genuine content
 * can break: strings made storable, and nested JSON kept as text with every number
 * exactly as written (a DynamoDB number cannot hold `1e400`, a JavaScript one not
 * `9007199254740993`).
 */

import { isJsonObject } from '../wechatpay/json';

type SourceReviver = (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown;
// JSON.parse source text access and JSON.rawJSON (Node 21+), not yet in TypeScript's ES2023 library.
const parseWithSource = JSON.parse as (text: string, reviver: SourceReviver) => unknown;
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;
/** Text DynamoDB can store: a lone surrogate (from a `\ud800` escape) becomes U+FFFD. (ES2024's toWellFormed, in Node since 20.) */
export const storable = (text: string): string => (text as unknown as { toWellFormed(): string }).toWellFormed();

/** A string field, made storable. */
export function stringField(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' ? storable(value) : undefined;
}

/** An integer field (an amount, a detail's number) when a JavaScript number holds it exactly; the plaintext keeps any other. */
export function integerField(fields: Record<string, unknown>, name: string): number | undefined {
  const value = fields[name];
  return Number.isSafeInteger(value) ? (value as number) : undefined;
}

/**
 * Matches JSON text whose every number (outside strings) is an integer of at most 15 digits, which
 * a JavaScript number holds exactly: WeChat Pay's amounts always are, so the plain parse serves.
 */
// Stryker disable next-line Regex: a stricter pattern only sends more texts down the exact path below, which gives the same text.
const SMALL_INTEGERS_ONLY = /^(?:[^"\d-]|"(?:[^"\\]|\\.)*"|-?\d{1,15}(?![\d.eE]))*$/;

/** A top-level field as JSON text, its numbers exactly as in `text` (JSON.stringify escapes lone surrogates); undefined when absent or null. */
export function jsonField(text: string, fields: Record<string, unknown>, name: string): string | undefined {
  // Stryker disable next-line ConditionalExpression: an absent field is undefined on either path (JSON.stringify(undefined)).
  if (fields[name] === undefined || fields[name] === null) return undefined;
  // Parsing again with each number's source text costs more than the rest of a notification: only when a number needs it.
  // Stryker disable next-line ConditionalExpression: the exact path gives the same text, only slower.
  if (SMALL_INTEGERS_ONLY.test(text)) return JSON.stringify(fields[name]);
  const exact = parseWithSource(text, (_key, value, context) => (typeof value === 'number' ? rawJson(context.source!) : value)) as Record<string, unknown>;
  return JSON.stringify(exact[name]);
}

/** A string field of a nested object (`collection.state`). */
export function nestedStringField(fields: Record<string, unknown>, object: string, name: string): string | undefined {
  const value = fields[object];
  return isJsonObject(value) ? stringField(value, name) : undefined;
}
