/** The platform certificate refresher as deployed (once per account, on a schedule); its own module, so that its bundle holds only its own code. */
import { readEnvironment, type Environment } from '../environment';
import { refreshPlatformCertificatesHandler } from '../handlers/refresh-platform-certificates';
import { nodeTransport } from '../http/transport';
import { jsonLog } from '../log';
import { SecretWriter } from '../secrets/secret-writer';
import { lazy } from './lazy';
import { secretsManagerClient } from './secrets-manager-client';

export function refreshPlatformCertificatesFunction(env: Environment) {
  return refreshPlatformCertificatesHandler(
    jsonLog({ service: 'refresh-platform-certificates', level: env.LOG_LEVEL }),
    lazy(() => {
      const config = readEnvironment(env);
      return { secrets: new SecretWriter({ client: secretsManagerClient(), secretId: config.secretId }), transport: nodeTransport(), baseUrl: config.baseUrl };
    }),
  );
}
