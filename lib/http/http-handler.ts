/** The middy chain of every HTTP function: the one place where an invocation's log fields are set, and where a handler's errors become HTTP answers and log lines. */
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { invocationFields, lambdaTraceHeader, type Log } from '../log';
import type { MappedError } from './error-responses';
import type { HttpResponse } from './response';
import type { ProxyEvent } from './event';

type Middleware = MiddlewareObj<ProxyEvent, HttpResponse, Error, Context>;

/** Every line of the invocation carries its fields (lib/log.ts `invocationFields`); at DEBUG, what came in and what went out. */
function invocationLog(log: Log, traceHeader: () => string | undefined): Middleware {
  return {
    before: (request) => {
      log.setInvocation(invocationFields(request.context, request.event, traceHeader()));
      const event = request.event;
      log.debug('request received', { route: 'routeKey' in event ? event.routeKey : `${event.httpMethod} ${event.resource}`, body_length: event.body?.length ?? 0 });
    },
  };
}

function errorMapping(log: Log, map: (error: unknown) => MappedError): Middleware {
  return {
    onError: async (request) => {
      const { response, severity } = map(request.error);
      log[severity]('request failed', {
        status: response.statusCode,
        code: (request.error as { code?: unknown } | null)?.code ?? 'UNEXPECTED',
        error: request.error,
      });
      request.response = response;
    },
  };
}

/**
 * An HTTP handler behind `errorMapping`. middy's early timeout is off: it set a
 * timer and raced it on every invocation (a measurable share of a warm
 * notification, docs/performance.md), only to answer a mapped 5xx just before
 * Lambda's own timeout. Every call out
 * of these handlers has a timeout of its own, and a Lambda timeout is a non-2xx
 * all the same: WeChat Pay retries the notification, a create caller gets a 5xx.
 */
export function httpHandler(
  base: (event: ProxyEvent, context: Context) => Promise<HttpResponse>,
  log: Log,
  map: (error: unknown) => MappedError,
  traceHeader: () => string | undefined = lambdaTraceHeader,
) {
  return middy<ProxyEvent, HttpResponse, Error, Context>({ timeoutEarlyInMillis: 0 }).use(invocationLog(log, traceHeader)).use(errorMapping(log, map)).handler(base);
}
