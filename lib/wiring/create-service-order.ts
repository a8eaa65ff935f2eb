/** A create function as deployed; one wiring module per function kind, so that a bundle holds only its own code. */
import { readEnvironment, type Environment } from '../environment';
import { createServiceOrderHandler } from '../handlers/create-service-order';
import type { ServiceOrderVariant } from '../handlers/service-order-variants';
import { nodeTransport } from '../http/transport';
import { jsonLog } from '../log';
import { accountDependencies } from './account-dependencies';
import { lazy } from './lazy';

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
