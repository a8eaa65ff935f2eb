/** The platform certificate refresher as deployed (once per account, on a schedule); its own module, so that its bundle holds only its own code. */
import { metricsEnvironment, readSecretEnvironment, readWechatpayEnvironment, type Environment } from '../environment';
import { refreshPlatformCertificatesHandler } from '../handlers/refresh-platform-certificates';
import { nodeTransport } from '../http/transport';
import { jsonLog } from '../log';
import { emfMetrics } from '../metrics';
import { SecretWriter } from '../secrets/secret-writer';
import { lazy } from './lazy';
import { secretsManagerClient } from './secrets-manager-client';

const SERVICE = 'refresh-platform-certificates';

export function refreshPlatformCertificatesFunction(env: Environment) {
  return refreshPlatformCertificatesHandler(
    jsonLog({ service: SERVICE, level: env.LOG_LEVEL }),
    lazy(() => {
      const { secretId } = readSecretEnvironment(env);
      return { secrets: new SecretWriter({ client: secretsManagerClient(), secretId }), transport: nodeTransport(), ...readWechatpayEnvironment(env) };
    }),
    emfMetrics({ service: SERVICE, ...metricsEnvironment(env) }),
  );
}
