import { describe, expect, it } from 'vitest';
import { emfMetrics, METRICS } from '../../lib/metrics';

function capture() {
  const lines: string[] = [];
  const metrics = emfMetrics({ namespace: 'payscore-sign-plan/prod', service: 'deduction-notify', functionName: 'payscore-sign-plan-prod-merchantDeductionNotify', write: (line) => lines.push(line), clock: () => 1_764_806_400_000 });
  return { metrics, lines, documents: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('emfMetrics', () => {
  it('writes one EMF line per event: each metric in its namespace, as a total (no dimensions) and by its own dimensions', () => {
    const { metrics, lines, documents } = capture();
    metrics.notification('applied', 'PAYSCORE.USER_PAID');
    expect(lines[0]!.endsWith('}\n')).toBe(true);
    expect(documents()).toEqual([
      {
        _aws: {
          Timestamp: 1_764_806_400_000,
          CloudWatchMetrics: [{ Namespace: 'payscore-sign-plan/prod', Dimensions: [[], ['outcome', 'event_type']], Metrics: [{ Name: 'Notifications', Unit: 'Count' }] }],
        },
        service: 'deduction-notify',
        function_name: 'payscore-sign-plan-prod-merchantDeductionNotify',
        outcome: 'applied',
        event_type: 'PAYSCORE.USER_PAID',
        Notifications: 1,
      },
    ]);
  });

  it('each method emits the metrics METRICS defines, with their units and every dimension they name', () => {
    const { metrics, documents } = capture();
    metrics.notification('late', 'PAYSCORE.USER_CONFIRM');
    metrics.notificationRejected('WECHATPAY_SIGNATURE_MISMATCH', true);
    metrics.notificationRejected('PAYLOAD_TOO_LARGE', false);
    metrics.signatureProbe();
    metrics.wechatpayCall('create', 200, 87);
    metrics.ledgerWriteFailed('create');
    metrics.secretRefresh('forced', 'loaded');
    metrics.certificateRefresh('unchanged');
    metrics.reconciliation('SERVICE_ORDER', { found: 3, repaired: 1, left: 0 });
    const emitted = documents().map((document) => {
      const { _aws, service, function_name, ...members } = document as { _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } } & Record<string, unknown>;
      for (const directive of _aws.CloudWatchMetrics) {
        const [{ Name, Unit }] = directive.Metrics as [{ Name: keyof typeof METRICS; Unit: string }];
        expect(Unit).toBe(METRICS[Name].unit);
        const own = METRICS[Name].dimensions as readonly string[];
        expect(directive.Dimensions).toEqual(own.length ? [[], own] : [[]]);
        for (const dimension of own) expect(typeof document[dimension]).toBe('string');
      }
      return members;
    });
    expect(emitted).toEqual([
      { outcome: 'late', event_type: 'PAYSCORE.USER_CONFIRM', Notifications: 1 },
      { code: 'WECHATPAY_SIGNATURE_MISMATCH', NotificationRejections: 1, NotifyFailures: 1 },
      { code: 'PAYLOAD_TOO_LARGE', NotificationRejections: 1 },
      { SignatureProbes: 1 },
      { operation: 'create', status: '200', WechatpayCalls: 1, WechatpayLatency: 87 },
      { operation: 'create', LedgerWriteFailures: 1 },
      { trigger: 'forced', outcome: 'loaded', SecretRefreshes: 1 },
      { outcome: 'unchanged', CertificateRefreshes: 1, CertificateRefreshFailed: 0 },
      { kind: 'SERVICE_ORDER', ReconciliationFound: 3, ReconciliationRepaired: 1, ReconciliationLeft: 0 },
    ]);
    // Every metric of METRICS is emitted by some method.
    const names = new Set(documents().flatMap((document) => (document._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics.map((directive) => directive.Metrics[0]!.Name)));
    expect([...names].sort()).toEqual(Object.keys(METRICS).sort());
  });

  it('a failed certificate refresh is 1 in CertificateRefreshFailed, per function', () => {
    const { metrics, documents } = capture();
    metrics.certificateRefresh('failed');
    expect(documents()[0]).toMatchObject({ outcome: 'failed', function_name: 'payscore-sign-plan-prod-merchantDeductionNotify', CertificateRefreshes: 1, CertificateRefreshFailed: 1 });
  });
});
