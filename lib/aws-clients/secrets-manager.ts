import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { credentials, requestHandler } from './settings';

export const secretsManagerClient = (): SecretsManagerClient => new SecretsManagerClient({ maxAttempts: 3, requestHandler, credentials });
