import type { Clock } from '../../lib/wechatpay';
import { notFound } from './api-error';
import type { BuiltNotification } from './notification';
import { postNotification } from './post-notification';
import type { Timers } from './timers';

/** How one notification is delivered; faults of SPEC "Receiving a deduction notification". */
export interface DeliveryPlan {
  /** Deliveries of the same body (each with its own retries): 1 normally, 0 for a probe alone. */
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
  /** What it is about: a service order or a user sign plan. */
  orderId?: string;
  signPlanId?: string;
  eventType: string;
  /** Where it was POSTed. */
  url: string;
  /** 1…copies; 0 for the probe. */
  copy: number;
  probe: boolean;
  /** 0 for the first send, n for the nth replay of the same notification. */
  replay: number;
  attempts: DeliveryAttempt[];
  outcome: DeliveryOutcome;
}

export interface DeliveriesOptions {
  clock: Clock;
  timers: Timers;
  timeoutMs: number;
  /** Fresh signature headers per attempt: a retry hours later needs a current timestamp. */
  sign: (body: string) => Record<string, string>;
  signProbe: (body: string) => Record<string, string>;
  resolveUrl: (notifyUrl: string) => string;
  log: (line: string) => void;
  notice: (line: string) => void;
}

interface Sent {
  /** Undefined while reserved: the notification will be sent later (a deduction to come). */
  notification?: BuiltNotification;
  /** Each send's deliveries, settled: the first send, then each replay. */
  sends: Promise<void>[];
  /** Settles a reservation's first send when it is sent, or dropped. */
  release?: () => void;
}

/** Delivers notifications with WeChat Pay's retries, and keeps what happened for inspection. */
export class Deliveries {
  readonly #options: DeliveriesOptions;
  readonly #records: DeliveryRecord[] = [];
  readonly #sent = new Map<string, Sent>();
  readonly #stop = new AbortController();
  /** Notify URLs whose rewrite by `resolveUrl` was already said. */
  readonly #announced = new Set<string>();
  #forwardTo: string | null = null;

  constructor(options: DeliveriesOptions) {
    this.#options = options;
  }

  deliver(notification: BuiltNotification, plan: DeliveryPlan): void {
    const reserved = this.#sent.get(notification.id);
    const send = this.#start(notification, plan, 0);
    if (reserved?.release) {
      reserved.notification = notification;
      void send.then(reserved.release);
      delete reserved.release;
    } else {
      this.#sent.set(notification.id, { notification, sends: [send] });
    }
  }

  /**
   * An id whose notification is sent later (the USER_PAID of a deduction to come):
   * waiting for it waits for that send; `drop` ends the wait when it will never come.
   */
  reserve(notificationId: string): void {
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    this.#sent.set(notificationId, { sends: [first], release });
  }

  /** A reservation that will not be sent (its order was cancelled): waiting for it ends. */
  drop(notificationId: string): void {
    const sent = this.#sent.get(notificationId);
    if (!sent?.release) return;
    sent.release();
    this.#sent.delete(notificationId);
  }

  /** Delivers an already sent notification again: the same id and body, freshly signed, to where deliveries go now. */
  replay(notificationId: string, plan: DeliveryPlan): { notificationId: string; replay: number } {
    const sent = this.#get(notificationId);
    if (!sent.notification) throw notFound(`notification ${notificationId.slice(0, 64)} is not sent yet`);
    const replay = sent.sends.length;
    sent.sends.push(this.#start(sent.notification, plan, replay));
    return { notificationId, replay };
  }

  /** From now on, deliver every notification to `url` instead of its notify_url; null: to its notify_url again. */
  forward(url: string | null): { url: string | null } {
    this.#forwardTo = url;
    this.#options.notice(url === null ? 'notifications go to their notify_url again' : `notifications are forwarded to ${url} from now on`);
    return this.forwarding();
  }

  forwarding(): { url: string | null } {
    return { url: this.#forwardTo };
  }

  /** Records every delivery at once (before the first await), then runs them. */
  async #start(notification: BuiltNotification, plan: DeliveryPlan, replay: number): Promise<void> {
    const url = this.#urlFor(notification.notifyUrl);
    const record = (copy: number, probe: boolean): DeliveryRecord => {
      const created: DeliveryRecord = { notificationId: notification.id, ...notification.subject, eventType: notification.eventType, url, copy, probe, replay, attempts: [], outcome: 'pending' };
      this.#records.push(created);
      return created;
    };
    const probe = plan.probe ? record(0, true) : undefined;
    const copies = Array.from({ length: plan.copies }, (_, index) => record(index + 1, false));
    const delays = notification.retryDelaysMs;
    if (probe) await this.#run(probe, notification.body, [], 1);
    if (plan.concurrent) {
      await Promise.all(copies.map((copy) => this.#run(copy, notification.body, delays)));
    } else {
      for (const copy of copies) await this.#run(copy, notification.body, delays);
    }
  }

  /** The forwarding URL, else the notify_url as `resolveUrl` maps it; a rewrite is said once per notify_url, so that no one wonders where it went. */
  #urlFor(notifyUrl: string): string {
    if (this.#forwardTo !== null) return this.#forwardTo;
    const url = this.#options.resolveUrl(notifyUrl);
    if (url !== notifyUrl && !this.#announced.has(notifyUrl)) {
      this.#announced.add(notifyUrl);
      const downgrade = notifyUrl.startsWith('https:') && url.startsWith('http:') ? ': plain http here, where WeChat Pay itself delivers only over https' : '';
      this.#options.notice(`notify_url ${notifyUrl} is delivered to ${url} (resolveNotifyUrl)${downgrade}`);
    }
    return url;
  }

  #get(notificationId: string): Sent {
    const sent = this.#sent.get(notificationId);
    if (!sent) throw notFound(`no notification ${notificationId.slice(0, 64)} was sent`);
    return sent;
  }

  /** Attempts until a 2xx: `delays` are the waits between attempts, their count + 1 the attempts. */
  async #run(record: DeliveryRecord, body: string, delays: readonly number[], maxAttempts = delays.length + 1): Promise<void> {
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
      const delay = delays[attempt - 1];
      if (attempt < maxAttempts && delay !== undefined && !(await this.#options.timers.sleep(delay))) break;
    }
    record.outcome = this.#stop.signal.aborted ? 'cancelled' : 'failed';
  }

  /** Every delivery so far (copies of the records), optionally of one notification, and of one send of it (0 the first, n the nth replay). */
  list(notificationId?: string, replay?: number): DeliveryRecord[] {
    return this.#records
      .filter((record) => (notificationId === undefined || record.notificationId === notificationId) && (replay === undefined || record.replay === replay))
      .map((record) => structuredClone(record));
  }

  /** The deliveries of a notification that was sent (of one send of it); 404 for one that never was. */
  listSent(notificationId: string, replay?: number): DeliveryRecord[] {
    this.#sends(notificationId, replay);
    return this.list(notificationId, replay);
  }

  /** Resolves when every delivery of the notification (of one send of it) has settled: delivered, failed or cancelled. */
  async settled(notificationId: string, replay?: number): Promise<DeliveryRecord[]> {
    let sends: Promise<void>[];
    do {
      sends = this.#sends(notificationId, replay);
      await Promise.all(sends);
    } while (sends.length !== this.#sends(notificationId, replay).length);
    return this.list(notificationId, replay);
  }

  /** Resolves when no delivery is pending, including ones started while waiting; a reservation not yet sent is no delivery. */
  async idle(): Promise<void> {
    const started = () => [...this.#sent.values()].filter((sent) => sent.notification).flatMap((sent) => sent.sends);
    let sends: Promise<void>[];
    do {
      sends = started();
      await Promise.all(sends);
    } while (sends.length !== started().length);
  }

  #sends(notificationId: string, replay?: number): Promise<void>[] {
    const { sends } = this.#get(notificationId);
    if (replay === undefined) return [...sends];
    const send = sends[replay];
    if (!send) throw notFound(`notification ${notificationId} has no replay ${replay}`);
    return [send];
  }

  /** Aborts attempts in flight; pending deliveries end `cancelled`; reservations are dropped. Timers are cancelled by their owner. */
  stop(): void {
    this.#stop.abort();
    for (const [id, sent] of this.#sent) if (sent.release) this.drop(id);
  }
}
