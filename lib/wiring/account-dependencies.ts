/**
 * What the create and notify functions share as deployed: the account secret and
 * the ledger, built once per container. Each function kind has its own wiring
 * module beside this one, so that a bundle holds only the code its function runs
 * (no schema library in the notify bundle, for one).
 */
import type { LedgerEnvironment, SecretEnvironment } from '../environment';
import { Ledger } from '../ledger/ledger';
import type { Log } from '../log';
import type { Metrics } from '../metrics';
import { SecretCache } from '../secrets/secret-cache';
import { ledgerDocumentClient } from './ledger-document-client';
import { secretsManagerClient } from './secrets-manager-client';

/** What the create and notify functions need: the account secret and the ledger. */
export function accountDependencies(config: SecretEnvironment & LedgerEnvironment, log: Log, metrics: Metrics) {
  return {
    secrets: new SecretCache({
      client: secretsManagerClient(),
      secretId: config.secretId,
      onRefreshError: (error) => log.warn('secret refresh failed; serving the cached secret', { error }),
      onFetched: (trigger, outcome) => {
        metrics.secretRefresh(trigger, outcome);
        log.debug('account secret fetched', { trigger, outcome });
      },
    }),
    ledger: new Ledger({ client: ledgerDocumentClient(), tableName: config.ledgerTable }),
  };
}
