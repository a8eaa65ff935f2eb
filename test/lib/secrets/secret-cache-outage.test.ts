/**
 * Secrets Manager failing, through the real SDK client with the deployed retry count
 * (3 attempts): a container calls it once per pause, the SDK's retries included.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSecretsManager, type SecretsManagerStandIn } from '../../../dev/aws/secrets-manager';
import { SecretUnavailableError } from '../../../lib/errors';
import { DEFAULT_RETRY_AFTER_FAILURE_MS, SecretCache } from '../../../lib/secrets/secret-cache';
import { createTestWorld } from '../../helpers/accounts';
import { localClientConfig } from '../../dev/aws/local-clients';

let standIn: SecretsManagerStandIn;
let client: SecretsManagerClient;

beforeAll(async () => {
  const world = await createTestWorld();
  standIn = await startSecretsManager({ secrets: { merchant: world.secret(world.merchant) } });
  client = new SecretsManagerClient(localClientConfig(standIn.url, { maxAttempts: 3 }));
});
afterAll(async () => {
  client.destroy();
  await standIn.close();
});

it('a cold container while Secrets Manager fails: 3 requests (one GetSecretValue and its retries) per 5 s, the same error in between', async () => {
  let now = 1_000_000;
  const secrets = new SecretCache({ client, secretId: 'merchant', clock: () => now });
  standIn.fail(1_000);
  const first = await secrets.get().catch((caught: unknown) => caught);
  expect(first).toBeInstanceOf(SecretUnavailableError);
  expect(standIn.calls.GetSecretValue).toBe(3);
  for (let i = 0; i < 20; i += 1) {
    now += 249;
    await expect(secrets.get()).rejects.toBe(first);
  }
  now += DEFAULT_RETRY_AFTER_FAILURE_MS - 1 - 20 * 249;
  await expect(secrets.get()).rejects.toBe(first);
  expect(standIn.calls.GetSecretValue).toBe(3);
  now += 1;
  standIn.fail(0);
  expect((await secrets.get()).mchid).toEqual(expect.any(String));
  expect(standIn.calls.GetSecretValue).toBe(4);
});
