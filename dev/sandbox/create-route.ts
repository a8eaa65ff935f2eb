import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountKind } from './accounts';
import { ApiError, systemError } from './api-error';
import { authenticate } from './authenticate';
import { isSignatureFault, otherOrderAnswer } from './faults';
import { readBody, sendJson } from './http';
import { requestId } from './ids';
import { orderResource } from './order';
import { checkAccountMayCreate, parseOrderRequest } from './order-request';
import type { SandboxCore } from './sandbox-core';
import { SERVICE_ORDER_PATHS } from '../../lib/service-order/wechatpay-paths';

export const CREATE_ROUTES: Readonly<Record<string, AccountKind>> = {
  [SERVICE_ORDER_PATHS.merchant]: 'merchant',
  [SERVICE_ORDER_PATHS.partner]: 'partner',
};

/**
 * Creates a sign-plan service order as WeChat Pay does. Checks in WeChat Pay's
 * order: signature (401), body and field rules (400 PARAM_ERROR), account rights
 * (403), sign-plan rules (400 INVALID_REQUEST). Every answer is signed.
 */
export async function handleCreate(core: SandboxCore, kind: AccountKind, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  const taken = core.faults.takeCreateFault();
  const fault = taken?.kind;
  const answer = fault === 'systemError' ? { status: 500, json: systemError().toJSON() } : create(core, kind, { method: request.method ?? 'POST', url: request.url ?? '/', headers: request.headers, body });
  core.options.log(`${request.method} ${request.url} → ${answer.status}${fault ? ` (fault ${fault})` : ''}`);
  // The order exists; only the answer is lost, as when a connection drops after WeChat Pay committed.
  if (fault === 'hang') return;
  const text = JSON.stringify(taken?.kind === 'otherOrder' && answer.status === 200 ? otherOrderAnswer(answer.json as Record<string, unknown>, taken.field) : answer.json);
  const signature = core.signing.headers(text, isSignatureFault(fault) ? fault : undefined);
  sendJson(response, answer.status, text, { 'Request-ID': requestId(), ...signature });
}

function create(core: SandboxCore, kind: AccountKind, received: Parameters<typeof authenticate>[0]): { status: number; json: unknown } {
  try {
    const account = authenticate(received, core.accounts, core.options.clock);
    const order = parseOrderRequest(kind, received.body);
    checkAccountMayCreate(account, kind, order);
    return { status: 200, json: orderResource(core.createOrder(account, order)) };
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, json: error.toJSON() };
    throw error;
  }
}
