/**
 * The deduction-notify function (SPEC "Receiving a deduction notification").
 * Checks run in the SPEC's order; a 2xx is only ever sent after the ledger
 * write is durable, so WeChat Pay retries everything else.
 */
import { AccountMismatchError } from '../errors';
import { notifyErrorResponse, type MappedError } from '../http/error-responses';
import { httpHandler } from '../http/http-handler';
import { eventHeaders, rawBody, type ProxyEvent } from '../http/event';
import type { HttpResponse } from '../http/response';
import type { Ledger } from '../ledger/ledger';
import type { Log } from '../log';
import type { Metrics } from '../metrics';
import type { AccountCredentials } from '../secrets/account-credentials';
import type { SecretCache } from '../secrets/secret-cache';
import {
  decryptNotificationResource,
  parseNotificationEnvelope,
  SignatureProbeError,
  systemClock,
  UnknownSerialError,
  VerificationError,
  type Clock,
  type HeaderBag,
} from '../wechatpay';

export interface DeductionNotifyDependencies {
  secrets: Pick<SecretCache, 'get' | 'forceRefresh'>;
  ledger: Pick<Ledger, 'recordNotification'>;
  clock?: Clock;
}

/**
 * Genuine notifications are a few KiB; the ledger records a plaintext of 60 KiB (SPEC), whose
 * base64 ciphertext makes an 80 KiB body. Anything far larger is refused before any work.
 */
export const MAX_NOTIFICATION_BYTES = 128 * 1024;

/** The ledger operation a notify function's `LedgerWriteFailures` are counted under. */
const NOTIFICATION_OPERATION = 'notification';

export function deductionNotifyHandler(baseLog: Log, dependencies: () => DeductionNotifyDependencies, metrics: Metrics) {
  const base = async (event: ProxyEvent): Promise<HttpResponse> => {
    const deps = dependencies();
    const clock = deps.clock ?? systemClock;
    const body = rawBody(event, MAX_NOTIFICATION_BYTES);
    const headers = eventHeaders(event);

    const { credentials, serial } = await verified(deps.secrets, headers, body);
    const envelope = parseNotificationEnvelope(body);
    const plaintext = decryptNotificationResource(envelope.resource, credentials.apiV3Key);
    const { mchid, sub_mchid: subMchid, out_order_no: outOrderNo, merchant_sign_plan_no: merchantSignPlanNo } = plaintext.fields;
    if (mchid !== credentials.mchid) throw new AccountMismatchError();
    const account = { mchid, subMchid: typeof subMchid === 'string' ? subMchid : undefined };
    baseLog.debug('notification verified and decrypted', { notification_id: envelope.id, event_type: envelope.event_type, wechatpay_serial: serial });

    let outcome;
    try {
      outcome = await deps.ledger.recordNotification({
        id: envelope.id,
        eventType: envelope.event_type,
        createTime: envelope.create_time,
        receivedAt: new Date(clock()).toISOString(),
        plaintext,
        order: typeof outOrderNo === 'string' ? { ...account, outOrderNo } : undefined,
        signPlan: typeof merchantSignPlanNo === 'string' ? { ...account, merchantSignPlanNo } : undefined,
        mchid,
      });
    } catch (error) {
      metrics.ledgerWriteFailed(NOTIFICATION_OPERATION);
      throw error;
    }
    metrics.notification(outcome, envelope.event_type);
    baseLog.info('notification recorded', {
      notification_id: envelope.id,
      event_type: envelope.event_type,
      out_order_no: outOrderNo,
      merchant_sign_plan_no: merchantSignPlanNo,
      // Which WeChat Pay key signed it: during a migration, tells when certificates are no longer used.
      wechatpay_serial: serial,
      outcome,
    });
    return { statusCode: 204, body: '' };
  };

  return httpHandler(base, baseLog, (error) => counted(metrics, error, notifyErrorResponse(error)));
}

/**
 * Counts a rejection: a probe apart; a failure when an operator must look (a 5xx, a key or route
 * that is wrong, a signature that fails: a WeChat Pay key change WeChat Pay's retries would hide for a day).
 */
function counted(metrics: Metrics, error: unknown, mapped: MappedError): MappedError {
  if (error instanceof SignatureProbeError) {
    metrics.signatureProbe();
  } else {
    const code = (error as { code?: unknown } | null)?.code;
    metrics.notificationRejected(typeof code === 'string' ? code : 'UNEXPECTED', mapped.severity === 'error' || error instanceof VerificationError);
  }
  return mapped;
}

/**
 * Verifies with the cached keys. A serial they lack (WeChat Pay may have rotated
 * its key) earns one rate-limited refresh of the secret; the verifier reports it
 * only after the headers and the timestamp passed.
 */
async function verified(
  secrets: DeductionNotifyDependencies['secrets'],
  headers: HeaderBag,
  body: Buffer,
): Promise<{ credentials: AccountCredentials; serial: string }> {
  const credentials = await secrets.get();
  try {
    return { credentials, serial: credentials.verifier.verify(headers, body).serial };
  } catch (error) {
    if (!(error instanceof UnknownSerialError)) throw error;
  }
  const refreshed = await secrets.forceRefresh();
  return { credentials: refreshed, serial: refreshed.verifier.verify(headers, body).serial };
}
