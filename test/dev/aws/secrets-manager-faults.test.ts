import { GetSecretValueCommand, InternalServiceError, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSecretsManager, type SecretsManagerStandIn } from '../../../dev/aws/secrets-manager';
import { localClientConfig } from './local-clients';

const SECRET_ID = 'payscore/dev/merchant';
const getSecret = new GetSecretValueCommand({ SecretId: SECRET_ID });

let secretsManager: SecretsManagerStandIn;
let client: SecretsManagerClient;
/** Gives up quickly on a hanging call; the other calls answer at once. */
let impatientClient: SecretsManagerClient;

beforeAll(async () => {
  secretsManager = await startSecretsManager({ secrets: { [SECRET_ID]: '{"mchid":"1900000109"}' } });
  client = new SecretsManagerClient(localClientConfig(secretsManager.url));
  impatientClient = new SecretsManagerClient(localClientConfig(secretsManager.url, { requestTimeoutMs: 200 }));
});

afterAll(async () => {
  client?.destroy();
  impatientClient?.destroy();
  await secretsManager?.close();
});

describe('fail(count)', () => {
  it('answers the next calls 500 InternalServiceError, then serves again', async () => {
    secretsManager.fail(2);
    for (let i = 0; i < 2; i += 1) {
      const error = await client.send(getSecret).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InternalServiceError);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 500 } });
    }
    await expect(client.send(getSecret)).resolves.toMatchObject({ SecretString: '{"mchid":"1900000109"}' });
  });

  it('is a server error, which the SDK retries by default', async () => {
    const retryingClient = new SecretsManagerClient(localClientConfig(secretsManager.url, { maxAttempts: 2 }));
    const before = secretsManager.calls.GetSecretValue;
    secretsManager.fail(1);
    await expect(retryingClient.send(getSecret)).resolves.toMatchObject({ Name: SECRET_ID });
    expect(secretsManager.calls.GetSecretValue).toBe(before + 2);
    retryingClient.destroy();
  });

  it('fail(0) cancels what is still planned', async () => {
    secretsManager.fail(5);
    secretsManager.fail(0);
    await expect(client.send(getSecret)).resolves.toMatchObject({ Name: SECRET_ID });
  });
});

describe("fail(count, 'hang')", () => {
  it('leaves the next calls unanswered, so the client times out; later calls are served', async () => {
    secretsManager.fail(1, 'hang');
    await expect(impatientClient.send(getSecret)).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(impatientClient.send(getSecret)).resolves.toMatchObject({ Name: SECRET_ID });
    secretsManager.release();
  });

  it('answers a hanging call once released', async () => {
    const before = secretsManager.calls.GetSecretValue;
    secretsManager.fail(1, 'hang');
    const pending = client.send(getSecret);
    await vi.waitFor(() => expect(secretsManager.calls.GetSecretValue).toBe(before + 1));
    secretsManager.release();
    await expect(pending).resolves.toMatchObject({ SecretString: '{"mchid":"1900000109"}' });
  });

  it('does not keep close() waiting', async () => {
    const doomed = await startSecretsManager({ secrets: { [SECRET_ID]: '{}' } });
    const doomedClient = new SecretsManagerClient(localClientConfig(doomed.url));
    doomed.fail(1, 'hang');
    const pending = doomedClient.send(getSecret);
    await vi.waitFor(() => expect(doomed.calls.GetSecretValue).toBe(1));
    await doomed.close();
    await expect(pending).rejects.toThrow();
    doomedClient.destroy();
  });
});
