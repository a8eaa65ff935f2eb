/** The AWS JSON protocol (1.0: DynamoDB, 1.1: Secrets Manager) as the SDK v3 clients speak it. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isJsonObject } from '../../lib/wechatpay/json';
import type { CallFaults } from './call-faults';
import { readBody } from './http-server';

export type AwsJsonVersion = '1.0' | '1.1';
export type JsonObject = Record<string, unknown>;

/** An error as AWS reports it: the HTTP status and the `__type` the SDK maps to its exception classes. */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export async function readJsonBody(request: IncomingMessage): Promise<JsonObject> {
  const text = (await readBody(request)).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text || '{}');
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (!isJsonObject(body)) throw new AwsError('SerializationException', 'The request body must be a JSON object.');
  return body;
}

export function sendAwsJson(response: ServerResponse, version: AwsJsonVersion, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': `application/x-amz-json-${version}`, 'x-amzn-RequestId': randomUUID(), ...headers });
  response.end(JSON.stringify(body));
}

export function sendAwsError(response: ServerResponse, version: AwsJsonVersion, error: AwsError): void {
  sendAwsJson(response, version, error.status, { __type: error.type, message: error.message }, { 'x-amzn-ErrorType': error.type });
}

/** Any other error as the service's internal error; logged, as a stand-in's own bug must be seen. */
export function toAwsError(error: unknown, service: string, internalType: string): AwsError {
  if (error instanceof AwsError) return error;
  console.error(`${service} stand-in: unexpected error`, error);
  return new AwsError(internalType, 'An error occurred on the server side.', 500);
}

export interface AwsJsonServerOptions {
  faults: CallFaults;
  /** What an injected `error` fault answers. */
  unavailable: AwsError;
  /** Any error as the service reports it. */
  toError: (error: unknown) => AwsError;
  /** Checks and counts a call (throwing an AwsError to refuse it); returns what computes its answer, once its fault (if any) is applied. */
  accept: (request: IncomingMessage, input: JsonObject) => () => unknown;
}

/** A stand-in's HTTP server for an AWS JSON 1.1 service, with the faults planned for its next calls. */
export function awsJsonServer({ faults, unavailable, toError, accept }: AwsJsonServerOptions): Server {
  return createServer((request, response) => {
    readJsonBody(request)
      .then((input) => {
        const output = accept(request, input);
        const respond = () => {
          try {
            sendAwsJson(response, '1.1', 200, output());
          } catch (error) {
            sendAwsError(response, '1.1', toError(error));
          }
        };
        switch (faults.take()) {
          case 'hang':
            return faults.hold(respond);
          case 'error':
            throw unavailable;
          default:
            return respond();
        }
      })
      .catch((error: unknown) => sendAwsError(response, '1.1', toError(error)));
  });
}
