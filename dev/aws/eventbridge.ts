/**
 * A local Amazon EventBridge that the real `@aws-sdk/client-eventbridge` talks to (AWS JSON 1.1,
 * `AWSEvents.PutEvents`, over http://127.0.0.1): it keeps every event it accepts, and fails whole
 * calls or some entries on demand, for tests of "the bus is down" and of partial failures.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isJsonObject } from '../../lib/wechatpay/json';
import { AwsError, awsJsonServer, toAwsError, type JsonObject } from './aws-json';
import { CallFaults, type CallFault } from './call-faults';
import { closeServer, listen } from './http-server';

export interface ReceivedEvent {
  /** The id this bus gave it. */
  id: string;
  eventBusName: string;
  source: string;
  detailType: string;
  /** Parsed. */
  detail: Record<string, unknown>;
  /** ISO 8601: the entry's Time, or when it arrived. */
  time: string;
  resources: string[];
}

/** An entry as sent, before this bus accepts or fails it. */
export type SentEntry = Omit<ReceivedEvent, 'id'>;

export interface EventBridgeOptions {
  port?: number;
  host?: string;
  /** The buses that exist (default: `default` only); an entry for another fails with ResourceNotFoundException. */
  eventBusNames?: string[];
  /** Called with each event accepted, as it arrives. */
  onEvent?: (event: ReceivedEvent) => void;
}

export interface EventBridgeStandIn {
  url: string;
  /** Every event accepted, in order of arrival. */
  readonly events: readonly ReceivedEvent[];
  /** PutEvents calls received, failed and hanging ones included; and the entries each carried. */
  readonly calls: { PutEvents: number; entries: number[] };
  /** The next `count` calls answer 500 InternalException (`error`) or no answer at all (`hang`). */
  fail(count: number, mode?: CallFault): void;
  /** From now on, entries that `which` picks fail with `errorCode` (in FailedEntryCount), the others are accepted; undefined: none fail. */
  failEntries(which: ((entry: SentEntry) => boolean) | undefined, errorCode?: string): void;
  /** Answers the hanging calls normally, now. */
  release(): void;
  /** Forgets the events and calls so far. */
  clear(): void;
  close(): Promise<void>;
}

const TARGET = 'AWSEvents.PutEvents';
const toServiceError = (error: unknown): AwsError => toAwsError(error, 'EventBridge', 'InternalException');
const MAX_ENTRIES = 10;

function checkTarget(request: IncomingMessage): void {
  // Like AWS, authentication is checked first; the signature itself is not verified.
  if (!request.headers.authorization) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const target = request.headers['x-amz-target'];
  if (target !== TARGET) throw new AwsError('UnknownOperationException', `Unknown operation: ${String(target)}`);
}

/** The entry as sent, or the error code and message AWS gives an entry it cannot take. */
function readEntry(entry: unknown, arrivedAt: Date): SentEntry | { code: string; message: string } {
  if (!isJsonObject(entry)) return { code: 'InvalidArgument', message: 'Entry is not an object.' };
  for (const member of ['Source', 'DetailType', 'Detail'] as const) {
    if (typeof entry[member] !== 'string' || entry[member] === '') return { code: 'InvalidArgument', message: `Parameter ${member} is not valid. Reason: ${member} is a required argument.` };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail as string);
  } catch {
    detail = undefined;
  }
  if (!isJsonObject(detail)) return { code: 'MalformedDetail', message: 'Detail is malformed.' };
  // JSON 1.1 timestamps are epoch seconds.
  const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : arrivedAt;
  return {
    eventBusName: typeof entry.EventBusName === 'string' && entry.EventBusName ? entry.EventBusName : 'default',
    source: entry.Source as string,
    detailType: entry.DetailType as string,
    detail,
    time: time.toISOString(),
    resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
  };
}

export async function startEventBridge(options: EventBridgeOptions = {}): Promise<EventBridgeStandIn> {
  const { port = 0, host = '127.0.0.1' } = options;
  const buses = new Set(options.eventBusNames ?? ['default']);
  const faults = new CallFaults();
  const events: ReceivedEvent[] = [];
  const calls = { PutEvents: 0, entries: [] as number[] };
  let failing: { which: (entry: SentEntry) => boolean; errorCode: string } | undefined;

  const putEvents = (input: JsonObject) => {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new AwsError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`);
    }
    const arrivedAt = new Date();
    const answers = entries.map((entry) => {
      const sent = readEntry(entry, arrivedAt);
      if ('code' in sent) return { ErrorCode: sent.code, ErrorMessage: sent.message };
      if (!buses.has(sent.eventBusName)) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${sent.eventBusName} does not exist.` };
      if (failing?.which(sent)) return { ErrorCode: failing.errorCode, ErrorMessage: 'Injected fault: this entry failed.' };
      const event = { id: randomUUID(), ...sent };
      events.push(event);
      options.onEvent?.(event);
      return { EventId: event.id };
    });
    return { FailedEntryCount: answers.filter((answer) => 'ErrorCode' in answer).length, Entries: answers };
  };

  const server = awsJsonServer({
    faults,
    unavailable: new AwsError('InternalException', 'Injected fault: EventBridge is unavailable.', 500),
    toError: toServiceError,
    accept: (request, input) => {
      checkTarget(request);
      calls.PutEvents += 1;
      calls.entries.push(Array.isArray(input.Entries) ? input.Entries.length : 0);
      return () => putEvents(input);
    },
  });
  const url = await listen(server, port, host);

  return {
    url,
    events,
    calls,
    fail: (count, mode = 'error') => faults.plan(count, mode),
    failEntries: (which, errorCode = 'InternalFailure') => void (failing = which && { which, errorCode }),
    release: () => faults.release(),
    clear: () => {
      events.length = 0;
      calls.PutEvents = 0;
      calls.entries.length = 0;
    },
    close: () => closeServer(server),
  };
}
