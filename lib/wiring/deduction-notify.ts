/** The notify function as deployed (once per account: merchant and partner); its own module, so that its bundle holds only its own code. */
import { metricsEnvironment, readLedgerEnvironment, readSecretEnvironment, type Environment } from '../environment';
import { deductionNotifyHandler } from '../handlers/deduction-notify';
import { jsonLog } from '../log';
import { emfMetrics } from '../metrics';
import { accountDependencies } from './account-dependencies';
import { lazy } from './lazy';

const SERVICE = 'deduction-notify';

export function deductionNotifyFunction(env: Environment) {
  const log = jsonLog({ service: SERVICE, level: env.LOG_LEVEL });
  const metrics = emfMetrics({ service: SERVICE, ...metricsEnvironment(env) });
  return deductionNotifyHandler(
    log,
    lazy(() => accountDependencies({ ...readSecretEnvironment(env), ...readLedgerEnvironment(env) }, log, metrics)),
    metrics,
  );
}
