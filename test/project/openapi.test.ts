/**
 * openapi.json cannot drift: it is what `npm run openapi` writes now, its paths are serverless.yml's
 * routes, and a request the document (ajv, JSON Schema 2020-12) calls valid is one the function
 * (its handler, validating with the same valibot schema) takes, and the same for invalid ones:
 * the seeds' and README's examples, every field of them removed, mistyped, too long or badly
 * formed, unknown fields, path and query parameters, and fast-check's bodies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { parse } from 'yaml';
import { ACCOUNT_KINDS, IAM_OPERATIONS, openApiDocument, openApiText, pathParameters } from '../../dev/openapi/document';
import { jsonSchemaOf } from '../../dev/openapi/json-schema';
import { PARTNER_SEED, readmeCreateBody, requestExamples, type RequestExample } from '../../dev/openapi/examples';
import { operationsHandler } from '../../lib/handlers/operations';
import { apiErrorResponse, notifyErrorResponse } from '../../lib/http/error-responses';
import { AnswerMismatchError, ConflictError, LedgerUnavailableError, NotFoundError, PayloadTooLargeError, RequestValidationError } from '../../lib/errors';
import type { AccountKind, Operation } from '../../lib/operations/operation';
import { characters } from '../../lib/service-order/schema';
import { DecryptionError, MalformedNotificationError, MissingHeaderError, WechatPayApiError, WechatPayTimeoutError, WechatPayUnavailableError } from '../../lib/wechatpay';
import { lambdaContext } from '../helpers/events';
import { recordingLog } from '../helpers/logs';
import { SEED_MERCHANT_ORDER } from '../helpers/orders';
import { recordingMetrics } from '../helpers/metrics';

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Json;
}
interface DocumentOperation {
  security: Json[];
  parameters: Parameter[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: { $ref: string } } } };
  responses: Record<string, Json>;
}

const root = new URL('../../', import.meta.url);
const committed = readFileSync(new URL('openapi.json', root), 'utf8');
const document = JSON.parse(committed) as {
  paths: Record<string, Record<string, DocumentOperation>>;
  components: { schemas: Record<string, Json>; responses: Record<string, { content: { 'application/json': { schema: Json; example: unknown } } }> };
  info: { description: string };
};
// strictRequired off: the partner identity's `oneOf` names properties its object defines, as JSON Schema allows.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
// OpenAPI's own keyword for schemas: not JSON Schema's, and nothing to validate.
ajv.addKeyword('example');
const compiled = new Map<unknown, ValidateFunction>();
/** A schema of the document, its `$ref`s (to components) resolved. */
const validator = (schema: Json): ValidateFunction => {
  const resolved = typeof schema.$ref === 'string' ? document.components.schemas[schema.$ref.split('/').pop()!]! : schema;
  if (!compiled.has(resolved)) compiled.set(resolved, ajv.compile(resolved));
  return compiled.get(resolved)!;
};
const componentValidator = (name: string) => validator({ $ref: `#/components/schemas/${name}` });

interface Request {
  path: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

const operationOf = (kind: AccountKind, operation: Operation) => document.paths[`/${kind}${operation.route}`]![operation.method.toLowerCase()]!;

/** What the document says of a request: its parameters, its query names, its body. */
function documentSays(kind: AccountKind, operation: Operation, request: Request): boolean {
  const described = operationOf(kind, operation);
  const valid = (schema: Json, value: unknown) => validator(schema)(value);
  for (const parameter of described.parameters) {
    const value = parameter.in === 'path' ? request.path[parameter.name] : request.query[parameter.name];
    if (value === undefined ? parameter.required : !valid(parameter.schema, value)) return false;
  }
  const known = new Set(described.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name));
  if (Object.keys(request.query).some((name) => !known.has(name))) return false;
  if (request.body === undefined) return !described.requestBody?.required;
  return described.requestBody !== undefined && valid(described.requestBody.content['application/json'].schema, JSON.parse(JSON.stringify(request.body)));
}

/** What the function says: its handler with a secret that cannot be read, so that a valid request ends there (500) and an invalid one is a 400. */
async function functionSays(kind: AccountKind, operation: Operation, request: Request): Promise<boolean> {
  let reachedSecret = false;
  const handler = operationsHandler(kind, [operation], recordingLog(), () => ({
    secrets: {
      get: async () => {
        reachedSecret = true;
        throw new Error('the request was valid: the function went on to its secret');
      },
      forceRefresh: async () => Promise.reject(new Error('not reached')),
    },
    ledger: {} as never,
    transport: () => Promise.reject(new Error('not reached')),
    baseUrl: 'https://wechatpay.invalid',
    notifyUrl: `https://merchant.example/${kind}/notify`,
  }), recordingMetrics());
  const path = `/${kind}${operation.route.replace(/\{([a-z_]+)\}/g, (_all, name: string) => encodeURIComponent(request.path[name] ?? ''))}`;
  const event = {
    version: '2.0',
    routeKey: `${operation.method} /${kind}${operation.route}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(request.query).toString(),
    queryStringParameters: Object.keys(request.query).length ? request.query : undefined,
    headers: {},
    requestContext: { http: { method: operation.method, path }, requestId: 'api-request-1' },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const answer = await handler(event, lambdaContext());
  expect([400, 500], answer.body).toContain(answer.statusCode);
  expect(reachedSecret).toBe(answer.statusCode === 500);
  return answer.statusCode === 500;
}

const examples = requestExamples();
const ROUTES = ACCOUNT_KINDS.flatMap((kind) => IAM_OPERATIONS.map((operation) => ({ kind, operation, example: examples[kind][operation.name]! })));
const requestOf = (example: RequestExample): Request => ({ path: { ...example.path }, query: { ...example.query }, body: example.body });

// ── mutations of a valid request ──

type Mutation = { what: string; request: Request };

const LENGTHS = [0, 1, 19, 20, 21, 29, 30, 31, 32, 33, 49, 50, 51, 127, 128, 129, 255, 256, 257];
/** `value` made `length` code points long: cut, or padded with `pad`. */
const fit = (value: string, length: number, pad: string) => ([...value].length >= length ? [...value].slice(0, length).join('') : value + pad.repeat(length - [...value].length));
const otherType = (value: unknown): unknown[] => {
  if (typeof value === 'string') return [1, null, [value], { value }];
  if (typeof value === 'number') return [String(value), true, null];
  if (typeof value === 'boolean') return ['true', 0];
  if (Array.isArray(value)) return [{}, value[0], 'x'];
  return [[value], 'x', null];
};

/** Every value of `value` replaced by each variant of it, at any depth: the bodies that differ from a valid one in one place. */
function variants(value: unknown, at: string, set: (replacement: unknown) => unknown): { what: string; body: unknown }[] {
  const out: { what: string; body: unknown }[] = otherType(value).map((other) => ({ what: `${at}: ${JSON.stringify(other)}`, body: set(other) }));
  if (typeof value === 'string') {
    for (const length of LENGTHS) for (const pad of ['a', '课']) out.push({ what: `${at}: ${length} × ${pad}`, body: set(fit(value, length, pad)) });
    // A URL's grammar is the WHATWG parser's, in prose in the document (below, "says in prose").
    if (!at.endsWith('.notify_url')) for (const bad of ['!', ' ', '|', '*', '/', '.']) out.push({ what: `${at} + ${JSON.stringify(bad)}`, body: set(value + bad) });
  } else if (typeof value === 'number') {
    for (const other of [-1, 0, 1, 1.5, 101, 2 ** 40]) out.push({ what: `${at}: ${other}`, body: set(other) });
  } else if (Array.isArray(value)) {
    out.push({ what: `${at}: empty`, body: set([]) }, { what: `${at}: 101 items`, body: set(Array.from({ length: 101 }, () => value[0])) });
    out.push(...variants(value[0], `${at}.0`, (replacement) => set([replacement, ...value.slice(1)])));
  } else if (value !== null && typeof value === 'object') {
    const object = value as Json;
    out.push({ what: `${at}.coupon`, body: set({ ...object, coupon: 'SPRING' }) }, { what: `${at}.__proto__`, body: set({ ...object, ...JSON.parse('{"__proto__":{"x":1}}') }) });
    for (const key of Object.keys(object)) {
      const { [key]: _removed, ...rest } = object;
      out.push({ what: `${at}.${key} removed`, body: set(rest) });
      out.push(...variants(object[key], `${at}.${key}`, (replacement) => set({ ...object, [key]: replacement })));
    }
  }
  return out;
}

function mutations(kind: AccountKind, operation: Operation, example: RequestExample): Mutation[] {
  const valid = requestOf(example);
  const out: Mutation[] = [];
  const withBody = (body: unknown): Request => {
    // The document cannot say that a partner's sub_mchid must be in the body or the query: when a body lacks it, the query has it.
    const lacks = kind === 'partner' && (body === null || typeof body !== 'object' || Array.isArray(body) || !('sub_mchid' in body));
    return { ...valid, query: lacks && valid.query.sub_mchid === undefined ? { ...valid.query, sub_mchid: PARTNER_SEED.sub_mchid } : valid.query, body };
  };
  if (operation.method === 'POST') {
    for (const { what, body } of variants(valid.body ?? {}, 'body', (replacement) => replacement)) out.push({ what, request: withBody(body) });
    out.push({ what: 'no body', request: withBody(undefined) });
  }
  for (const name of pathParameters(operation.route)) {
    const value = valid.path[name]!;
    for (const other of [fit(value, 32, 'a'), fit(value, 33, 'a'), `${value}!`, `${value} x`, `${value}|`, `${value}*`, '课']) out.push({ what: `path ${name}: ${other}`, request: { ...valid, path: { ...valid.path, [name]: other } } });
    if (operation.method === 'POST') out.push({ what: `path ${name} in the body too`, request: withBody({ ...(valid.body as Json | undefined), [name]: value }) });
  }
  out.push({ what: 'an unknown query parameter', request: { ...valid, query: { ...valid.query, page: '2' } } });
  if (kind === 'merchant') out.push({ what: 'a merchant with ?sub_mchid=', request: { ...valid, query: { sub_mchid: PARTNER_SEED.sub_mchid } } });
  else {
    const { sub_mchid: _subMchid, ...rest } = (valid.body ?? {}) as Json;
    out.push({ what: '?sub_mchid= instead of the body', request: { ...valid, query: { sub_mchid: PARTNER_SEED.sub_mchid }, body: operation.method === 'POST' ? rest : undefined } });
    out.push({ what: 'a bad ?sub_mchid=', request: { ...valid, query: { sub_mchid: '19000001O9' } } });
    out.push({ what: '?sub_mchid= too long', request: { ...valid, query: { sub_mchid: '1'.repeat(33) } } });
  }
  return out;
}

describe('openapi.json', () => {
  it('is what `npm run openapi` writes now (run it after changing a route, a schema or an example)', () => {
    expect(committed).toBe(openApiText());
  });

  it("has exactly serverless.yml's httpApi routes, IAM ones under SigV4 and the notify routes public", () => {
    const serverless = parse(readFileSync(new URL('serverless.yml', root), 'utf8')) as { functions: Record<string, { events?: { httpApi?: { method: string; path: string; authorizer?: { type: string } } }[] }> };
    const routes = Object.values(serverless.functions).flatMap((fn) => (fn.events ?? []).flatMap((event) => (event.httpApi ? [[`${event.httpApi.method} ${event.httpApi.path}`, event.httpApi.authorizer?.type ?? 'none']] : [])));
    const described = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, JSON.stringify(operation.security) === '[{"sigv4":[]}]' ? 'aws_iam' : JSON.stringify(operation.security) === '[]' ? 'none' : 'other']),
    );
    expect(Object.fromEntries(described)).toEqual(Object.fromEntries(routes));
    expect(described).toHaveLength(routes.length);
    expect(openApiDocument().components).toMatchObject({ securitySchemes: { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } } });
  });

  it("takes the service-order create's examples from the README (the merchant seed's json) and the partner seed", () => {
    expect(readmeCreateBody()).toEqual(SEED_MERCHANT_ORDER);
    const partnerSeed = readFileSync(new URL('docs/wechatpay/seeds/partner-create-service-order.txt', root), 'utf8');
    for (const [field, value] of Object.entries(PARTNER_SEED)) expect(partnerSeed).toMatch(new RegExp(`'${field}'\\s*=> '${value}'`));
    const described = operationOf('merchant', IAM_OPERATIONS[0]!).requestBody!.content['application/json'] as unknown as { examples: { example: { value: unknown } } };
    expect(described.examples.example.value).toEqual(SEED_MERCHANT_ORDER);
  });

  describe.each(ROUTES.map((route) => [`${route.operation.method} /${route.kind}${route.operation.route}`, route] as const))('%s', (_name, { kind, operation, example }) => {
    it('takes its example, by the document and by the function', async () => {
      expect(documentSays(kind, operation, requestOf(example))).toBe(true);
      expect(await functionSays(kind, operation, requestOf(example))).toBe(true);
    });

    it('judges every field removed, mistyped, too long, badly formed or unknown, and the path and the query, as the function does', async () => {
      const cases = mutations(kind, operation, example);
      const disagreements: string[] = [];
      let refused = 0;
      for (const { what, request } of cases) {
        const said = await functionSays(kind, operation, request);
        if (!said) refused += 1;
        if (documentSays(kind, operation, request) !== said) disagreements.push(`${what}: the function says ${said ? 'valid' : 'invalid'}`);
      }
      expect(disagreements).toEqual([]);
      // The mutations are mostly refusals: the comparison is not of two lenient judges.
      expect(refused).toBeGreaterThan(cases.length / 2);
    });

    it("judges fast-check's requests as the function does: bodies, path parameters and query", async () => {
      const body = (example.body ?? {}) as Json;
      const keys = [...Object.keys(body), 'sub_mchid', 'coupon'].filter((key, index, all) => all.indexOf(key) === index && !(kind === 'partner' && key === 'sub_mchid'));
      const value = fc.oneof(fc.jsonValue({ maxDepth: 2, stringUnit: 'grapheme-ascii' }), fc.stringMatching(/^[0-9A-Za-z_*|-]{0,34}$/), fc.integer({ min: -2, max: 200 }));
      // A path segment: no `/` (another route), never empty.
      const segment = fc.oneof(fc.stringMatching(/^[0-9A-Za-z_*|!. -]{1,34}$/), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 34 })).filter((text) => !text.includes('/'));
      const parameters = Object.fromEntries(pathParameters(operation.route).map((name) => [name, fc.option(segment, { nil: undefined })]));
      const query = fc.option(fc.dictionary(fc.constantFrom('sub_mchid', 'page'), fc.oneof(fc.stringMatching(/^[0-9]{0,33}$/), segment), { maxKeys: 2 }), { nil: undefined });
      const changes = operation.method === 'POST' ? fc.dictionary(fc.constantFrom(...keys), fc.option(value, { nil: undefined }), { maxKeys: 3 }) : fc.constant({});
      await fc.assert(
        fc.asyncProperty(changes, fc.record(parameters), query, async (bodyChanges, pathChanges, queryInstead) => {
          const request = requestOf(example);
          if (operation.method === 'POST') {
            const changed: Json = { ...body };
            for (const [key, replacement] of Object.entries(bodyChanges)) {
              if (replacement === undefined) delete changed[key];
              else changed[key] = replacement;
            }
            request.body = changed;
          }
          for (const [name, replacement] of Object.entries(pathChanges)) if (replacement !== undefined) request.path[name] = replacement;
          if (queryInstead) request.query = queryInstead;
          // A partner's POST names its sub-merchant in one place: the document cannot say "in one of the two, the same if in both".
          if (kind === 'partner' && operation.method === 'POST') {
            if (request.query.sub_mchid !== undefined) delete (request.body as Json).sub_mchid;
            else if (!('sub_mchid' in (request.body as Json))) request.query = { ...request.query, sub_mchid: PARTNER_SEED.sub_mchid };
          }
          expect(documentSays(kind, operation, request)).toBe(await functionSays(kind, operation, request));
        }),
        { numRuns: 100 },
      );
    });
  });

  it('says in prose what JSON Schema cannot, and those are the only requests it judges otherwise than the function', async () => {
    const [merchantCreate, partnerCreate] = [examples.merchant['service-order.create']!, examples.partner['service-order.create']!];
    const create = IAM_OPERATIONS[0]!;
    const body = (example: RequestExample, change: Json): Request => ({ ...requestOf(example), body: { ...example.body, ...change } });
    const { sub_mchid: _subMchid, ...withoutSubMchid } = partnerCreate.body!;
    const differences: [string, AccountKind, Request, string][] = [
      ['a day past the end of its month', 'merchant', body(merchantCreate, { time_range: { start_time: '20230230101010' } }), 'a day past the end of its month'],
      ['sub_mchid in neither the body nor the query', 'partner', { path: {}, query: {}, body: withoutSubMchid }, 'in the body or as `?sub_mchid=`'],
      ['sub_mchid differing between the body and the query', 'partner', { ...body(partnerCreate, {}), query: { sub_mchid: '1900000110' } }, 'the same value if in both'],
      ['an identifier outside the Basic Multilingual Plane, counted twice by the function', 'merchant', body(merchantCreate, { appid: '𠀀'.repeat(17) }), 'outside the Basic Multilingual Plane'],
      ['an https URL the WHATWG parser refuses', 'merchant', body(merchantCreate, { notify_url: 'https://a b' }), 'as the WHATWG URL parser reads it'],
    ];
    for (const [what, kind, request, prose] of differences) {
      expect(documentSays(kind, create, request), what).toBe(true);
      expect(await functionSays(kind, create, request), what).toBe(false);
      expect(committed, what).toContain(prose);
    }
    // Where the rule holds as a schema, both agree: characters (code points) at the limit.
    expect(documentSays('merchant', create, body(merchantCreate, { service_introduction: '𠀀'.repeat(20) }))).toBe(true);
    expect(await functionSays('merchant', create, body(merchantCreate, { service_introduction: '𠀀'.repeat(20) }))).toBe(true);
  });

  it("states the partner identity rule as a schema: exactly one of openid and sub_openid, sub_openid with sub_appid", async () => {
    const example = examples.partner['service-order.create']!;
    const { sub_appid: _subAppid, ...withoutSubAppid } = example.body!;
    const { sub_openid: _subOpenid, ...neither } = example.body!;
    const cases: [Json, boolean][] = [
      [example.body!, true],
      [{ ...example.body, openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }, false],
      [neither, false],
      [{ ...neither, openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }, true],
      [withoutSubAppid, false],
    ];
    for (const [candidate, valid] of cases) {
      const request = { path: {}, query: {}, body: candidate };
      expect(documentSays('partner', IAM_OPERATIONS[0]!, request)).toBe(valid);
      expect(await functionSays('partner', IAM_OPERATIONS[0]!, request)).toBe(valid);
    }
  });

  it('refuses a check it does not state in JSON Schema, rather than describe it as no rule at all', () => {
    expect(() => jsonSchemaOf(v.pipe(v.string(), v.check((value) => value !== 'x', 'must not be x')))).toThrow(
      "a check ('must not be x') that dev/openapi/json-schema.ts does not state in JSON Schema",
    );
    expect(() => jsonSchemaOf(v.pipe(v.string(), v.rawCheck(() => undefined)))).toThrow('a raw_check action that dev/openapi/json-schema.ts does not state in JSON Schema');
    expect(jsonSchemaOf(characters(2, 5))).toEqual({ type: 'string', minLength: 2, maxLength: 5 });
  });

  it("describes every error body the error table answers, under the status it answers", () => {
    const apiErrors: [unknown, string][] = [
      [new RequestValidationError([{ field: 'time_range.start_time', message: 'must be a time formatted yyyyMMddHHmmss' }]), 'InvalidRequest'],
      [new NotFoundError('the ledger holds no such plan'), 'NotFound'],
      [new ConflictError('IDEMPOTENCY_CONFLICT', 'repeat the first request'), 'IdempotencyConflict'],
      [new ConflictError('SIGN_PLAN_ORDER_OPEN', 'another order is in service'), 'ServiceOrderCreateConflict'],
      [new PayloadTooLargeError(32 * 1024), 'PayloadTooLarge'],
      [new WechatPayApiError(400, { code: 'INVALID_REQUEST', message: '单据正在扣款中', detail: { field: '/out_order_no' } }, 'request-1'), 'WechatpayError'],
      [new WechatPayApiError(429, { code: 'FREQUENCY_LIMITED', message: '频率超限' }, undefined), 'WechatpayError'],
      [new WechatPayUnavailableError('unreachable'), 'BadGateway'],
      [new AnswerMismatchError(['out_order_no'], undefined), 'BadGateway'],
      [new LedgerUnavailableError(undefined), 'LedgerUnavailable'],
      [new WechatPayTimeoutError('late'), 'GatewayTimeout'],
      [new Error('anything'), 'InternalError'],
    ];
    for (const [thrown, name] of apiErrors) {
      const { response } = apiErrorResponse(thrown);
      const schema = componentValidator(name);
      expect(schema(JSON.parse(response.body)), `${name}: ${JSON.stringify(schema.errors)}`).toBe(true);
      // Every other error body is refused by this one's schema (they are told apart by their code).
      const others = apiErrors.filter(([, other]) => other !== name && other !== 'WechatpayError' && name !== 'WechatpayError' && !(other.endsWith('Conflict') && name.endsWith('Conflict')));
      for (const [other] of others) expect(schema(JSON.parse(apiErrorResponse(other).response.body)), `${name} takes ${String(other)}`).toBe(false);
    }
    for (const thrown of [new MissingHeaderError('Wechatpay-Signature'), new MalformedNotificationError('resource', 'is missing'), new DecryptionError('tag'), new PayloadTooLargeError(128 * 1024), new Error('ledger')]) {
      const { response } = notifyErrorResponse(thrown);
      expect(componentValidator('NotifyFailure')(JSON.parse(response.body))).toBe(true);
      expect(document.paths['/merchant/notify']!.post!.responses[response.statusCode], String(response.statusCode)).toBeDefined();
    }
    // Each shared error answer's example is a body of its schema.
    for (const [name, answer] of Object.entries(document.components.responses)) {
      const { schema, example } = answer.content['application/json'];
      expect(validator(schema.anyOf ? { anyOf: (schema.anyOf as Json[]).map((one) => document.components.schemas[String(one.$ref).split('/').pop()!]) } : schema)(example), name).toBe(true);
    }
  });

  it('lists every 409 code the functions raise', () => {
    const lib = new URL('lib/', root);
    const sources = readdirSync(lib, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(new URL(file, lib), 'utf8'))
      .join('\n');
    const raised = new Set([...sources.matchAll(/new ConflictError\('([A-Z_]+)'/g)].map((found) => found[1]));
    const listed = new Set(Object.entries(document.components.schemas).filter(([name]) => name.endsWith('Conflict')).flatMap(([, schema]) => (schema as { properties: { code: { enum: string[] } } }).properties.code.enum));
    expect([...raised].sort()).toEqual([...listed].sort());
  });
});
