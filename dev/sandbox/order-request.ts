import { fieldErrors, merchantServiceOrderSchema, partnerServiceOrderSchema, type ServiceOrderRequest } from '../../lib/service-order/schema';
import type { AccountKind, RegisteredAccount } from './accounts';
import { noAuth, paramError } from './api-error';

/** Reads a create request body; `400 PARAM_ERROR` names the first bad field. */
export function parseOrderRequest(kind: AccountKind, body: Buffer): ServiceOrderRequest {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw paramError({ field: 'body', issue: 'is not valid JSON', location: 'body' });
  }
  const schema = kind === 'merchant' ? merchantServiceOrderSchema : partnerServiceOrderSchema;
  const [first] = fieldErrors(schema, value);
  if (first) throw paramError({ field: first.field, ...given(value, first.field), issue: first.message, location: 'body' });
  return value as ServiceOrderRequest;
}

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
export function checkAccountMayCreate(account: RegisteredAccount, kind: AccountKind, request: ServiceOrderRequest): void {
  if (account.config.kind !== kind) {
    throw noAuth(`${account.config.mchid} is ${account.config.kind === 'merchant' ? 'a direct merchant' : 'a service provider'}: use the ${account.config.kind} route`);
  }
  const allowed = account.config.subMchids;
  if ('sub_mchid' in request && allowed && !allowed.includes(request.sub_mchid)) {
    throw noAuth(`sub_mchid ${request.sub_mchid} is not a sub-merchant of service provider ${account.config.mchid}`);
  }
}
