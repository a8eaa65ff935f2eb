import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES, nodeTransport, ResponseTooLargeError } from '../../../lib/http/transport';
import { headerValue } from '../../../lib/wechatpay';

let server: Server;
let url: string;
let connections = 0;

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.url === '/hang') return;
    if (request.url === '/huge') return void response.end(Buffer.alloc(MAX_RESPONSE_BYTES + 1));
    response.writeHead(201, { 'Request-ID': 'R1', 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ method: request.method, auth: request.headers.authorization, body: Buffer.concat(chunks).toString('utf8') }));
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const request = (body: Buffer | undefined, signal = AbortSignal.timeout(5_000)) => ({ method: body ? 'POST' : 'GET', headers: { Authorization: 'A' }, body, signal });

describe('nodeTransport', () => {
  it('sends the bytes and headers, and returns status, headers and the whole body', async () => {
    const response = await nodeTransport()(`${url}/v3/x`, request(Buffer.from('密')));
    expect(response.status).toBe(201);
    expect(headerValue(response.headers, 'Request-ID')).toBe('R1');
    expect(JSON.parse(response.body.toString())).toEqual({ method: 'POST', auth: 'A', body: '密' });
  });

  it('reuses one keep-alive connection', async () => {
    const transport = nodeTransport();
    const before = connections;
    for (let i = 0; i < 3; i += 1) await transport(`${url}/v3/x`, request(undefined));
    expect(connections - before).toBe(1);
  });

  it('rejects with the signal’s reason when it aborts', async () => {
    const error = await nodeTransport()(`${url}/hang`, request(Buffer.from('x'), AbortSignal.timeout(50))).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('TimeoutError');
  });

  it('rejects a network error as it is', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(nodeTransport()(`http://127.0.0.1:${port}/`, request(undefined))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses to read a body over the limit', async () => {
    await expect(nodeTransport()(`${url}/huge`, request(undefined))).rejects.toBeInstanceOf(ResponseTooLargeError);
  });
});
