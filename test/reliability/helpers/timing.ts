/** Times each invocation of a handler: the latency figures of the fault tests. */
import type { Context } from 'aws-lambda';
import type { ProxyEvent } from '../../../lib/http/event';
import type { HttpResponse } from '../../../lib/http/response';

export interface Timed {
  statusCode: number;
  ms: number;
}

type Handler = (event: ProxyEvent, context: Context) => Promise<HttpResponse>;

export function timed(handler: Handler, sink: Timed[]): Handler {
  return async (event, context) => {
    const started = performance.now();
    const response = await handler(event, context);
    sink.push({ statusCode: response.statusCode, ms: Math.round(performance.now() - started) });
    return response;
  };
}

export const maxMs = (timings: readonly Timed[]): number => Math.max(0, ...timings.map((timing) => timing.ms));

/** The corpora and outages run for many seconds, longer still when the whole suite shares 2 cores. */
export const LONG_RUNNING = { timeout: 180_000 };
