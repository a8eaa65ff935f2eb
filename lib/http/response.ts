import type { APIGatewayProxyResult } from 'aws-lambda';

/** The answer shape both API Gateway payload versions accept. */
export type HttpResponse = APIGatewayProxyResult;

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}
