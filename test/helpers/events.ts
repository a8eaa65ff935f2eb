/** API Gateway proxy events and Lambda contexts, as the two payload versions deliver them. */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface EventInput {
  headers?: Record<string, string>;
  body: string | Buffer;
  base64?: boolean;
}

const encode = ({ body, base64 }: EventInput) => (base64 ? Buffer.from(body).toString('base64') : Buffer.from(body).toString('utf8'));

/** HTTP API (payload 2.0): header names lower-cased, as API Gateway delivers them. */
export function httpApiEvent(input: EventInput, path = '/merchant/notify'): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: Object.fromEntries(Object.entries(input.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
    requestContext: { http: { method: 'POST', path }, requestId: 'api-request-1' } as APIGatewayProxyEventV2['requestContext'],
    body: encode(input),
    isBase64Encoded: input.base64 ?? false,
  };
}

/** REST API (payload 1.0): header names as the sender wrote them, and multiValueHeaders. */
export function restEvent(input: EventInput, path = '/merchant/notify'): APIGatewayProxyEvent {
  const headers = input.headers ?? {};
  return {
    resource: path,
    path,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: 'rest-request-1' } as APIGatewayProxyEvent['requestContext'],
    body: encode(input),
    isBase64Encoded: input.base64 ?? false,
  };
}

let invocation = 0;

export function lambdaContext(remainingMs = 10_000): Context {
  invocation += 1;
  return {
    awsRequestId: `lambda-request-${invocation}`,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-southeast-1:000000000000:function:test',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/test',
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
