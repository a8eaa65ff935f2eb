/** Production wiring of the handlers from the environment: dependencies built once per container. */
import { ledgerDocumentClient, secretsManagerClient } from './aws-clients';
import { readEnvironment, type FunctionEnvironment } from './environment';
import { createServiceOrderHandler } from './handlers/create-service-order';
import { deductionNotifyHandler } from './handlers/deduction-notify';
import { refreshPlatformCertificatesHandler } from './handlers/refresh-platform-certificates';
import type { ServiceOrderVariant } from './handlers/service-order-variants';
import { Ledger } from './ledger/ledger';
import { jsonLog, type Log } from './log';
import { SecretCache } from './secrets/secret-cache';
import { SecretWriter } from './secrets/secret-writer';
import { nodeTransport } from './http/transport';

type Environment = Readonly<Record<string, string | undefined>>;

/** Builds once on first use; a failure is not kept, so it is reported (and retried) per invocation. */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/** What every function needs: its configuration, the account secret and the ledger. */
function accountDependencies(config: FunctionEnvironment, log: Log) {
  return {
    secrets: new SecretCache({
      client: secretsManagerClient(),
      secretId: config.secretId,
      onRefreshError: (error) => log.warn('secret refresh failed; serving the cached secret', { error }),
    }),
    ledger: new Ledger({ client: ledgerDocumentClient(), tableName: config.ledgerTable }),
  };
}

/** A create function as deployed. */
export function createServiceOrderFunction<T extends object>(variant: ServiceOrderVariant<T>, env: Environment) {
  const log = jsonLog({ service: `create-${variant.name}-service-order`, level: env.LOG_LEVEL });
  return createServiceOrderHandler(
    variant,
    log,
    lazy(() => {
      const config = readEnvironment(env);
      return { ...accountDependencies(config, log), transport: nodeTransport(), baseUrl: config.baseUrl, notifyUrl: config.notifyUrl };
    }),
  );
}

/** The notify function as deployed (once per account: merchant and partner). */
export function deductionNotifyFunction(env: Environment) {
  const log = jsonLog({ service: 'deduction-notify', level: env.LOG_LEVEL });
  return deductionNotifyHandler(
    log,
    lazy(() => accountDependencies(readEnvironment(env), log)),
  );
}

/** The platform certificate refresher as deployed (once per account, on a schedule). */
export function refreshPlatformCertificatesFunction(env: Environment) {
  return refreshPlatformCertificatesHandler(
    jsonLog({ service: 'refresh-platform-certificates', level: env.LOG_LEVEL }),
    lazy(() => {
      const config = readEnvironment(env);
      return { secrets: new SecretWriter({ client: secretsManagerClient(), secretId: config.secretId }), transport: nodeTransport(), baseUrl: config.baseUrl };
    }),
  );
}
