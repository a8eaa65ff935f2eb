/**
 * The ledger's stream consumer (SPEC "Events"): one EventBridge event per change of an object's
 * status, so that the notify path makes no extra call and no change is recorded without its event.
 *
 * A batch comes from one shard, in order. Its events are published in that order; at the first that
 * fails, that record and every one after it are reported (ReportBatchItemFailures): Lambda retries
 * from the first reported, and the records before it are not sent again.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ledgerEvent, type LedgerEvent } from '../events/ledger-events';
import type { EventBus, PublishResult } from '../event-bus/event-bus';
import { withContext, type Log } from '../log';

export interface PublishLedgerEventsDependencies {
  bus: Pick<EventBus, 'publish'>;
}

interface Change {
  /** Its record's position in the batch. */
  index: number;
  event: LedgerEvent;
}

/** The batch's events, each with its record; stops at a record that cannot be read (reported, as one that failed). */
function changesOf(records: readonly DynamoDBRecord[], log: Log): { changes: Change[]; unreadable?: number } {
  const changes: Change[] = [];
  for (const [index, record] of records.entries()) {
    try {
      const event = ledgerEvent(record);
      if (event) changes.push({ index, event });
    } catch (error) {
      log.error('ledger stream record unreadable; reported as failed', { sequence_number: record.dynamodb?.SequenceNumber, error });
      return { changes, unreadable: index };
    }
  }
  return { changes };
}

/**
 * What one PutEvents call may take, its SDK retries included (lib/wiring/aws-sdk-settings.ts): a call
 * starts only with this much of the invocation left, so that a slow EventBridge ends the batch with its
 * remaining records reported, not with a timeout that would send the published ones again.
 */
export const CALL_BUDGET_MS = 10_000;

export function publishLedgerEventsHandler(baseLog: Log, dependencies: () => PublishLedgerEventsDependencies) {
  return async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    const log = withContext(baseLog, { aws_request_id: context.awsRequestId });
    const records = event.Records;
    const { changes, unreadable } = changesOf(records, log);
    const result: PublishResult = changes.length ? await dependencies().bus.publish(
          changes.map((change) => change.event),
          () => context.getRemainingTimeInMillis() > CALL_BUDGET_MS,
        ) : { published: 0, calls: 0 };
    const failedAt = Math.min(changes[result.published]?.index ?? records.length, unreadable ?? records.length);
    const reported = records.slice(failedAt).map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }));
    const published = changes.filter((change) => change.index < failedAt);
    log.info('ledger events published', {
      records: records.length,
      events: published.length,
      put_events_calls: result.calls,
      detail_types: published.map((change) => change.event.detailType),
      ...(reported.length ? { failed_records: reported.length } : {}),
    });
    if (result.failure) {
      log.warn('ledger events not published; their records are reported for retry', {
        error_code: result.failure.code,
        error_message: result.failure.message,
        first_sequence_number: reported[0]?.itemIdentifier,
      });
    }
    return { batchItemFailures: reported };
  };
}
