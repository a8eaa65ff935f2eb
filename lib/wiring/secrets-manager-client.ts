/** Its own module so that a bundle takes the Secrets Manager client without the DynamoDB one (ledger-document-client.ts). */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { credentials, requestHandler } from './aws-sdk-settings';

export const secretsManagerClient = (): SecretsManagerClient => new SecretsManagerClient({ maxAttempts: 3, requestHandler, credentials });
