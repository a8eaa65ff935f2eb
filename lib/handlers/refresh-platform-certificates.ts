/**
 * The platform certificate refresher (issue 9), scheduled every 12 h per account
 * and runnable on demand: downloads WeChat Pay's platform certificates, checks
 * them, and updates the account secret only when its certificates change.
 */
import type { Context } from 'aws-lambda';
import { invocationFields, lambdaTraceHeader, type Log } from '../log';
import type { Metrics } from '../metrics';
import { parseCertificateSecret } from '../secrets/certificate-secret';
import type { SecretWriter } from '../secrets/secret-writer';
import {
  CERTIFICATES_PATH,
  certificateDownloadVerifier,
  downloadSigningSerial,
  isPublicKeyId,
  mergePlatformCertificates,
  readCertificateDownload,
  systemClock,
  trustedKeys,
  type Clock,
  type Transport,
} from '../wechatpay';
import { callDeadline, measuredCall, wechatpayClient } from './wechatpay-call';

export interface RefreshDependencies {
  secrets: Pick<SecretWriter, 'read' | 'write'>;
  transport: Transport;
  baseUrl: string;
  clock?: Clock;
  /** Total time for WeChat Pay, retries included. */
  deadlineMs?: number;
  retry?: { maxRetries?: number; backoffBaseMs?: number; sleep?: (ms: number) => Promise<void> };
}

export type RefreshOutcome =
  | { outcome: 'disabled' }
  | { outcome: 'unchanged'; serials: string[] }
  | { outcome: 'updated'; added: string[]; removed: string[]; versionId: string };

/** Time kept back from the Lambda timeout for the secret update. */
const RESERVED_MS = 5_000;
const DEFAULT_DEADLINE_MS = 10_000;

/** The operation its calls to WeChat Pay are counted under (`WechatpayCalls`). */
const CERTIFICATES_OPERATION = 'certificates';

export function refreshPlatformCertificatesHandler(
  log: Log,
  dependencies: () => RefreshDependencies,
  metrics: Metrics,
  traceHeader: () => string | undefined = lambdaTraceHeader,
) {
  return async (_event: unknown, context: Context): Promise<RefreshOutcome> => {
    log.setInvocation(invocationFields(context, undefined, traceHeader()));
    try {
      const result = await refresh(dependencies(), log, metrics, context);
      metrics.certificateRefresh(result.outcome);
      return result;
    } catch (error) {
      metrics.certificateRefresh('failed');
      log.error('platform certificate refresh failed; the secret is unchanged', { error });
      throw error;
    }
  };
}

async function refresh(deps: RefreshDependencies, log: Log, metrics: Metrics, context: Context): Promise<RefreshOutcome> {
  const clock = deps.clock ?? systemClock;
  const current = await deps.secrets.read();
  const secret = parseCertificateSecret(current.secretString);
  const ids = [...secret.keys.keys()];
  if (ids.length > 0 && ids.every(isPublicKeyId)) {
    log.info('platform certificate refresh disabled: the secret holds WeChat Pay public keys only (public-key mode)');
    return { outcome: 'disabled' };
  }

  const now = clock();
  const client = wechatpayClient(secret, {
    baseUrl: deps.baseUrl,
    verifier: () => certificateDownloadVerifier({ trusted: trustedKeys(secret.keys, now), apiV3Key: secret.apiV3Key, clock }),
    wechatpaySerial: downloadSigningSerial(secret.keys, now),
    transport: deps.transport,
    clock,
    ...deps.retry,
  });
  const deadlineMs = callDeadline(context, deps.deadlineMs ?? DEFAULT_DEADLINE_MS, RESERVED_MS);
  const response = await measuredCall(metrics, CERTIFICATES_OPERATION, clock, () => client.request({ method: 'GET', path: CERTIFICATES_PATH, body: Buffer.alloc(0), deadlineMs }));
  log.debug('platform certificates downloaded', { status: response.status, wechatpay_request_id: response.requestId, deadline_ms: deadlineMs });

  const download = readCertificateDownload(response.body, secret.apiV3Key, clock);
  for (const skipped of download.skipped) log.warn('downloaded platform certificate skipped', skipped);
  const merged = mergePlatformCertificates(secret.storedKeys, secret.keys, download.certificates, now);
  if (merged.added.length === 0 && merged.removed.length === 0) {
    const serials = Object.keys(merged.keys).filter((id) => !isPublicKeyId(id));
    log.info('platform certificates unchanged', { serials });
    return { outcome: 'unchanged', serials };
  }
  const versionId = await deps.secrets.write(secret.withKeys(merged.keys), current);
  log.info('platform certificates updated', { added: merged.added, removed: merged.removed, version_id: versionId });
  return { outcome: 'updated', added: merged.added, removed: merged.removed, versionId };
}
