/** The middy chain of every HTTP function: the one place where a handler's errors become HTTP answers and log lines. */
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Log } from '../log';
import type { MappedError } from './error-responses';
import type { HttpResponse } from './response';
import type { ProxyEvent } from './event';

function errorMapping(log: Log, map: (error: unknown) => MappedError): MiddlewareObj<ProxyEvent, HttpResponse, Error, Context> {
  return {
    onError: async (request) => {
      const { response, severity } = map(request.error);
      log[severity]('request failed', {
        aws_request_id: request.context.awsRequestId,
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
export function httpHandler(base: (event: ProxyEvent, context: Context) => Promise<HttpResponse>, log: Log, map: (error: unknown) => MappedError) {
  return middy<ProxyEvent, HttpResponse, Error, Context>({ timeoutEarlyInMillis: 0 }).use(errorMapping(log, map)).handler(base);
}
