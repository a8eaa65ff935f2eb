/** The notify function as deployed (once per account: merchant and partner). */
import { readEnvironment, type Environment } from '../environment';
import { deductionNotifyHandler } from '../handlers/deduction-notify';
import { jsonLog } from '../log';
import { accountDependencies } from './account';
import { lazy } from './lazy';

export function deductionNotifyFunction(env: Environment) {
  const log = jsonLog({ service: 'deduction-notify', level: env.LOG_LEVEL });
  return deductionNotifyHandler(
    log,
    lazy(() => accountDependencies(readEnvironment(env), log)),
  );
}
