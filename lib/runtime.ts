/** Production wiring of the handlers' dependencies from the environment: built once per container. */
import { secretsManagerClient, ledgerDocumentClient } from './aws-clients';
import { readEnvironment } from './environment';
import { createServiceOrderHandler, type CreateServiceOrderDependencies } from './handlers/create-service-order';
import type { ServiceOrderVariant } from './handlers/service-order-variants';
import { Ledger } from './ledger/ledger';
import { powertoolsLog, type Log } from './log';
import { SecretCache } from './secrets/secret-cache';

/** Builds once on first use; a failure is not kept, so it is reported (and retried) per invocation. */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

export function createServiceOrderDependencies(env: Readonly<Record<string, string | undefined>>, log: Log): () => CreateServiceOrderDependencies {
  return lazy(() => {
    const config = readEnvironment(env);
    return {
      secrets: new SecretCache({
        client: secretsManagerClient(),
        secretId: config.secretId,
        onRefreshError: (error) => log.warn('secret refresh failed; serving the cached secret', { error }),
      }),
      ledger: new Ledger({ client: ledgerDocumentClient(), tableName: config.ledgerTable }),
      fetch: (url, init) => fetch(url, init),
      baseUrl: config.baseUrl,
      notifyUrl: config.notifyUrl,
    };
  });
}

/** A create function as deployed: Powertools logs and dependencies from `env`. */
export function createServiceOrderFunction<T extends object>(variant: ServiceOrderVariant<T>, env: Readonly<Record<string, string | undefined>>) {
  const log = powertoolsLog(`create-${variant.name}-service-order`);
  return createServiceOrderHandler(variant, log, createServiceOrderDependencies(env, log));
}
