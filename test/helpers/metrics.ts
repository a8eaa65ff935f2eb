/** The production metrics (lib/metrics.ts) writing to memory: tests read the EMF documents a handler wrote. */
import { emfMetrics, type Metrics } from '../../lib/metrics';

export const TEST_NAMESPACE = 'payscore-sign-plan/test';
export const TEST_FUNCTION_NAME = 'payscore-sign-plan-test-function';

export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [member: string]: unknown;
}

export interface RecordingMetrics extends Metrics {
  lines: string[];
  documents(): EmfDocument[];
  /** Each document as its metric values and dimension values, without the directive: what a test asserts. */
  emitted(): Record<string, unknown>[];
}

export function recordingMetrics(service = 'test', clock: () => number = () => Date.UTC(2026, 11, 4)): RecordingMetrics {
  const lines: string[] = [];
  const metrics = emfMetrics({ namespace: TEST_NAMESPACE, service, functionName: TEST_FUNCTION_NAME, write: (line) => lines.push(line), clock });
  const documents = () => lines.map((line) => JSON.parse(line) as EmfDocument);
  return {
    ...metrics,
    lines,
    documents,
    emitted: () => documents().map(({ _aws, service: _service, function_name: _functionName, ...rest }) => rest),
  };
}
