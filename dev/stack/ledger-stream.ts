/**
 * The ledger's DynamoDB stream and its consumer, for the local stack: dynalite has no streams.
 *
 * The functions reach dynalite through a proxy that, for each PutItem, UpdateItem or DeleteItem
 * passing through, reads the item before and after it (one write per item at a time, so the two
 * images are exactly that write's) and turns a change into a stream record, as DynamoDB streams do
 * (NEW_AND_OLD_IMAGES; a write that changes nothing has none). The records go in order, in batches
 * as Lambda sends them, to the ledger events publisher (the real handler and EventBridge client)
 * against the local EventBridge; records it reports are retried, then given up, as Lambda does.
 * Writes that bypass the proxy (`npm run ledger` reads only) are not streamed.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { Agent, createServer, request as forwardRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { EventBus } from '../../lib/event-bus/event-bus';
import { publishLedgerEventsHandler } from '../../lib/handlers/publish-ledger-events';
import { jsonLog } from '../../lib/log';
import { startEventBridge, type EventBridgeStandIn, type ReceivedEvent } from '../aws/eventbridge';
import { closeServer, listen, readBody } from '../aws/http-server';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../aws/local-account';
import { streamRecord, type Image } from '../aws/stream-records';

/** As serverless.yml's stream event: batchSize and maximumRetryAttempts. */
const BATCH_SIZE = 100;
const MAXIMUM_RETRY_ATTEMPTS = 10;
const RETRY_DELAY_MS = 100;

const WRITES = new Set(['DynamoDB_20120810.PutItem', 'DynamoDB_20120810.UpdateItem', 'DynamoDB_20120810.DeleteItem']);

export interface LedgerStreamOptions {
  /** dynalite's URL. */
  target: string;
  tableName: string;
  /** One batch of records; the records it reports are given again, from the first reported on. */
  consume(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse>;
  /** Records given up after the retries (a deployment's dead-letter queue). */
  onGivenUp(records: DynamoDBRecord[]): void;
  retryDelayMs?: number;
}

export interface LedgerStream {
  /** The proxy the functions use as their DynamoDB endpoint. */
  url: string;
  /** Resolves once every record so far has been consumed or given up. */
  drained(): Promise<void>;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The item a write names: its Key, or the key attributes of PutItem's Item. */
function writtenKey(table: string, target: string | undefined, body: Buffer): Image | undefined {
  if (!target || !WRITES.has(target)) return undefined;
  try {
    const input = JSON.parse(body.toString('utf8')) as { TableName?: string; Key?: Image; Item?: Image };
    if (input.TableName !== table) return undefined;
    const key = input.Key ?? (input.Item && { pk: input.Item.pk!, sk: input.Item.sk! });
    return key?.pk && key.sk ? key : undefined;
  } catch {
    return undefined;
  }
}

export async function startLedgerStream(options: LedgerStreamOptions): Promise<LedgerStream> {
  const agent = new Agent({ keepAlive: true });
  const reader = new DynamoDBClient({ endpoint: options.target, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const read = async (key: Image) => (await reader.send(new GetItemCommand({ TableName: options.tableName, Key: key, ConsistentRead: true }))).Item;
  /** The last write of each item: the next waits for it. */
  const writing = new Map<string, Promise<unknown>>();
  const queue: DynamoDBRecord[] = [];
  let consuming: Promise<void> | undefined;

  const forward = (request: IncomingMessage, body: Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const upstream = forwardRequest(new URL(request.url ?? '/', options.target), { method: request.method, headers: request.headers, agent }, (answer) => {
        readBody(answer).then((answerBody) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: answerBody }), reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });

  /** A write with its images before and after; its record queued when it changed the item. */
  const streamed = async (key: Image, request: IncomingMessage, body: Buffer): Promise<Answer> => {
    const before = await read(key);
    const answer = await forward(request, body);
    if (answer.status !== 200) return answer;
    const after = await read(key);
    if (!isDeepStrictEqual(before, after)) {
      queue.push(streamRecord({ tableName: options.tableName, before, after }));
      consuming ??= consume().finally(() => (consuming = undefined));
    }
    return answer;
  };

  const deliver = async (batch: DynamoDBRecord[]): Promise<void> => {
    let records = batch;
    for (let attempt = 0; attempt <= MAXIMUM_RETRY_ATTEMPTS && records.length; attempt += 1) {
      if (attempt > 0) await sleep(options.retryDelayMs ?? RETRY_DELAY_MS);
      const answer = await options.consume({ Records: records }).catch(() => ({ batchItemFailures: [{ itemIdentifier: records[0]!.dynamodb!.SequenceNumber! }] }));
      const reported = new Set(answer.batchItemFailures.map((failure) => failure.itemIdentifier));
      // Lambda retries from the first record reported.
      const from = records.findIndex((record) => reported.has(record.dynamodb!.SequenceNumber!));
      records = from < 0 ? [] : records.slice(from);
    }
    if (records.length) options.onGivenUp(records);
  };

  async function consume(): Promise<void> {
    while (queue.length) await deliver(queue.splice(0, BATCH_SIZE));
  }

  const server = createServer((request, response) => {
    readBody(request)
      .then(async (body) => {
        const key = writtenKey(options.tableName, request.headers['x-amz-target'] as string | undefined, body);
        let answer: Promise<Answer>;
        if (key) {
          const id = JSON.stringify(key);
          answer = (writing.get(id) ?? Promise.resolve()).catch(() => undefined).then(() => streamed(key, request, body));
          writing.set(id, answer);
          void answer.finally(() => writing.get(id) === answer && writing.delete(id)).catch(() => undefined);
        } else {
          answer = forward(request, body);
        }
        const { status, headers, body: answerBody } = await answer;
        response.writeHead(status, headers);
        response.end(answerBody);
      })
      // dynalite unreachable looks to the client like a dropped connection, as it would on a network.
      .catch(() => response.destroy());
  });
  const url = await listen(server, 0, '127.0.0.1');

  return {
    url,
    drained: async () => {
      while (consuming || writing.size) await (consuming ?? Promise.all(writing.values()).catch(() => undefined));
    },
    async close() {
      await closeServer(server);
      agent.destroy();
      reader.destroy();
    },
  };
}

/** What a Lambda invocation of the local publisher is given. */
const localContext = (): Context =>
  ({ awsRequestId: `local-${Date.now()}`, functionName: 'publishLedgerEvents', getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;

/** One event as `npm start` prints it. */
export function eventLine(event: ReceivedEvent): string {
  const detail = event.detail as Record<string, any>;
  const account = detail.account?.sub_mchid ? `${detail.account.mchid}/${detail.account.sub_mchid}` : String(detail.account?.mchid);
  const number = detail.out_order_no ?? detail.merchant_sign_plan_no ?? detail.merchant_plan_no;
  const item = detail.plan_detail_no === undefined ? number : `${number} detail ${detail.plan_detail_no}`;
  const collection = detail.collection_state ? ` (collection ${detail.collection_state})` : '';
  const amounts = detail.amounts ? `, ${Object.entries(detail.amounts).map(([name, amount]) => `${name} ${String(amount)}`).join(', ')}` : '';
  const source = [detail.change?.source, detail.change?.source_id].filter(Boolean).join(' ');
  return `${event.detailType}: ${account} ${item}, ${detail.previous_state ?? 'new'} → ${detail.state}${collection}${amounts}; from ${source}; event_id ${detail.event_id}`;
}

export interface LedgerEventsOptions {
  /** dynalite's URL. */
  dynamoDbUrl: string;
  tableName: string;
  /** The bus, named as serverless.yml names the stack's own. */
  eventBusName: string;
  /** Each event the bus receives, as one line. */
  onEvent(line: string): void;
  /** The publisher's warnings and errors, and records given up. */
  onProblem(line: string): void;
}

export interface LedgerEvents {
  /** The DynamoDB endpoint for the functions. */
  url: string;
  eventBridge: EventBridgeStandIn;
  drained(): Promise<void>;
  close(): Promise<void>;
}

/** The local EventBridge, the ledger's stream and the publisher consuming it: a deployment's events, locally. */
export async function startLedgerEvents(options: LedgerEventsOptions): Promise<LedgerEvents> {
  const eventBridge = await startEventBridge({ eventBusNames: [options.eventBusName], onEvent: (event) => options.onEvent(eventLine(event)) });
  const client = new EventBridgeClient({ endpoint: eventBridge.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const bus = new EventBus({ client, eventBusName: options.eventBusName });
  const publish = publishLedgerEventsHandler(jsonLog({ service: 'publish-ledger-events', level: 'WARN', write: (line) => options.onProblem(line.trimEnd()) }), () => ({ bus }));
  const stream = await startLedgerStream({
    target: options.dynamoDbUrl,
    tableName: options.tableName,
    consume: (event) => publish(event, localContext()),
    onGivenUp: (records) => options.onProblem(`ledger events: ${records.length} stream record(s) given up after ${MAXIMUM_RETRY_ATTEMPTS} retries (deployed, the dead-letter queue would hold them)`),
  });
  return {
    url: stream.url,
    eventBridge,
    drained: () => stream.drained(),
    async close() {
      await stream.close();
      client.destroy();
      await eventBridge.close();
    },
  };
}
