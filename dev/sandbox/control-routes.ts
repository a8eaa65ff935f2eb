import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import { validate } from '../../lib/service-order/schema';
import { ApiError, notFound, paramError } from './api-error';
import { faultSchema } from './faults';
import { readJson, sendJson } from './http';
import { certificateInfo, type SandboxCore } from './sandbox-core';
import { planResource } from './sign-plan';

const deliverySchema = v.strictObject({
  copies: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
  concurrent: v.optional(v.boolean()),
  probe: v.optional(v.boolean()),
});

const notifySchema = v.strictObject({ delivery: v.optional(deliverySchema) });

const seedSchema = v.strictObject({
  mchid: v.pipe(v.string(), v.minLength(1)),
  sub_mchid: v.optional(v.pipe(v.string(), v.minLength(1))),
  sign_plan_id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(32))),
  merchant_plan_detail_nos: v.optional(v.pipe(v.array(v.pipe(v.string(), v.regex(/^[0-9A-Za-z_\-*]{1,32}$/, 'must be 1 to 32 digits, letters or _-*'))), v.minLength(1), v.maxLength(100))),
  price: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  notify_url: v.optional(v.pipe(v.string(), v.url())),
});

const userCancelSchema = v.strictObject({
  reason: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(50))),
  type: v.optional(v.picklist(['USER', 'REVOKE_SERVICE'])),
  delivery: v.optional(deliverySchema),
});

const lateSchema = v.strictObject({ after_ms: v.pipe(v.number(), v.integer(), v.minValue(0)) });

const forwardSchema = v.strictObject({ url: v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//i, 'must be an http or https URL')) });

const notificationContent = {
  eventType: v.optional(v.pipe(v.string(), v.minLength(1))),
  summary: v.optional(v.string()),
  fields: v.optional(v.record(v.string(), v.unknown())),
  plaintext: v.optional(v.string()),
};

const notificationContentSchema = v.strictObject(notificationContent);

const notificationSchema = v.strictObject({ ...notificationContent, delivery: v.optional(deliverySchema) });

type Handler = (core: SandboxCore, request: IncomingMessage, params: string[], query: URLSearchParams) => Promise<unknown>;

/** The sandbox-only routes: inspect and drive the sandbox over HTTP, as the handle does in-process. */
const ROUTES: { method: string; path: RegExp; handler: Handler }[] = [
  { method: 'GET', path: /^\/sandbox\/plans$/, handler: async (core) => core.lifecycle.plans().map(planResource) },
  { method: 'GET', path: /^\/sandbox\/sign-plans$/, handler: async (core) => core.lifecycle.signPlans().map((signPlan) => core.signPlanView(signPlan)) },
  { method: 'POST', path: /^\/sandbox\/sign-plans$/, handler: async (core, request) => core.seedSignPlan(await body(request, seedSchema)) },
  { method: 'GET', path: /^\/sandbox\/sign-plans\/([^/]+)$/, handler: async (core, _request, [id]) => core.signPlanView(core.lifecycle.signPlanById(id!)) },
  {
    method: 'POST',
    path: /^\/sandbox\/sign-plans\/([^/]+)\/sign$/,
    handler: async (core, request, [id]) => core.signSignPlan(id!, (await body(request, notifySchema)).delivery),
  },
  { method: 'POST', path: /^\/sandbox\/sign-plans\/([^/]+)\/cancel$/, handler: async (core, request, [id]) => core.userCancelSignPlan(id!, await body(request, userCancelSchema)) },
  { method: 'GET', path: /^\/sandbox\/orders$/, handler: async (core) => core.lifecycle.orders() },
  { method: 'GET', path: /^\/sandbox\/orders\/([^/]+)$/, handler: async (core, _request, [orderId]) => core.lifecycle.orderById(orderId!) },
  {
    method: 'POST',
    path: /^\/sandbox\/orders\/([^/]+)\/complete$/,
    handler: async (core, request, [orderId]) => core.completeOrder(orderId!, (await body(request, notifySchema)).delivery),
  },
  { method: 'POST', path: /^\/sandbox\/orders\/([^/]+)\/deduct$/, handler: async (core, _request, [orderId]) => core.deductNow(orderId!) },
  { method: 'POST', path: /^\/sandbox\/orders\/([^/]+)\/deduct-late$/, handler: async (core, request, [orderId]) => core.deductLate(orderId!, (await body(request, lateSchema)).after_ms) },
  { method: 'POST', path: /^\/sandbox\/orders\/([^/]+)\/stay-paying$/, handler: async (core, _request, [orderId]) => core.stayPaying(orderId!) },
  {
    method: 'POST',
    path: /^\/sandbox\/orders\/([^/]+)\/confirm$/,
    handler: async (core, request, [orderId]) => core.confirmOrder(orderId!, (await body(request, notifySchema)).delivery),
  },
  {
    method: 'POST',
    path: /^\/sandbox\/orders\/([^/]+)\/notifications$/,
    handler: async (core, request, [orderId]) => core.sendNotification(orderId!, await body(request, notificationSchema)),
  },
  { method: 'POST', path: /^\/sandbox\/orders\/([^/]+)\/probe$/, handler: async (core, _request, [orderId]) => core.sendProbe(orderId!) },
  {
    method: 'POST',
    path: /^\/sandbox\/notifications\/([^/]+)\/replay$/,
    handler: async (core, request, [notificationId]) => core.replayNotification(notificationId!, (await body(request, notifySchema)).delivery),
  },
  {
    method: 'POST',
    path: /^\/sandbox\/orders\/([^/]+)\/notifications\/build$/,
    handler: async (core, request, [orderId]) => core.buildNotification(orderId!, await body(request, notificationContentSchema)),
  },
  {
    method: 'GET',
    path: /^\/sandbox\/deliveries$/,
    handler: async (core, _request, _params, query) => {
      const notificationId = query.get('notification_id') ?? undefined;
      if (notificationId === undefined) return core.deliveries.list();
      const replay = replayQuery(query.get('replay'));
      return query.get('wait') === 'true' ? core.waitForDelivery(notificationId, replay) : core.deliveries.listSent(notificationId, replay);
    },
  },
  { method: 'GET', path: /^\/sandbox\/forward$/, handler: async (core) => core.deliveries.forwarding() },
  { method: 'PUT', path: /^\/sandbox\/forward$/, handler: async (core, request) => core.deliveries.forward((await body(request, forwardSchema)).url) },
  { method: 'DELETE', path: /^\/sandbox\/forward$/, handler: async (core) => core.deliveries.forward(null) },
  { method: 'GET', path: /^\/sandbox\/certificates$/, handler: async (core) => core.certificates.list().map(certificateInfo) },
  { method: 'POST', path: /^\/sandbox\/certificates\/rotate$/, handler: async (core) => core.rotateCertificate() },
  { method: 'GET', path: /^\/sandbox\/faults$/, handler: async (core) => core.faults.pending() },
  { method: 'POST', path: /^\/sandbox\/faults$/, handler: async (core, request) => core.faults.add(await body(request, faultSchema)) },
  {
    method: 'DELETE',
    path: /^\/sandbox\/faults$/,
    handler: async (core) => {
      core.faults.clear();
      return core.faults.pending();
    },
  },
];

/** Answers a `/sandbox/…` request; errors have WeChat Pay's shape but, unlike WeChat Pay's API, nothing here is signed. */
export async function handleControl(core: SandboxCore, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const route = ROUTES.find(({ method, path }) => method === request.method && path.test(url.pathname));
  try {
    if (!route) throw notFound(`no sandbox route ${request.method} ${url.pathname}`);
    const params = route.path.exec(url.pathname)!.slice(1).map(decodeURIComponent);
    sendJson(response, 200, JSON.stringify(await route.handler(core, request, params, url.searchParams)));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    sendJson(response, error.status, JSON.stringify(error));
  }
}

/** `replay=n`: one send of the notification, 0 the first, n the nth replay. */
function replayQuery(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d{1,6}$/.test(value)) throw paramError({ field: 'replay', value, issue: 'must be 0 (the first send) or the number of a replay', location: 'query' });
  return Number(value);
}

/** A JSON body checked against `schema`; `400 PARAM_ERROR` names the first bad field. */
async function body<T extends v.GenericSchema>(request: IncomingMessage, schema: T): Promise<v.InferOutput<T>> {
  let value: unknown;
  try {
    value = await readJson(request);
  } catch {
    throw paramError({ field: 'body', issue: 'is not valid JSON' });
  }
  const result = validate<v.InferOutput<T>>(schema, value);
  if (!result.valid) {
    const [first] = result.errors;
    throw paramError({ field: first!.field, issue: first!.message });
  }
  return result.value;
}
