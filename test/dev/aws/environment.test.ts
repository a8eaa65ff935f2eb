import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDb, type DynamoDbStandIn } from '../../../dev/aws/dynamodb';
import { awsEnvironment } from '../../../dev/aws/environment';
import { startSecretsManager, type SecretsManagerStandIn } from '../../../dev/aws/secrets-manager';

let secretsManager: SecretsManagerStandIn;
let dynamoDb: DynamoDbStandIn;

beforeAll(async () => {
  secretsManager = await startSecretsManager({ secrets: { 'payscore/dev/merchant': '{"mchid":"1900000109"}' } });
  dynamoDb = await startDynamoDb({ tableName: 'ledger' });
});

afterAll(async () => {
  await secretsManager?.close();
  await dynamoDb?.close();
});

/** Runs `use` with `variables` in process.env, as a handler process would see them, then restores process.env. */
async function withEnvironment(variables: Record<string, string>, use: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    await use();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('awsEnvironment', () => {
  it('names the region, dummy credentials and the service-specific endpoints of the stand-ins', () => {
    expect(awsEnvironment({ secretsManagerUrl: 'http://127.0.0.1:1', dynamoDbUrl: 'http://127.0.0.1:2' })).toMatchObject({
      AWS_REGION: 'ap-southeast-1',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2',
      AWS_ACCESS_KEY_ID: expect.any(String),
      AWS_SECRET_ACCESS_KEY: expect.any(String),
    });
  });

  it('points SDK clients built without any configuration at the stand-ins, whatever profile the shell had', async () => {
    const environment = awsEnvironment({ secretsManagerUrl: secretsManager.url, dynamoDbUrl: dynamoDb.url });
    // A shell that would send the SDK to real AWS; instance metadata off in case the test fails.
    const realShell = { AWS_PROFILE: 'someone-real', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_EC2_METADATA_DISABLED: 'true' };
    await withEnvironment(realShell, () =>
      withEnvironment(environment, async () => {
        const secrets = new SecretsManagerClient({ maxAttempts: 1 });
        const dynamo = new DynamoDBClient({ maxAttempts: 1 });
        try {
          expect(await secrets.config.region()).toBe('ap-southeast-1');
          await expect(secrets.send(new GetSecretValueCommand({ SecretId: 'payscore/dev/merchant' }))).resolves.toMatchObject({ SecretString: '{"mchid":"1900000109"}' });
          await expect(dynamo.send(new DescribeTableCommand({ TableName: 'ledger' }))).resolves.toMatchObject({ Table: { TableStatus: 'ACTIVE' } });
          expect(secretsManager.calls.GetSecretValue).toBe(1);
        } finally {
          secrets.destroy();
          dynamo.destroy();
        }
      }),
    );
  });
});
