/** The create and lifecycle functions as deployed; one wiring module per function kind, so that a bundle holds only its own code. */
import { metricsEnvironment, readEnvironment, type Environment } from '../environment';
import { operationsHandler } from '../handlers/operations';
import { nodeTransport } from '../http/transport';
import { jsonLog } from '../log';
import { emfMetrics } from '../metrics';
import type { AccountKind, Operation } from '../operations/operation';
import { accountDependencies } from './account-dependencies';
import { lazy } from './lazy';

export function operationsFunction(service: string, kind: AccountKind, operations: readonly Operation[], env: Environment) {
  const log = jsonLog({ service, level: env.LOG_LEVEL });
  const metrics = emfMetrics({ service, ...metricsEnvironment(env) });
  return operationsHandler(
    kind,
    operations,
    log,
    lazy(() => {
      const config = readEnvironment(env);
      return { ...accountDependencies(config, log, metrics), transport: nodeTransport(), baseUrl: config.baseUrl, notifyUrl: config.notifyUrl };
    }),
    metrics,
  );
}
