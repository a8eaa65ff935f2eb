/**
 * The only place that talks to Secrets Manager. Keeps the parsed account
 * credentials for the life of the container: one GetSecretValue per refresh
 * interval, the cached value kept when a refresh fails, and forced refreshes
 * (for an unknown `Wechatpay-Serial`) rate-limited so that forged messages
 * cannot turn into a flood of Secrets Manager calls.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock, type Clock } from '../wechatpay';
import { parseAccountSecret, type AccountCredentials } from './account-credentials';
import { SecretUnavailableError } from '../errors';

export interface SecretCacheOptions {
  client: Pick<SecretsManagerClient, 'send'>;
  secretId: string;
  clock?: Clock;
  refreshIntervalMs?: number;
  /** After a failed refresh with a cached value to fall back on, when to try again. */
  retryAfterFailureMs?: number;
  /** Budget of one GetSecretValue, the SDK's retries included. */
  fetchTimeoutMs?: number;
  /** Least time between two forced refreshes. */
  forcedRefreshIntervalMs?: number;
  /** Told of a refresh that failed while a cached value is kept serving. */
  onRefreshError?: (error: unknown) => void;
}

export class SecretCache {
  readonly #options: SecretCacheOptions;
  readonly #clock: Clock;
  #current: { credentials: AccountCredentials; refreshAt: number } | undefined;
  #inFlight: Promise<AccountCredentials> | undefined;
  #lastForcedAt = Number.NEGATIVE_INFINITY;

  constructor(options: SecretCacheOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** The credentials, fetched on first use and when the refresh interval has passed. */
  async get(): Promise<AccountCredentials> {
    if (this.#current && this.#clock() < this.#current.refreshAt) return this.#current.credentials;
    return this.#refresh();
  }

  /**
   * Fetches now unless a forced refresh ran within `forcedRefreshIntervalMs`;
   * resolves to the credentials to use either way.
   */
  async forceRefresh(): Promise<AccountCredentials> {
    const { forcedRefreshIntervalMs = 60_000 } = this.#options;
    if (this.#current && this.#clock() - this.#lastForcedAt < forcedRefreshIntervalMs) return this.#current.credentials;
    this.#lastForcedAt = this.#clock();
    return this.#refresh();
  }

  #refresh(): Promise<AccountCredentials> {
    // Concurrent callers share one GetSecretValue.
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetch(): Promise<AccountCredentials> {
    const { refreshIntervalMs = 5 * 60_000, retryAfterFailureMs = 30_000, fetchTimeoutMs = 2_000 } = this.#options;
    try {
      const output = await this.#options.client.send(new GetSecretValueCommand({ SecretId: this.#options.secretId }), {
        abortSignal: AbortSignal.timeout(fetchTimeoutMs),
      });
      if (output.SecretString === undefined) throw new SecretUnavailableError(`secret ${this.#options.secretId} has no SecretString (binary secrets are not supported)`);
      const credentials = parseAccountSecret(output.SecretString, this.#options.clock);
      this.#current = { credentials, refreshAt: this.#clock() + refreshIntervalMs };
      return credentials;
    } catch (error) {
      if (!this.#current) throw error instanceof SecretUnavailableError ? error : new SecretUnavailableError(`secret ${this.#options.secretId} could not be loaded`, { cause: error });
      this.#options.onRefreshError?.(error);
      // Keep serving what worked; ask again soon, not on every invocation.
      this.#current.refreshAt = this.#clock() + retryAfterFailureMs;
      return this.#current.credentials;
    }
  }
}
