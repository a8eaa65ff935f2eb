/**
 * CloudWatch metrics in the embedded metric format (EMF): one JSON line on stdout per event, which
 * CloudWatch Logs turns into metrics, with no call to CloudWatch. Hand-written rather than
 * Powertools Metrics: its flush took a quarter again of a warm notification (README "Deploy").
 *
 * Each metric is published twice over: without dimensions (the total that alarms watch) and by
 * its own dimensions (what the dashboard breaks it down by). serverless.yml's alarms and
 * dashboard name only the metrics of `METRICS` (test/deploy checks it).
 */
import { writeStdout } from './log';

type Unit = 'Count' | 'Milliseconds';

/** Every metric the functions emit: its unit and the dimensions it is broken down by. */
export const METRICS = {
  /** A notification recorded: `outcome` applied, late, duplicate or recorded; `event_type` WeChat Pay's. */
  Notifications: { unit: 'Count', dimensions: ['outcome', 'event_type'] },
  /** A notification refused, by error code; SIGNTEST probes are counted apart. */
  NotificationRejections: { unit: 'Count', dimensions: ['code'] },
  /** WeChat Pay checking that signatures are verified (`WECHATPAY/SIGNTEST/`): refused as it must be, not a failure. */
  SignatureProbes: { unit: 'Count', dimensions: [] },
  /** A rejection an operator must look at: a 5xx, a key that does not decrypt or match, a signature that fails and is no probe. */
  NotifyFailures: { unit: 'Count', dimensions: [] },
  /** A call to WeChat Pay (retries included), by operation and answer: its HTTP status, or TIMEOUT, UNAVAILABLE (unreachable, 5xx, untrusted), ERROR. */
  WechatpayCalls: { unit: 'Count', dimensions: ['operation', 'status'] },
  /** How long that call took. */
  WechatpayLatency: { unit: 'Milliseconds', dimensions: ['operation'] },
  /** A ledger write that failed (not a condition that did not hold), by operation. */
  LedgerWriteFailures: { unit: 'Count', dimensions: ['operation'] },
  /** A fetch of the account secret: `trigger` due (first use, interval) or forced (unknown serial); `outcome` loaded or failed. */
  SecretRefreshes: { unit: 'Count', dimensions: ['trigger', 'outcome'] },
  /** A platform certificate refresh: disabled, unchanged, updated or failed. */
  CertificateRefreshes: { unit: 'Count', dimensions: ['outcome'] },
  /** 1 when a refresh failed, 0 when it did not, per function: its minimum over two runs says both failed. */
  CertificateRefreshFailed: { unit: 'Count', dimensions: ['function_name'] },
  /** A reconciliation run's open objects older than its horizon, by kind. */
  ReconciliationFound: { unit: 'Count', dimensions: ['kind'] },
  /** Those it found WeChat Pay had moved on, and applied. */
  ReconciliationRepaired: { unit: 'Count', dimensions: ['kind'] },
  /** Those it did not reach (its budget of calls ran out): the next run takes them. */
  ReconciliationLeft: { unit: 'Count', dimensions: ['kind'] },
} as const satisfies Record<string, { unit: Unit; dimensions: readonly string[] }>;

export type MetricName = keyof typeof METRICS;

/** The answer status of a call to WeChat Pay as `WechatpayCalls` counts it. */
export type CallStatus = number | 'TIMEOUT' | 'UNAVAILABLE' | 'ERROR';

export type CertificateRefreshOutcome = 'disabled' | 'unchanged' | 'updated' | 'failed';

export interface Metrics {
  notification(outcome: string, eventType: string): void;
  /** `failure`: one an operator must look at (NotifyFailures). */
  notificationRejected(code: string, failure: boolean): void;
  signatureProbe(): void;
  wechatpayCall(operation: string, status: CallStatus, latencyMs: number): void;
  ledgerWriteFailed(operation: string): void;
  secretRefresh(trigger: 'due' | 'forced', outcome: 'loaded' | 'failed'): void;
  certificateRefresh(outcome: CertificateRefreshOutcome): void;
  reconciliation(kind: string, counts: { found: number; repaired: number; left: number }): void;
}

export interface EmfMetricsOptions {
  /** One per stage (serverless.yml `METRICS_NAMESPACE`). */
  namespace: string;
  /** The function kind, as its log lines name it (a property, not a dimension). */
  service: string;
  /** The Lambda function's name: the dimension of the metrics kept per function. */
  functionName: string;
  write?: (line: string) => void;
  clock?: () => number;
}

/** The namespace when METRICS_NAMESPACE is unset (a local run). */
export const DEFAULT_NAMESPACE = 'payscore-sign-plan';

export function emfMetrics(options: EmfMetricsOptions): Metrics {
  const write = options.write ?? writeStdout;
  const clock = options.clock ?? Date.now;
  // A metric's directive never changes: built once, serialised with each line.
  const directives = new Map<MetricName, object>();
  const directive = (name: MetricName) => {
    let built = directives.get(name);
    if (!built) {
      const { unit, dimensions } = METRICS[name];
      built = { Namespace: options.namespace, Dimensions: dimensions.length ? [[], dimensions] : [[]], Metrics: [{ Name: name, Unit: unit }] };
      directives.set(name, built);
    }
    return built;
  };
  /** One EMF document: the values of `names`, dimension values in `dimensions`. */
  const emit = (values: Partial<Record<MetricName, number>>, dimensions: Record<string, string> = {}) => {
    const names = Object.keys(values) as MetricName[];
    const document = {
      _aws: { Timestamp: clock(), CloudWatchMetrics: names.map(directive) },
      service: options.service,
      function_name: options.functionName,
      ...dimensions,
      ...values,
    };
    write(`${JSON.stringify(document)}\n`);
  };
  return {
    notification: (outcome, eventType) => emit({ Notifications: 1 }, { outcome, event_type: eventType }),
    notificationRejected: (code, failure) => emit(failure ? { NotificationRejections: 1, NotifyFailures: 1 } : { NotificationRejections: 1 }, { code }),
    signatureProbe: () => emit({ SignatureProbes: 1 }),
    wechatpayCall: (operation, status, latencyMs) => emit({ WechatpayCalls: 1, WechatpayLatency: latencyMs }, { operation, status: String(status) }),
    ledgerWriteFailed: (operation) => emit({ LedgerWriteFailures: 1 }, { operation }),
    secretRefresh: (trigger, outcome) => emit({ SecretRefreshes: 1 }, { trigger, outcome }),
    certificateRefresh: (outcome) => emit({ CertificateRefreshes: 1, CertificateRefreshFailed: outcome === 'failed' ? 1 : 0 }, { outcome }),
    reconciliation: (kind, counts) => emit({ ReconciliationFound: counts.found, ReconciliationRepaired: counts.repaired, ReconciliationLeft: counts.left }, { kind }),
  };
}
