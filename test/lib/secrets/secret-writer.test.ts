import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startSecretsManager, type SecretsManagerStandIn } from '../../../dev/aws/secrets-manager';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../dev/aws/local-account';
import { SecretUnavailableError } from '../../../lib/errors';
import { SecretWriter } from '../../../lib/secrets/secret-writer';

let secretsManager: SecretsManagerStandIn;
let client: SecretsManagerClient;
beforeAll(async () => {
  secretsManager = await startSecretsManager({ secrets: { account: '{"v":1}' } });
  client = new SecretsManagerClient({ endpoint: secretsManager.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await secretsManager.close();
});

describe('SecretWriter', () => {
  it('reads the current version and writes the next, a retried write once', async () => {
    const writer = new SecretWriter({ client, secretId: 'account' });
    const first = await writer.read();
    expect(first.secretString).toBe('{"v":1}');
    const versionId = await writer.write('{"v":2}', first);
    expect(await writer.write('{"v":2}', first)).toBe(versionId);
    expect(await writer.read()).toEqual({ versionId, secretString: '{"v":2}' });
  });

  it('going back to an earlier content makes a new version', async () => {
    const writer = new SecretWriter({ client, secretId: 'account' });
    const before = await writer.read();
    const changed = await writer.write('{"v":3}', before);
    const back = await writer.write(before.secretString, await writer.read());
    expect(new Set([before.versionId, changed, back]).size).toBe(3);
    expect((await writer.read()).secretString).toBe(before.secretString);
  });

  it('fails with SecretUnavailableError on a missing secret, without writing', async () => {
    const writer = new SecretWriter({ client, secretId: 'missing', timeoutMs: 2_000 });
    const error = await writer.read().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect((error as Error).message).toBe('secret missing could not be read');
  });
});
