/** The notify function as deployed (once per account: merchant and partner); its own module, so that its bundle holds only its own code. */
import { readEnvironment, type Environment } from '../environment';
import { deductionNotifyHandler } from '../handlers/deduction-notify';
import { jsonLog } from '../log';
import { accountDependencies } from './account-dependencies';
import { lazy } from './lazy';

export function deductionNotifyFunction(env: Environment) {
  const log = jsonLog({ service: 'deduction-notify', level: env.LOG_LEVEL });
  return deductionNotifyHandler(
    log,
    lazy(() => accountDependencies(readEnvironment(env), log)),
  );
}
