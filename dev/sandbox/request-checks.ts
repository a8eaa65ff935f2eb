import * as v from 'valibot';
import { fieldErrors, merchantServiceOrderSchema, partnerServiceOrderSchema, type Schema, type ServiceOrderRequest } from '../../lib/service-order/schema';
import type { AccountKind, RegisteredAccount } from './accounts';
import { noAuth, paramError } from './api-error';

/** Reads a JSON request body against `schema`; `400 PARAM_ERROR` names the first bad field as a JSON Pointer. */
export function parseBody<T>(schema: Schema<T> | v.GenericSchema<unknown, T>, body: Buffer): T {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw paramError({ field: 'body', issue: 'is not valid JSON' });
  }
  const [first] = fieldErrors(schema as Schema, value);
  if (first) throw paramError({ field: first.field, ...given(value, first.field), issue: first.message });
  return value as T;
}

/** The create's schema by account kind (lib/service-order/schema.ts, shared with the functions). */
export const serviceOrderSchema = (kind: AccountKind): Schema<ServiceOrderRequest> => (kind === 'merchant' ? merchantServiceOrderSchema : partnerServiceOrderSchema) as Schema<ServiceOrderRequest>;

/** WeChat Pay echoes the offending value in `detail.value` when there is one. */
function given(root: unknown, field: string): { value?: unknown } {
  let value = root;
  for (const key of field.split('.')) {
    if (typeof value !== 'object' || value === null) return {};
    value = (value as Record<string, unknown>)[key];
  }
  return value === undefined || field === 'body' ? {} : { value };
}

/** The route decides the account kind; a provider acts only for its own sub-merchants. */
export function checkAccountMay(account: RegisteredAccount, kind: AccountKind, subMchid: string | undefined): void {
  if (account.config.kind !== kind) {
    throw noAuth(`${account.config.mchid} is ${account.config.kind === 'merchant' ? 'a direct merchant' : 'a service provider'}: use the ${account.config.kind} route`);
  }
  const allowed = account.config.subMchids;
  if (subMchid !== undefined && allowed && !allowed.includes(subMchid)) {
    throw noAuth(`sub_mchid ${subMchid} is not a sub-merchant of service provider ${account.config.mchid}`);
  }
}
