/**
 * Production wiring shared by every function: dependencies built once per
 * container. Each function kind has its own wiring module beside this one, so
 * that a bundle holds only the code its function runs (no schema library in
 * the notify bundle, for one).
 */
import { ledgerDocumentClient, secretsManagerClient } from '../aws-clients';
import type { FunctionEnvironment } from '../environment';
import { Ledger } from '../ledger/ledger';
import type { Log } from '../log';
import { SecretCache } from '../secrets/secret-cache';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Builds once on first use; a failure is not kept, so it is reported (and retried) per invocation. */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/** What every account function needs: the account secret and the ledger. */
export function accountDependencies(config: FunctionEnvironment, log: Log) {
  return {
    secrets: new SecretCache({
      client: secretsManagerClient(),
      secretId: config.secretId,
      onRefreshError: (error) => log.warn('secret refresh failed; serving the cached secret', { error }),
    }),
    ledger: new Ledger({ client: ledgerDocumentClient(), tableName: config.ledgerTable }),
  };
}
