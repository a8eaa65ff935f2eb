/** The notify function as deployed (once per account: merchant and partner). */
import { readEnvironment } from '../environment';
import { deductionNotifyHandler } from '../handlers/deduction-notify';
import { jsonLog } from '../log';
import { accountDependencies, lazy, type Environment } from './account';

export function deductionNotifyFunction(env: Environment) {
  const log = jsonLog({ service: 'deduction-notify', level: env.LOG_LEVEL });
  return deductionNotifyHandler(
    log,
    lazy(() => accountDependencies(readEnvironment(env), log)),
  );
}
