import { systemClock, type Clock } from '../../lib/wechatpay';
import type { DevWechatpayKeys } from '../keys';
import type { SandboxAccount } from './accounts';
import type { SigningMode } from './response-signing';

export interface SandboxOptions {
  /** The registered WeChat Pay accounts (see `sandboxAccountsFromDevKeys`). */
  accounts: readonly SandboxAccount[];
  /** The key WeChat Pay signs with, published as its public key id and as a platform certificate. */
  wechatpay: DevWechatpayKeys;
  /** 0 (default): any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default `publicKey`. */
  signingMode?: SigningMode;
  /** Complete each new order (as the merchant's complete call at the detail's price) this long after creation; null/undefined: only on demand. */
  autoCompleteAfterMs?: number | null;
  /**
   * How long after the merchant's complete the sandbox deducts (PAYSCORE.USER_PAID).
   * No page gives WeChat Pay's timing; default one minute × `retryTimeScale`.
   */
  deductAfterMs?: number;
  /** Multiplies WeChat Pay's retry waits (15 s … 6 h); default 1. */
  retryTimeScale?: number;
  /** How long a notification attempt may wait for an answer; default 5000, as WeChat Pay. */
  deliveryTimeoutMs?: number;
  /** Milliseconds since the epoch: request timestamps, signatures and times are by this clock. */
  clock?: Clock;
  /** Receives one line per request and delivery attempt; default: silent. */
  log?: (line: string) => void;
  /** Lines for the person at the screen (a notify_url rewritten, deliveries forwarded); default: `log`. */
  notice?: (line: string) => void;
  /**
   * Where a notify_url is really delivered. WeChat Pay requires https notify_urls,
   * while the local stack serves http: map one to the other here. Default: as is.
   */
  resolveNotifyUrl?: (notifyUrl: string) => string;
  /** Price of every plan detail of a seeded sign plan (`seedSignPlan`), in fen; default 1000. */
  planDetailAmount?: number;
}

export type ResolvedOptions = Required<Omit<SandboxOptions, 'autoCompleteAfterMs' | 'notice'>> & { autoCompleteAfterMs: number | null; notice: (line: string) => void };

/** The nominal wait between a complete and its deduction, before `retryTimeScale`. */
export const DEDUCTION_DELAY_MS = 60_000;

export function resolveOptions(options: SandboxOptions): ResolvedOptions {
  const log = options.log ?? (() => undefined);
  return {
    port: 0,
    host: '127.0.0.1',
    signingMode: 'publicKey',
    retryTimeScale: 1,
    deliveryTimeoutMs: 5000,
    clock: systemClock,
    log,
    notice: log,
    resolveNotifyUrl: (notifyUrl) => notifyUrl,
    planDetailAmount: 1000,
    deductAfterMs: DEDUCTION_DELAY_MS * (options.retryTimeScale ?? 1),
    ...definedOnly(options),
    accounts: options.accounts,
    wechatpay: options.wechatpay,
    autoCompleteAfterMs: options.autoCompleteAfterMs ?? null,
  };
}

/** `{port: undefined}` must mean the default, not override it. */
const definedOnly = <T extends object>(object: T): Partial<T> =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
