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

/** The ledger events publisher's configuration: the bus it publishes to. */
export const readEventsEnvironment = (env: Environment): { eventBusName: string } => ({ eventBusName: required(env, 'EVENT_BUS_NAME') });
