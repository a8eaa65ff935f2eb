/**
 * A DynamoDB endpoint that answers every request at once with an empty success (`{}`: no
 * item found, every condition held, nothing returned), for the warm figures of the functions
 * that call WeChat Pay. Both sides reach it through the real SDK client, so each pays for the
 * commands it builds, signs, sends and parses, and for each round trip it waits for; neither
 * pays for dynalite's own work per request, which grows with what a write carries (index
 * entries, condition expressions) and which DynamoDB does on its own servers (docs/performance.md).
 */
import { createServer } from 'node:http';
import { closeServer, listen } from '../dev/aws/http-server';

export interface DynamoDbAnsweringAtOnce {
  url: string;
  /** Requests answered so far. */
  requests(): number;
  close(): Promise<void>;
}

export async function startDynamoDbAnsweringAtOnce(): Promise<DynamoDbAnsweringAtOnce> {
  let requests = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests += 1;
      response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' });
      response.end('{}');
    });
  });
  const url = await listen(server, 0, '127.0.0.1');
  return { url, requests: () => requests, close: () => closeServer(server) };
}
