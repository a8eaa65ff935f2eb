/**
 * What every deployed AWS SDK client shares: timeouts everywhere and one credential
 * chain. Endpoints come from the standard variables (AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_EVENTBRIDGE) that local runs use. One module per client beside
 * this one (`*-client.ts`), so that a bundle holds only the clients its function uses.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';

// throwOnRequestTimeout: without it, this SDK version only logs a warning when requestTimeout passes.
export const requestHandler = { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true };

// The SDK's default chain, shared: one resolution per container rather than one per client.
export const credentials = defaultProvider();
