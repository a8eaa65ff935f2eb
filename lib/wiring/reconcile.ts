/** The reconciliation as deployed (once per account, on a schedule); its own module, so that its bundle holds only its own code. */
import { metricsEnvironment, readEnvironment, readReconcileEnvironment, type Environment } from '../environment';
import { reconcileHandler } from '../handlers/reconcile';
import { nodeTransport } from '../http/transport';
import { jsonLog } from '../log';
import { emfMetrics } from '../metrics';
import type { AccountKind } from '../operations/operation';
import { accountDependencies } from './account-dependencies';
import { lazy } from './lazy';

export function reconcileFunction(service: string, kind: AccountKind, env: Environment) {
  const log = jsonLog({ service, level: env.LOG_LEVEL });
  const metrics = emfMetrics({ service, ...metricsEnvironment(env) });
  return reconcileHandler(
    kind,
    log,
    lazy(() => {
      const config = readEnvironment(env);
      return { ...accountDependencies(config, log, metrics), transport: nodeTransport(), baseUrl: config.baseUrl, limits: readReconcileEnvironment(env) };
    }),
    metrics,
  );
}
