/**
 * The only place that talks to Secrets Manager. Keeps the parsed account
 * credentials for the life of the container: one GetSecretValue per refresh
 * interval, the cached value kept when a refresh fails, and forced refreshes
 * (for an unknown `Wechatpay-Serial`) rate-limited so that forged messages
 * cannot turn into a flood of Secrets Manager calls. While Secrets Manager
 * fails, one GetSecretValue per `retryAfterFailureMs` at most, cached value or not.
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
  /**
   * After a failed fetch, how long until the next one: meanwhile the cached value is served
   * or, with none, the same error is thrown at once.
   */
  retryAfterFailureMs?: number;
  /** Budget of one GetSecretValue, the SDK's retries included. */
  fetchTimeoutMs?: number;
  /** Least time between a forced refresh and the fetch before it (forced or not). */
  forcedRefreshIntervalMs?: number;
  /** Told of a refresh that failed while a cached value is kept serving. */
  onRefreshError?: (error: unknown) => void;
  /** Told of every GetSecretValue: `due` (first use, refresh interval) or `forced`, and whether it loaded. */
  onFetched?: (trigger: FetchTrigger, outcome: 'loaded' | 'failed') => void;
}

export type FetchTrigger = 'due' | 'forced';

/** While Secrets Manager fails: one GetSecretValue (the SDK's up to 3 attempts) per 5 s per container. */
export const DEFAULT_RETRY_AFTER_FAILURE_MS = 5_000;

export class SecretCache {
  readonly #options: SecretCacheOptions;
  readonly #clock: Clock;
  #current: { credentials: AccountCredentials; refreshAt: number } | undefined;
  #inFlight: Promise<AccountCredentials> | undefined;
  #lastFetchAt = Number.NEGATIVE_INFINITY;
  /** The last failure while nothing is cached, thrown again until `retryAt`. */
  #failure: { error: SecretUnavailableError; retryAt: number } | undefined;

  constructor(options: SecretCacheOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** The credentials, fetched on first use and when the refresh interval has passed. */
  async get(): Promise<AccountCredentials> {
    if (this.#current && this.#clock() < this.#current.refreshAt) return this.#current.credentials;
    return this.#refresh('due');
  }

  /**
   * Fetches now unless the secret was fetched within `forcedRefreshIntervalMs` (a
   * fresh container's first load included); resolves to the credentials to use either way.
   */
  async forceRefresh(): Promise<AccountCredentials> {
    const { forcedRefreshIntervalMs = 60_000 } = this.#options;
    if (this.#current && this.#clock() - this.#lastFetchAt < forcedRefreshIntervalMs) return this.#current.credentials;
    return this.#refresh('forced');
  }

  #refresh(trigger: FetchTrigger): Promise<AccountCredentials> {
    if (this.#failure && this.#clock() < this.#failure.retryAt) return Promise.reject(this.#failure.error);
    // Concurrent callers share one GetSecretValue.
    this.#inFlight ??= this.#fetch(trigger).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetch(trigger: FetchTrigger): Promise<AccountCredentials> {
    const { refreshIntervalMs = 5 * 60_000, retryAfterFailureMs = DEFAULT_RETRY_AFTER_FAILURE_MS, fetchTimeoutMs = 2_000 } = this.#options;
    this.#lastFetchAt = this.#clock();
    try {
      const output = await this.#options.client.send(new GetSecretValueCommand({ SecretId: this.#options.secretId }), {
        abortSignal: AbortSignal.timeout(fetchTimeoutMs),
      });
      if (output.SecretString === undefined) throw new SecretUnavailableError(`secret ${this.#options.secretId} has no SecretString (binary secrets are not supported)`);
      const credentials = parseAccountSecret(output.SecretString, this.#options.clock);
      this.#current = { credentials, refreshAt: this.#clock() + refreshIntervalMs };
      this.#failure = undefined;
      this.#options.onFetched?.(trigger, 'loaded');
      return credentials;
    } catch (error) {
      this.#options.onFetched?.(trigger, 'failed');
      if (!this.#current) {
        const failure = error instanceof SecretUnavailableError ? error : new SecretUnavailableError(`secret ${this.#options.secretId} could not be loaded`, { cause: error });
        this.#failure = { error: failure, retryAt: this.#clock() + retryAfterFailureMs };
        throw failure;
      }
      this.#options.onRefreshError?.(error);
      // Keep serving what worked; ask again soon, not on every invocation.
      this.#current.refreshAt = this.#clock() + retryAfterFailureMs;
      return this.#current.credentials;
    }
  }
}
