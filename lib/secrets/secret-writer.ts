/**
 * Reads the current version of an account secret and stores the next one: for
 * the platform certificate refresher, the only writer. Beside SecretCache, the
 * only other place that talks to Secrets Manager.
 */
import { createHash } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretUnavailableError } from '../errors';

export interface SecretVersion {
  versionId: string;
  secretString: string;
}

export interface SecretWriterOptions {
  client: Pick<SecretsManagerClient, 'send'>;
  secretId: string;
  /** Budget of one call, the SDK's retries included. */
  timeoutMs?: number;
}

export class SecretWriter {
  readonly #options: SecretWriterOptions;

  constructor(options: SecretWriterOptions) {
    this.#options = options;
  }

  /** The current version, uncached. */
  async read(): Promise<SecretVersion> {
    const { secretId } = this.#options;
    let output;
    try {
      output = await this.#options.client.send(new GetSecretValueCommand({ SecretId: secretId }), this.#abort());
    } catch (cause) {
      throw new SecretUnavailableError(`secret ${secretId} could not be read`, { cause });
    }
    if (output.SecretString === undefined || output.VersionId === undefined) {
      throw new SecretUnavailableError(`secret ${secretId} has no SecretString (binary secrets are not supported)`);
    }
    return { versionId: output.VersionId, secretString: output.SecretString };
  }

  /**
   * Stores `secretString` as the current version, replacing `previous`. The
   * request token comes from both, so a retried update is applied once, and
   * returning to an earlier content still makes a new version. Resolves to its id.
   */
  async write(secretString: string, previous: SecretVersion): Promise<string> {
    const token = createHash('sha256').update(previous.versionId).update('\n').update(secretString).digest('hex');
    // Secrets Manager makes the token the new version's id.
    await this.#options.client.send(new PutSecretValueCommand({ SecretId: this.#options.secretId, SecretString: secretString, ClientRequestToken: token }), this.#abort());
    return token;
  }

  #abort() {
    return { abortSignal: AbortSignal.timeout(this.#options.timeoutMs ?? 5_000) };
  }
}
