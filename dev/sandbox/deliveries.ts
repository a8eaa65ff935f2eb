import type { Clock } from '../../lib/wechatpay';
import { notFound } from './api-error';
import type { BuiltNotification } from './notification';
import { postNotification } from './post-notification';
import type { Timers } from './timers';

/** How one notification is delivered; faults of SPEC "Receiving a deduction notification". */
export interface DeliveryPlan {
  /** Deliveries of the same body (each with its own retries): 1 normally. */
  copies: number;
  /** Start the copies at once instead of one after the other. */
  concurrent: boolean;
  /** First send a `WECHATPAY/SIGNTEST/` probe (one attempt, no retry). */
  probe: boolean;
}

export const PLAIN_DELIVERY: DeliveryPlan = { copies: 1, concurrent: false, probe: false };

export interface DeliveryAttempt {
  attempt: number;
  /** ISO time of the attempt, by the sandbox clock. */
  at: string;
  statusCode?: number;
  error?: string;
}

export type DeliveryOutcome = 'pending' | 'delivered' | 'failed' | 'cancelled';

/** One delivery of a notification and all its attempts. */
export interface DeliveryRecord {
  notificationId: string;
  orderId: string;
  eventType: string;
  /** Where it was POSTed. */
  url: string;
  /** 1…copies; 0 for the probe. */
  copy: number;
  probe: boolean;
  attempts: DeliveryAttempt[];
  outcome: DeliveryOutcome;
}

export interface DeliveriesOptions {
  clock: Clock;
  timers: Timers;
  /** Waits between attempts; their count + 1 is the number of attempts. */
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  /** Fresh signature headers per attempt: a retry hours later needs a current timestamp. */
  sign: (body: string) => Record<string, string>;
  signProbe: (body: string) => Record<string, string>;
  resolveUrl: (notifyUrl: string) => string;
  log: (line: string) => void;
}

/** Delivers notifications with WeChat Pay's retries, and keeps what happened for inspection. */
export class Deliveries {
  readonly #options: DeliveriesOptions;
  readonly #records: DeliveryRecord[] = [];
  readonly #settled = new Map<string, Promise<DeliveryRecord[]>>();
  readonly #stop = new AbortController();

  constructor(options: DeliveriesOptions) {
    this.#options = options;
  }

  deliver(notification: BuiltNotification, plan: DeliveryPlan): void {
    const url = this.#options.resolveUrl(notification.notifyUrl);
    const record = (copy: number, probe: boolean): DeliveryRecord => {
      const created: DeliveryRecord = { notificationId: notification.id, orderId: notification.orderId, eventType: notification.eventType, url, copy, probe, attempts: [], outcome: 'pending' };
      this.#records.push(created);
      return created;
    };
    const probe = plan.probe ? record(0, true) : undefined;
    const copies = Array.from({ length: plan.copies }, (_, index) => record(index + 1, false));
    const run = async (): Promise<DeliveryRecord[]> => {
      if (probe) await this.#run(probe, notification.body, 1);
      if (plan.concurrent) {
        await Promise.all(copies.map((copy) => this.#run(copy, notification.body)));
      } else {
        for (const copy of copies) await this.#run(copy, notification.body);
      }
      return probe ? [probe, ...copies] : copies;
    };
    this.#settled.set(notification.id, run());
  }

  async #run(record: DeliveryRecord, body: string, maxAttempts = this.#options.retryDelaysMs.length + 1): Promise<void> {
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      if (this.#stop.signal.aborted) break;
      const headers = record.probe ? this.#options.signProbe(body) : this.#options.sign(body);
      const at = new Date(this.#options.clock()).toISOString();
      const outcome = await postNotification({ url: record.url, headers, body, timeoutMs: this.#options.timeoutMs, signal: this.#stop.signal });
      record.attempts.push({ attempt, at, ...outcome });
      this.#options.log(`notification ${record.notificationId} attempt ${attempt} to ${record.url}: ${'statusCode' in outcome ? outcome.statusCode : outcome.error}`);
      if ('statusCode' in outcome && outcome.statusCode >= 200 && outcome.statusCode < 300) {
        record.outcome = 'delivered';
        return;
      }
      const delay = this.#options.retryDelaysMs[attempt - 1];
      if (attempt < maxAttempts && delay !== undefined && !(await this.#options.timers.sleep(delay))) break;
    }
    record.outcome = this.#stop.signal.aborted ? 'cancelled' : 'failed';
  }

  /** Every delivery so far (copies of the records), optionally of one notification. */
  list(notificationId?: string): DeliveryRecord[] {
    return this.#records.filter((record) => notificationId === undefined || record.notificationId === notificationId).map((record) => structuredClone(record));
  }

  /** Resolves when every delivery of the notification has settled (delivered, failed or cancelled). */
  async settled(notificationId: string): Promise<DeliveryRecord[]> {
    const settling = this.#settled.get(notificationId);
    if (!settling) throw notFound(`no notification ${notificationId.slice(0, 64)} was sent`);
    await settling;
    return this.list(notificationId);
  }

  /** Resolves when no delivery is pending, including ones started while waiting. */
  async idle(): Promise<void> {
    let count: number;
    do {
      count = this.#settled.size;
      await Promise.all(this.#settled.values());
    } while (count !== this.#settled.size);
  }

  /** Aborts attempts in flight; pending deliveries end `cancelled`. Timers are cancelled by their owner. */
  stop(): void {
    this.#stop.abort();
  }
}
