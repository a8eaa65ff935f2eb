/**
 * The functions' configuration (SPEC "Deployed surface"), read from the environment in one place.
 * Each function reads only what it uses, so that serverless.yml gives it only that (a function
 * without the ledger has no LEDGER_TABLE) and a missing variable is named at its first use.
 */
import { EnvironmentError } from './errors';
import { DEFAULT_NAMESPACE } from './metrics';
import { isNotifyUrl } from './service-order/notify-url';

/** The process environment as a function receives it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Every function: its account's secret. */
export interface SecretEnvironment {
  secretId: string;
}

/** Functions that call WeChat Pay. */
export interface WechatpayEnvironment {
  baseUrl: string;
}

/** Functions that read or write the ledger. */
export interface LedgerEnvironment {
  ledgerTable: string;
}

/** A create function: all of the above, and the notify_url it fills in. */
export interface FunctionEnvironment extends SecretEnvironment, WechatpayEnvironment, LedgerEnvironment {
  notifyUrl: string | undefined;
}

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';

function required(env: Environment, name: string): string {
  const value = env[name];
  if (!value) throw new EnvironmentError(name, 'is required: set it in serverless.yml for this function');
  return value;
}

export const readSecretEnvironment = (env: Environment): SecretEnvironment => ({ secretId: required(env, 'WECHATPAY_SECRET_ID') });

export const readLedgerEnvironment = (env: Environment): LedgerEnvironment => ({ ledgerTable: required(env, 'LEDGER_TABLE') });

export function readWechatpayEnvironment(env: Environment): WechatpayEnvironment {
  const baseUrl = env.WECHATPAY_BASE_URL || DEFAULT_BASE_URL;
  if (!URL.canParse(baseUrl)) throw new EnvironmentError('WECHATPAY_BASE_URL', 'is not a URL');
  return { baseUrl };
}

/** A create function's configuration. */
export function readEnvironment(env: Environment): FunctionEnvironment {
  const wechatpay = readWechatpayEnvironment(env);
  const notifyUrl = env.NOTIFY_URL || undefined;
  if (notifyUrl !== undefined && !isNotifyUrl(notifyUrl)) {
    throw new EnvironmentError('NOTIFY_URL', 'must be an https URL of at most 256 characters');
  }
  return { ...wechatpay, ...readSecretEnvironment(env), ...readLedgerEnvironment(env), notifyUrl };
}

/** The ledger events publisher's configuration: the bus it publishes to. */
export const readEventsEnvironment = (env: Environment): { eventBusName: string } => ({ eventBusName: required(env, 'EVENT_BUS_NAME') });

/** Where a function's metrics go (lib/metrics.ts), and the name they are kept under per function; never fails. */
export const metricsEnvironment = (env: Environment) => ({ namespace: env.METRICS_NAMESPACE || DEFAULT_NAMESPACE, functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? '' });

/** The reconciliation's bounds, as given (an unset one takes the handler's default). */
export interface ReconcileEnvironment {
  pendingAfterS?: number;
  openAfterS?: number;
  maxCalls?: number;
  perSecond?: number;
}

export function readReconcileEnvironment(env: Environment): ReconcileEnvironment {
  const whole = (name: string, minimum: number): number | undefined => {
    const text = env[name];
    if (!text) return undefined;
    if (!/^\d{1,9}$/.test(text) || Number(text) < minimum) throw new EnvironmentError(name, `must be a whole number of at least ${minimum}`);
    return Number(text);
  };
  const limits = { pendingAfterS: whole('RECONCILE_PENDING_AFTER_S', 0), openAfterS: whole('RECONCILE_OPEN_AFTER_S', 0), maxCalls: whole('RECONCILE_MAX_CALLS', 1), perSecond: whole('RECONCILE_PER_SECOND', 1) };
  return Object.fromEntries(Object.entries(limits).filter((entry) => entry[1] !== undefined));
}
