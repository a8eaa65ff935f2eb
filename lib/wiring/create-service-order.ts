/** A create function as deployed; one wiring module per function kind, so that a bundle holds only its own code. */
import { metricsEnvironment, readEnvironment, type Environment } from '../environment';
import { createServiceOrderHandler } from '../handlers/create-service-order';
import type { ServiceOrderVariant } from '../handlers/service-order-variants';
import { nodeTransport } from '../http/transport';
import { jsonLog } from '../log';
import { emfMetrics } from '../metrics';
import { accountDependencies } from './account-dependencies';
import { lazy } from './lazy';

export function createServiceOrderFunction<T extends object>(variant: ServiceOrderVariant<T>, env: Environment) {
  const service = `create-${variant.name}-service-order`;
  const log = jsonLog({ service, level: env.LOG_LEVEL });
  const metrics = emfMetrics({ service, ...metricsEnvironment(env) });
  return createServiceOrderHandler(
    variant,
    log,
    lazy(() => {
      const config = readEnvironment(env);
      return { ...accountDependencies(config, log, metrics), transport: nodeTransport(), baseUrl: config.baseUrl, notifyUrl: config.notifyUrl };
    }),
  );
}
