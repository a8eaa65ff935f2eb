/** The environment a handler process needs to use the local stand-ins through unmodified AWS SDK clients. */
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-account';

export interface AwsEnvironmentOptions {
  secretsManagerUrl: string;
  dynamoDbUrl: string;
  /** Only the ledger events publisher calls EventBridge. */
  eventBridgeUrl?: string;
}

export function awsEnvironment({ secretsManagerUrl, dynamoDbUrl, eventBridgeUrl }: AwsEnvironmentOptions): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManagerUrl,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbUrl,
    ...(eventBridgeUrl ? { AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeUrl } : {}),
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    // Neutralise what a developer's shell may carry over: with AWS_PROFILE set the SDK prefers the
    // profile (possibly SSO or an assumed role) to the keys above, and a true
    // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS would send every call to real AWS.
    AWS_PROFILE: '',
    AWS_SESSION_TOKEN: '',
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false',
  };
}
