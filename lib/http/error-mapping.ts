/** middy middleware: the one place where a handler's errors become HTTP answers and log lines. */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Log } from '../log';
import type { MappedError } from './error-responses';
import type { HttpResponse } from './response';
import type { ProxyEvent } from './event';

export function errorMapping(log: Log, map: (error: unknown) => MappedError): MiddlewareObj<ProxyEvent, HttpResponse, Error, Context> {
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
