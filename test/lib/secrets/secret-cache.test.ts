import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretUnavailableError } from '../../../lib/errors';
import { SecretCache } from '../../../lib/secrets/secret-cache';
import { createTestWorld, type TestWorld } from '../../helpers/accounts';

const secretsManager = mockClient(SecretsManagerClient);
let world: TestWorld;
let now: number;
const clock = () => now;

beforeAll(async () => {
  world = await createTestWorld();
});
beforeEach(() => {
  secretsManager.reset();
  now = 1_000_000;
});

const cache = (options: Partial<ConstructorParameters<typeof SecretCache>[0]> = {}) =>
  new SecretCache({ client: new SecretsManagerClient({}), secretId: 'payscore/test/merchant', clock, refreshIntervalMs: 60_000, ...options });
const calls = () => secretsManager.commandCalls(GetSecretValueCommand).length;

describe('SecretCache', () => {
  it('fetches once and serves the parsed secret until the refresh interval passes', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'payscore/test/merchant' }).resolves({ SecretString: world.secret(world.merchant) });
    const secrets = cache();
    const first = await secrets.get();
    for (let i = 0; i < 100; i += 1) expect(await secrets.get()).toBe(first);
    expect(calls()).toBe(1);
    now += 60_000;
    expect(await secrets.get()).not.toBe(first);
    expect(calls()).toBe(2);
  });

  it('shares one call among concurrent first invocations', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: world.secret(world.merchant) });
    const secrets = cache();
    await Promise.all(Array.from({ length: 10 }, () => secrets.get()));
    expect(calls()).toBe(1);
  });

  it('keeps serving the cached secret when a refresh fails, says so, and tries again later', async () => {
    const errors: unknown[] = [];
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: world.secret(world.merchant) }).rejects(new Error('throttled'));
    const secrets = cache({ onRefreshError: (error) => errors.push(error), retryAfterFailureMs: 5_000 });
    const first = await secrets.get();
    now += 60_000;
    expect(await secrets.get()).toBe(first);
    expect(errors).toHaveLength(1);
    expect(await secrets.get()).toBe(first);
    expect(calls()).toBe(2);
    now += 5_000;
    await secrets.get();
    expect(calls()).toBe(3);
  });

  it('keeps the cached secret when a refresh brings a malformed one', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: world.secret(world.merchant) }).resolves({ SecretString: '{"mchid":"1"}' });
    const secrets = cache();
    const first = await secrets.get();
    now += 60_000;
    expect(await secrets.get()).toBe(first);
  });

  it('fails with SecretUnavailableError when nothing is cached', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new Error('ResourceNotFoundException'));
    const error = await cache().get().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect((error as Error).message).toBe('secret payscore/test/merchant could not be loaded');
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('fails on a binary secret, and on a malformed one without echoing it', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretBinary: new Uint8Array(1) }).resolves({ SecretString: '{"apiV3Key":"tooshort"}' });
    await expect(cache().get()).rejects.toThrow('has no SecretString');
    const error = await cache().get().catch((caught: unknown) => caught);
    expect(((error as Error).cause as Error).message).not.toContain('tooshort');
  });

  it('forces a refresh at most once per interval, counting from the fetch before it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: world.secret(world.merchant) });
    const secrets = cache({ forcedRefreshIntervalMs: 30_000 });
    const first = await secrets.get();
    // A fresh container meeting an unknown serial on its first request: the keys are seconds old.
    expect(await secrets.forceRefresh()).toBe(first);
    expect(calls()).toBe(1);
    now += 29_999;
    await secrets.forceRefresh();
    expect(calls()).toBe(1);
    now += 1;
    expect(await secrets.forceRefresh()).not.toBe(first);
    await secrets.forceRefresh();
    expect(calls()).toBe(2);
    now += 30_000;
    await secrets.forceRefresh();
    expect(calls()).toBe(3);
  });

  it('while Secrets Manager fails with nothing cached: one call per 5 s, the same error in between', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new Error('InternalServiceError'));
    const secrets = cache();
    const first = await secrets.get().catch((caught: unknown) => caught);
    expect(first).toBeInstanceOf(SecretUnavailableError);
    for (let i = 0; i < 10; i += 1) {
      now += 499;
      await expect(secrets.get()).rejects.toBe(first);
      await expect(secrets.forceRefresh()).rejects.toBe(first);
    }
    expect(calls()).toBe(1);
    now += 10;
    const second = await secrets.get().catch((caught: unknown) => caught);
    expect(second).not.toBe(first);
    expect(second).toMatchObject({ code: 'SECRET_UNAVAILABLE', message: 'secret payscore/test/merchant could not be loaded' });
    expect(calls()).toBe(2);
  });

  it('once Secrets Manager is back, the next call after the pause loads the secret', async () => {
    secretsManager.on(GetSecretValueCommand).rejectsOnce(new Error('InternalServiceError')).resolves({ SecretString: world.secret(world.merchant) });
    const secrets = cache({ retryAfterFailureMs: 1_000 });
    await expect(secrets.get()).rejects.toBeInstanceOf(SecretUnavailableError);
    now += 999;
    await expect(secrets.get()).rejects.toBeInstanceOf(SecretUnavailableError);
    now += 1;
    const loaded = await secrets.get();
    expect(loaded.mchid).toBe(world.merchant.mchid);
    expect(calls()).toBe(2);
    // A success forgets the failure: later refreshes are normal again.
    now += 60_000;
    expect(await secrets.get()).not.toBe(loaded);
    expect(calls()).toBe(3);
  });

  it('while a refresh fails with a value cached: the cached value, and one call per 5 s by default', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: world.secret(world.merchant) }).rejects(new Error('throttled'));
    const secrets = cache();
    const first = await secrets.get();
    now += 60_000;
    for (let i = 0; i < 10; i += 1) {
      expect(await secrets.get()).toBe(first);
      now += 499;
    }
    expect(calls()).toBe(2);
    now += 10;
    await secrets.get();
    expect(calls()).toBe(3);
  });

  it('a forced refresh with nothing cached fetches', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: world.secret(world.merchant) });
    await cache().forceRefresh();
    expect(calls()).toBe(1);
  });

  it('tells onFetched of every fetch: due or forced, loaded or failed; of none served from the cache', async () => {
    const fetched: string[] = [];
    const secrets = cache({ onFetched: (trigger, outcome) => fetched.push(`${trigger} ${outcome}`), onRefreshError: () => undefined, retryAfterFailureMs: 1_000 });
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: world.secret(world.merchant) });
    await secrets.get();
    await secrets.get();
    now += 60_000;
    await secrets.forceRefresh();
    secretsManager.on(GetSecretValueCommand).rejects(new Error('throttled'));
    now += 60_000;
    await secrets.get();
    now += 60_000;
    await secrets.forceRefresh();
    expect(fetched).toEqual(['due loaded', 'forced loaded', 'due failed', 'forced failed']);
  });
});
