/**
 * Configuration of real SDK clients pointed at a stand-in: no retries, so each call is one request.
 * requestTimeout only logs a warning unless throwOnRequestTimeout is set (@smithy/node-http-handler 4.x).
 */
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../dev/aws/local-account';

export const localClientConfig = (endpoint: string, options: { maxAttempts?: number; requestTimeoutMs?: number } = {}) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
  maxAttempts: options.maxAttempts ?? 1,
  ...(options.requestTimeoutMs === undefined ? {} : { requestHandler: { requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true } }),
});
