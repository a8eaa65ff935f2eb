/**
 * The notify handler as a warm container runs it: the production logger and
 * SecretCache over the real Secrets Manager client (endpoint from the
 * environment), and a ledger that keeps nothing, so only our own cost is measured
 * against the notification's physical floor (which writes nothing either).
 */
import type { Context } from 'aws-lambda';
import { secretsManagerClient } from '../lib/wiring/secrets-manager-client';
import { deductionNotifyHandler } from '../lib/handlers/deduction-notify';
import type { Ledger } from '../lib/ledger/ledger';
import { jsonLog } from '../lib/log';
import { DEFAULT_NAMESPACE, emfMetrics } from '../lib/metrics';
import { SecretCache } from '../lib/secrets/secret-cache';
import { lambdaContext } from '../test/helpers/events';
import type { BenchEvent } from './events';

/** Acknowledges every write at once and holds nothing: no growth of its own over 10,000 invocations. */
const inMemoryLedger: Pick<Ledger, 'recordNotification'> = {
  recordNotification: async () => 'applied',
};

const secretCache = (env: NodeJS.ProcessEnv) => new SecretCache({ client: secretsManagerClient(), secretId: env.WECHATPAY_SECRET_ID! });

/** A fresh container's notify handler: its first invocation fetches the secret. Its metrics go to stdout, as deployed. */
export function warmNotifyHandler(env: NodeJS.ProcessEnv) {
  const deps = { secrets: secretCache(env), ledger: inMemoryLedger };
  return deductionNotifyHandler(jsonLog({ service: 'deduction-notify' }), () => deps, emfMetrics({ namespace: DEFAULT_NAMESPACE, service: 'deduction-notify', functionName: 'bench' }));
}

type Handler = (event: BenchEvent, context: Context) => Promise<{ statusCode: number; body?: string }>;

/** Lambda's runtime builds the context, not the handler: one, built before anything is timed. */
const context = lambdaContext();

/** One invocation; a benchmark of failing invocations would measure the wrong thing, so any other status stops it. */
export async function invoke(handler: Handler, event: BenchEvent, expectedStatus: number): Promise<void> {
  const response = await handler(event, context);
  if (response.statusCode !== expectedStatus) throw new Error(`handler answered ${response.statusCode}, not ${expectedStatus}: ${response.body ?? ''}`);
}
