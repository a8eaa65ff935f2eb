import { isJsonObject } from '../../lib/wechatpay/json';

/** JSON with object keys sorted: equal for equal values, whatever the key order or spacing of the original. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    isJsonObject(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
