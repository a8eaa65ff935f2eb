import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { apiErrorResponse } from '../../../lib/http/error-responses';
import { httpHandler } from '../../../lib/http/http-handler';
import { RequestValidationError } from '../../../lib/errors';
import { httpApiEvent, lambdaContext, restEvent } from '../../helpers/events';
import { recordingLog } from '../../helpers/logs';

const CALLER = 'arn:aws:sts::123456789012:assumed-role/orders-service/session';
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

/** An IAM route's event, as API Gateway delivers it: the caller in `requestContext.authorizer.iam`. */
const iamEvent = (): APIGatewayProxyEventV2 => {
  const event = httpApiEvent({ body: '{}' }, '/merchant/service-orders');
  return { ...event, requestContext: { ...event.requestContext, authorizer: { iam: { userArn: CALLER } } } as APIGatewayProxyEventV2['requestContext'] };
};

describe('httpHandler', () => {
  it("sets the invocation's fields before the handler runs: every line carries them, the IAM caller's ARN included", async () => {
    const log = recordingLog();
    const handler = httpHandler(
      async () => {
        log.info('created');
        throw new RequestValidationError([{ field: 'out_trade_no', message: 'is required' }]);
      },
      log,
      apiErrorResponse,
      () => TRACE,
    );
    const context = lambdaContext();
    expect((await handler(iamEvent(), context)).statusCode).toBe(400);
    const fields = { aws_request_id: context.awsRequestId, function_name: 'test', cold_start: expect.any(Boolean), xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793', api_request_id: 'api-request-1', caller_arn: CALLER };
    expect(log.lines).toEqual([
      { level: 'info', message: 'created', attributes: {}, invocation: fields },
      { level: 'warn', message: 'request failed', attributes: { status: 400, code: 'INVALID_REQUEST', error: expect.any(RequestValidationError) }, invocation: fields },
    ]);
  });

  it("a REST API IAM route: the caller from requestContext.identity; at DEBUG, the route and the body's length", async () => {
    const log = recordingLog({ debug: true });
    const handler = httpHandler(async () => ({ statusCode: 204, body: '' }), log, apiErrorResponse, () => undefined);
    const event = restEvent({ body: '{"a":1}' }, '/partner/service-orders');
    event.requestContext = { ...event.requestContext, identity: { userArn: CALLER } } as typeof event.requestContext;
    await handler(event, lambdaContext());
    expect(log.lines).toEqual([
      {
        level: 'debug',
        message: 'request received',
        attributes: { route: 'POST /partner/service-orders', body_length: 7 },
        invocation: { aws_request_id: expect.any(String), function_name: 'test', cold_start: expect.any(Boolean), api_request_id: 'rest-request-1', caller_arn: CALLER },
      },
    ]);
  });
});
