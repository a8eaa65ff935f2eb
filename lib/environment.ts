/** The functions' configuration (SPEC "Deployed surface"), read from the environment in one place. */
import { EnvironmentError } from './errors';
import { isNotifyUrl } from './service-order/notify-url';

/** The process environment as a function receives it. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface FunctionEnvironment {
  secretId: string;
  baseUrl: string;
  ledgerTable: string;
  notifyUrl: string | undefined;
}

export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';

function required(env: Environment, name: string): string {
  const value = env[name];
  if (!value) throw new EnvironmentError(name, 'is required: set it in serverless.yml for this function');
  return value;
}

export function readEnvironment(env: Environment): FunctionEnvironment {
  const baseUrl = env.WECHATPAY_BASE_URL || DEFAULT_BASE_URL;
  if (!URL.canParse(baseUrl)) throw new EnvironmentError('WECHATPAY_BASE_URL', 'is not a URL');
  const notifyUrl = env.NOTIFY_URL || undefined;
  if (notifyUrl !== undefined && !isNotifyUrl(notifyUrl)) {
    throw new EnvironmentError('NOTIFY_URL', 'must be an https URL of at most 256 characters');
  }
  return { secretId: required(env, 'WECHATPAY_SECRET_ID'), baseUrl, ledgerTable: required(env, 'LEDGER_TABLE'), notifyUrl };
}

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
