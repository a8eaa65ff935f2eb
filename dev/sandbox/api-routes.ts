import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import { SERVICE_ORDER_PATHS } from '../../lib/service-order/wechatpay-paths';
import type { AccountKind, RegisteredAccount } from './accounts';
import { ApiError, paramError, systemError } from './api-error';
import { authenticate, type ReceivedRequest } from './authenticate';
import { isSignatureFault, otherOrderAnswer } from './faults';
import { readBody, sendJson } from './http';
import { requestId } from './ids';
import type { Owner } from './lifecycle';
import { orderResource, subMchidOf, type SandboxOrder } from './order';
import { checkAccountMay, parseBody, serviceOrderSchema } from './request-checks';
import type { SandboxCore } from './sandbox-core';
import * as schemas from './schemas';
import { planResource } from './sign-plan';

type Answer = { status: 200; json: unknown } | { status: 204 };

interface Call {
  core: SandboxCore;
  account: RegisteredAccount;
  kind: AccountKind;
  /** Path parameters, checked as merchant numbers. */
  params: string[];
  query: URLSearchParams;
  body: Buffer;
}

/** One WeChat Pay endpoint: method, path (both account forms), and what it does once the caller is authenticated. */
interface ApiRoute {
  method: 'GET' | 'POST';
  merchant: string;
  partner: string;
  /** Names of the `{…}` path parameters, in order. */
  params?: string[];
  run: (call: Call) => Answer;
}

const ok = (json: unknown): Answer => ({ status: 200, json });

/** A query parameter, a merchant number; 400 PARAM_ERROR names it when missing (if required) or malformed. */
function queryValue(query: URLSearchParams, name: string, required = true): string | undefined {
  const value = query.get(name) ?? undefined;
  if (value === undefined) {
    if (required) throw paramError({ field: name, issue: 'is required', location: 'query' });
    return undefined;
  }
  const result = v.safeParse(schemas.pathNumber, value);
  if (!result.success) throw paramError({ field: name, value, issue: result.issues[0].message, location: 'query' });
  return value;
}

/** The partner forms name the sub-merchant: in the body of a POST, in `?sub_mchid=` of a GET. */
function owner(call: Call, subMchid: string | undefined): Owner {
  checkAccountMay(call.account, call.kind, subMchid);
  return { mchid: call.account.config.mchid, ...(subMchid !== undefined ? { subMchid } : {}) };
}

const querySubMchid = (call: Call) => (call.kind === 'partner' ? queryValue(call.query, 'sub_mchid') : undefined);

/** A body for the route's account kind. */
const body = <M, P>(call: Call, merchant: v.GenericSchema<unknown, M>, partner: v.GenericSchema<unknown, P>): M | P =>
  call.kind === 'merchant' ? parseBody(merchant, call.body) : parseBody(partner, call.body);

/** An empty body means `{}` (the direct plan stop has none). */
const bodyOrEmpty = (call: Call): Call => (call.body.toString('utf8').trim() === '' ? { ...call, body: Buffer.from('{}') } : call);

/** The service order a call names: by out_order_no (path or query), or by query_id. */
function orderOf(call: Call, who: Owner, outOrderNo: string | undefined, queryId?: string): SandboxOrder {
  const lifecycle = call.core.lifecycle;
  if (queryId === undefined) return lifecycle.order(who, outOrderNo!);
  const order = lifecycle.orderById(queryId);
  // Another merchant's order is as unknown as a missing one.
  lifecycle.order(who, order.request.out_trade_no);
  return order;
}

const PLANS = '/v3/payscore/plan/payscore-plans';
const PARTNER_PLANS = '/v3/payscore/plan/partner/payscore-plans';
const SIGN_PLANS = '/v3/payscore/sign-plan/user-sign-plans';
const PARTNER_SIGN_PLANS = '/v3/payscore/sign-plan/partner/user-sign-plans';
const ORDERS = '/v3/payscore/serviceorder';
const PARTNER_ORDERS = '/v3/payscore/partner/serviceorder';

/** Every WeChat Pay endpoint the sandbox serves (research "Endpoints"), direct-merchant and partner forms. */
export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'POST',
    merchant: PLANS,
    partner: PARTNER_PLANS,
    run: (call) => {
      const request = body(call, schemas.merchantPlanSchema, schemas.partnerPlanSchema) as schemas.PlanRequest;
      owner(call, request.sub_mchid);
      return ok(planResource(call.core.createPlan(call.account, request)));
    },
  },
  {
    method: 'GET',
    merchant: `${PLANS}/merchant-plan-no/{merchant_plan_no}`,
    partner: `${PARTNER_PLANS}/merchant-plan-no/{merchant_plan_no}`,
    params: ['merchant_plan_no'],
    run: (call) => ok(planResource(call.core.lifecycle.plan(owner(call, querySubMchid(call)), call.params[0]!))),
  },
  {
    method: 'POST',
    merchant: `${PLANS}/merchant-plan-no/{merchant_plan_no}/stop`,
    partner: `${PARTNER_PLANS}/merchant-plan-no/{merchant_plan_no}/stop`,
    params: ['merchant_plan_no'],
    run: (call) => {
      const request = body(bodyOrEmpty(call), schemas.merchantPlanStopSchema, schemas.partnerPlanStopSchema);
      const who = owner(call, subMchidOf(request));
      return ok(planResource(call.core.lifecycle.stopPlan(who, call.params[0]!, call.core.options.clock())));
    },
  },
  {
    method: 'POST',
    merchant: SIGN_PLANS,
    partner: PARTNER_SIGN_PLANS,
    run: (call) => {
      const request = body(call, schemas.merchantUserSignPlanSchema, schemas.partnerUserSignPlanSchema);
      owner(call, subMchidOf(request));
      const signPlan = call.core.createSignPlan(call.account, request);
      return ok({ sign_plan: call.core.signPlanView(signPlan), package: signPlan.package });
    },
  },
  {
    method: 'GET',
    merchant: `${SIGN_PLANS}/merchant-sign-plan-no/{merchant_sign_plan_no}`,
    partner: `${PARTNER_SIGN_PLANS}/merchant-sign-plan-no/{merchant_sign_plan_no}`,
    params: ['merchant_sign_plan_no'],
    run: (call) => ok(call.core.signPlanView(call.core.lifecycle.signPlan(owner(call, querySubMchid(call)), call.params[0]!))),
  },
  {
    method: 'POST',
    merchant: `${SIGN_PLANS}/merchant-sign-plan-no/{merchant_sign_plan_no}/stop`,
    partner: `${PARTNER_SIGN_PLANS}/merchant-sign-plan-no/{merchant_sign_plan_no}/stop`,
    params: ['merchant_sign_plan_no'],
    run: (call) => {
      const request = body(call, schemas.merchantSignPlanStopSchema, schemas.partnerSignPlanStopSchema);
      return ok(call.core.signPlanView(call.core.stopSignPlan(owner(call, subMchidOf(request)), call.params[0]!, request.stop_reason)));
    },
  },
  {
    method: 'POST',
    merchant: SERVICE_ORDER_PATHS.merchant,
    partner: SERVICE_ORDER_PATHS.partner,
    run: (call) => {
      const request = parseBody(serviceOrderSchema(call.kind), call.body);
      owner(call, subMchidOf(request));
      return ok(orderResource(call.core.createOrder(call.account, request)));
    },
  },
  {
    method: 'GET',
    merchant: ORDERS,
    partner: PARTNER_ORDERS,
    run: (call) => {
      queryValue(call.query, 'service_id');
      if (call.kind === 'merchant') queryValue(call.query, 'appid');
      const outOrderNo = queryValue(call.query, 'out_order_no', false);
      const queryId = queryValue(call.query, 'query_id', false);
      if ((outOrderNo === undefined) === (queryId === undefined)) throw paramError({ field: 'out_order_no', issue: 'exactly one of out_order_no and query_id is required', location: 'query' });
      const order = orderOf(call, owner(call, querySubMchid(call)), outOrderNo, queryId);
      for (const name of call.kind === 'merchant' ? ['service_id', 'appid'] : ['service_id']) {
        const value = call.query.get(name);
        if (value !== order.request[name as 'service_id' | 'appid']) throw paramError({ field: name, value, issue: `is not the order's ${name}`, location: 'query' });
      }
      return ok(orderResource(order));
    },
  },
  {
    method: 'POST',
    merchant: `${ORDERS}/{out_order_no}/complete`,
    partner: `${PARTNER_ORDERS}/{out_order_no}/complete`,
    params: ['out_order_no'],
    run: (call) => {
      const request = body(call, schemas.merchantCompleteSchema, schemas.partnerCompleteSchema);
      const order = orderOf(call, owner(call, subMchidOf(request)), call.params[0]);
      const completed = call.core.merchantComplete(order.orderId, request);
      // The partner complete answers 204 (the research file).
      return call.kind === 'partner' ? { status: 204 } : ok(orderResource(completed));
    },
  },
  {
    method: 'POST',
    merchant: `${ORDERS}/{out_order_no}/cancel`,
    partner: `${PARTNER_ORDERS}/{out_order_no}/cancel`,
    params: ['out_order_no'],
    run: (call) => {
      const request = body(call, schemas.merchantCancelSchema, schemas.partnerCancelSchema);
      const order = call.core.cancelOrder(orderOf(call, owner(call, subMchidOf(request)), call.params[0]).orderId, request);
      if (call.kind === 'partner') return { status: 204 };
      return ok({ appid: order.request.appid, mchid: order.mchid, out_order_no: order.request.out_trade_no, service_id: order.request.service_id, order_id: order.orderId });
    },
  },
];

interface Matched {
  route: ApiRoute;
  kind: AccountKind;
  params: string[];
}

const compiled = API_ROUTES.flatMap((route) =>
  (['merchant', 'partner'] as const).map((kind) => ({ route, kind, pattern: new RegExp(`^${route[kind].replace(/\{[a-z_]+\}/g, '([^/]+)')}$`) })),
);

/** The WeChat Pay route for a method and path, if any. */
export function matchApiRoute(method: string, pathname: string): Matched | undefined {
  for (const { route, kind, pattern } of compiled) {
    const match = route.method === method ? pattern.exec(pathname) : null;
    if (match) return { route, kind, params: match.slice(1).map(decodeURIComponent) };
  }
  return undefined;
}

/**
 * Answers a WeChat Pay endpoint as WeChat Pay does. Checks in WeChat Pay's order:
 * signature (401), body and field rules (400 PARAM_ERROR), account rights (403),
 * the product's rules (400 INVALID_REQUEST, 404 NOT_FOUND). Every answer is signed;
 * the next queued answer fault applies to whichever endpoint answers next.
 */
export async function handleApi(core: SandboxCore, matched: Matched, request: IncomingMessage, response: ServerResponse, query: URLSearchParams): Promise<void> {
  const body = await readBody(request);
  const taken = core.faults.takeCreateFault();
  const fault = taken?.kind;
  const received = { method: request.method ?? 'POST', url: request.url ?? '/', headers: request.headers, body };
  const answer = fault === 'systemError' ? { status: 500, json: systemError().toJSON() } : answerCall(core, matched, received, query);
  core.options.log(`${request.method} ${request.url} → ${answer.status}${fault ? ` (fault ${fault})` : ''}`);
  // The change is made; only the answer is lost, as when a connection drops after WeChat Pay committed.
  if (fault === 'hang') return;
  const json = taken?.kind === 'otherOrder' && answer.status === 200 ? otherOrderAnswer(answer.json as Record<string, unknown>, taken.field) : answer.json;
  const text = json === undefined ? '' : JSON.stringify(json);
  const signature = core.signing.headers(text, isSignatureFault(fault) ? fault : undefined);
  if (answer.status === 204) {
    response.writeHead(204, { 'Request-ID': requestId(), ...signature }).end();
    return;
  }
  sendJson(response, answer.status, text, { 'Request-ID': requestId(), ...signature });
}

function answerCall(core: SandboxCore, matched: Matched, received: ReceivedRequest, query: URLSearchParams): { status: number; json?: unknown } {
  try {
    const account = authenticate(received, core.accounts, core.options.clock);
    (matched.route.params ?? []).forEach((name, index) => {
      const value = matched.params[index]!;
      const result = v.safeParse(schemas.pathNumber, value);
      if (!result.success) throw paramError({ field: name, value, issue: result.issues[0].message, location: 'path' });
    });
    return matched.route.run({ core, account, kind: matched.kind, params: matched.params, query, body: received.body });
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, json: error.toJSON() };
    throw error;
  }
}
