/**
 * AWS SDK clients with timeouts everywhere. Endpoints come from the standard
 * variables (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_DYNAMODB) that local runs use.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// throwOnRequestTimeout: without it, this SDK version only logs a warning when requestTimeout passes.
const requestHandler = { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true };

// The SDK's default chain, shared: one resolution per container rather than one per client.
const credentials = defaultProvider();

export const secretsManagerClient = (): SecretsManagerClient => new SecretsManagerClient({ maxAttempts: 3, requestHandler, credentials });

export const ledgerDocumentClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3, requestHandler, credentials }), { marshallOptions: { removeUndefinedValues: true } });
