/**
 * The only code that talks to Amazon EventBridge: publishes ledger events in order, at most
 * PutEvents' 10 entries per call, and says how far it got.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type LedgerEvent } from '../events/ledger-events';

/** PutEvents takes at most this many entries per call. */
export const MAX_ENTRIES_PER_CALL = 10;

export interface EventBusOptions {
  client: Pick<EventBridgeClient, 'send'>;
  /** The bus's name (or ARN). */
  eventBusName: string;
}

export interface PublishResult {
  /** How many of the events, from the first, are known published: every one before the first that failed. */
  published: number;
  /** PutEvents calls made. */
  calls: number;
  /** Why the event at `published` was not: a failed call, or the entry's own error code. */
  failure?: { code: string; message: string };
}

export class EventBus {
  readonly #options: EventBusOptions;

  constructor(options: EventBusOptions) {
    this.#options = options;
  }

  /**
   * Publishes the events in order, one call per 10, and stops at the first that fails: the caller
   * retries from there (the later entries of that call may have been published too, and are sent again).
   * `hasTime` is asked before each call: false stops there too (OUT_OF_TIME), rather than be cut off midway.
   */
  async publish(events: readonly LedgerEvent[], hasTime: () => boolean = () => true): Promise<PublishResult> {
    let calls = 0;
    for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
      if (!hasTime()) return { published: start, calls, failure: { code: 'OUT_OF_TIME', message: 'too little of the invocation is left for another PutEvents call' } };
      const chunk = events.slice(start, start + MAX_ENTRIES_PER_CALL);
      calls += 1;
      let answer;
      try {
        answer = await this.#options.client.send(new PutEventsCommand({ Entries: chunk.map((event) => this.#entry(event)) }));
      } catch (error) {
        return { published: start, calls, failure: { code: (error as Error).name, message: (error as Error).message } };
      }
      if (!answer.FailedEntryCount) continue;
      // Entries answer in the order sent; a failed one has an ErrorCode and no EventId. A count without
      // a failed entry to show is taken to be the first: sent again rather than lost.
      const failed = Math.max(0, chunk.findIndex((_, index) => answer.Entries?.[index]?.EventId === undefined));
      const entry = answer.Entries?.[failed];
      return { published: start + failed, calls, failure: { code: entry?.ErrorCode ?? 'UnknownError', message: entry?.ErrorMessage ?? 'PutEvents reported a failed entry' } };
    }
    return { published: events.length, calls };
  }

  #entry(event: LedgerEvent) {
    return {
      EventBusName: this.#options.eventBusName,
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      ...(event.time && !Number.isNaN(Date.parse(event.time)) ? { Time: new Date(event.time) } : {}),
    };
  }
}
