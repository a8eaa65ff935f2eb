/**
 * An HTTP proxy in front of the local DynamoDB that can pass requests through, fail them,
 * swallow them or slow them down: tests of "the ledger is down or slow".
 */
import { Agent, createServer, request as forwardRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsError, sendAwsError } from './aws-json';
import { closeServer, listen, readBody } from './http-server';

/**
 * What the proxy does with a request, decided when it arrives:
 * - `pass`: forward it to the target;
 * - `fail`: answer 500 InternalServerError, as DynamoDB does, without forwarding;
 * - `hang`: neither answer nor forward, until the proxy closes;
 * - `delay`: forward it after `delayMs`, even if the client gave up meanwhile: on AWS too, a
 *   write may land after the client timed out.
 */
export type FaultProxyMode = 'pass' | 'fail' | 'hang' | 'delay';

export interface FaultProxyOptions {
  /** Base URL of the service behind the proxy. */
  target: string;
  port?: number;
  host?: string;
}

export interface FaultProxy {
  url: string;
  readonly mode: FaultProxyMode;
  /** Applies to requests arriving from now on. `delayMs` (default 1000, then the last given) is used by `delay`. */
  set(mode: FaultProxyMode, options?: { delayMs?: number }): void;
  /** Stops the proxy; hanging and delayed requests are cut off. */
  close(): Promise<void>;
}

const INTERNAL_SERVER_ERROR = new AwsError('com.amazonaws.dynamodb.v20120810#InternalServerError', 'Injected fault: internal server error', 500);

export async function startFaultProxy({ target, port = 0, host = '127.0.0.1' }: FaultProxyOptions): Promise<FaultProxy> {
  let mode: FaultProxyMode = 'pass';
  let delayMs = 1000;
  const agent = new Agent({ keepAlive: true });
  const closing = new AbortController();

  // The body is read in full first, so that a request whose client has gone can still be forwarded.
  const forward = (request: IncomingMessage, body: Buffer, response: ServerResponse): void => {
    const upstream = forwardRequest(new URL(request.url ?? '/', target), { method: request.method, headers: request.headers, agent }, (answer) => {
      if (response.destroyed) return void answer.resume();
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    // The target being unreachable looks to the client like a dropped connection, as it would on a network.
    upstream.on('error', () => response.destroy());
    upstream.end(body);
  };

  const server = createServer((request, response) => {
    const arrival = { mode, delayMs };
    if (arrival.mode === 'hang') return;
    if (arrival.mode === 'fail') {
      request.resume();
      return sendAwsError(response, '1.0', INTERNAL_SERVER_ERROR);
    }
    readBody(request)
      .then(async (body) => {
        if (arrival.mode === 'delay') await sleep(arrival.delayMs, undefined, { signal: closing.signal });
        forward(request, body, response);
      })
      .catch(() => response.destroy());
  });
  const url = await listen(server, port, host);

  return {
    url,
    get mode() {
      return mode;
    },
    set(next, options = {}) {
      mode = next;
      delayMs = options.delayMs ?? delayMs;
    },
    async close() {
      closing.abort();
      await closeServer(server);
      agent.destroy();
    },
  };
}
