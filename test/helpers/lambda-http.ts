/**
 * Serves a Lambda handler over HTTP on 127.0.0.1, the way API Gateway's HTTP
 * API would call it (payload 2.0, body base64-encoded as API Gateway does for
 * binary-safe delivery): so the sandbox can deliver notifications to it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ProxyEvent } from '../../lib/http/event';
import { httpApiEvent, lambdaContext } from './events';

export interface LambdaServer {
  url: string;
  close(): Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export async function serveLambda(handler: (event: ProxyEvent, context: Context) => Promise<APIGatewayProxyResult>): Promise<LambdaServer> {
  const server = createServer(async (request, response) => {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const result = await handler(httpApiEvent({ headers, body: await readBody(request), base64: true }, request.url), lambdaContext());
    response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
