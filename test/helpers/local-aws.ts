/** The AWS stand-ins a handler test needs, reached through the real SDK clients. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { isDeepStrictEqual } from 'node:util';
import { startDynamoDb, type DynamoDbStandIn } from '../../dev/aws/dynamodb';
import { startEventBridge, type EventBridgeStandIn } from '../../dev/aws/eventbridge';
import { startFaultProxy, type FaultProxy } from '../../dev/aws/fault-proxy';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../dev/aws/local-account';
import { startSecretsManager, type SecretsManagerStandIn } from '../../dev/aws/secrets-manager';
import { streamRecord } from '../../dev/aws/stream-records';
import { EventBus } from '../../lib/event-bus/event-bus';
import type { ItemKey } from '../../lib/ledger/keys';
import { Ledger, type LedgerRecord } from '../../lib/ledger/ledger';
import { SecretCache } from '../../lib/secrets/secret-cache';
import { SecretWriter } from '../../lib/secrets/secret-writer';
import type { Transport } from '../../lib/wechatpay';

export interface LocalAws {
  secretsManager: SecretsManagerStandIn;
  dynamoDb: DynamoDbStandIn;
  /** In front of dynamoDb: the ledger's path, for "the ledger is down or slow". */
  ledgerProxy: FaultProxy;
  /** A fresh cache, as a new container would have. */
  secretCache(secretId: string, options?: Partial<ConstructorParameters<typeof SecretCache>[0]>): SecretCache;
  /** Reads and writes versions of the secret, as the certificate refresher does. */
  secretWriter(secretId: string): SecretWriter;
  ledger(options?: { writeTimeoutMs?: number }): Ledger;
  /** Reads the table directly, bypassing the proxy. */
  items(): Promise<Record<string, unknown>[]>;
  item(key: ItemKey): Promise<Record<string, unknown> | undefined>;
  /** An object's whole partition (the object, its notifications, intents, details), bypassing the proxy. */
  record(key: ItemKey): Promise<LedgerRecord>;
  /** The local EventBridge, with one bus: EVENT_BUS_NAME. */
  eventBridge: EventBridgeStandIn;
  /** The ledger events publisher's bus, through the real SDK client (one attempt per call). */
  eventBus(): EventBus;
  /**
   * The stream records of what `write` does to the items at `keys` (dynalite has no streams): their images
   * before and after, read from the table with the document client and marshalled as DynamoDB streams them,
   * in the order of `keys`. An item the write left as it was has none, as on DynamoDB.
   */
  streamRecords(keys: ItemKey[], write: () => Promise<unknown>): Promise<DynamoDBRecord[]>;
  /** The one stream record of what `write` does to the item at `key`; throws if it changed nothing. */
  streamRecord(key: ItemKey, write: () => Promise<unknown>): Promise<DynamoDBRecord>;
  close(): Promise<void>;
}

/**
 * One attempt for Secrets Manager, so that an injected failure is seen as it is. Two for
 * DynamoDB: dynalite closes idle keep-alive sockets, and a request racing that close gets
 * ECONNRESET, which the deployed clients (3 attempts) retry too. The fault proxy's faults persist.
 */
const config = (endpoint: string, maxAttempts = 1) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
  maxAttempts,
  requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true },
});

export const EVENT_BUS_NAME = 'payscore-sign-plan-test-events';

export async function startLocalAws(secrets: Record<string, string>, tableName = 'ledger-test'): Promise<LocalAws> {
  const [secretsManager, dynamoDb, eventBridge] = await Promise.all([
    startSecretsManager({ secrets }),
    startDynamoDb({ tableName }),
    startEventBridge({ eventBusNames: [EVENT_BUS_NAME] }),
  ]);
  const ledgerProxy = await startFaultProxy({ target: dynamoDb.url });
  const direct = DynamoDBDocumentClient.from(new DynamoDBClient(config(dynamoDb.url, 2)));
  const proxied = DynamoDBDocumentClient.from(new DynamoDBClient(config(ledgerProxy.url, 2)), { marshallOptions: { removeUndefinedValues: true } });
  const secretsClient = new SecretsManagerClient(config(secretsManager.url));
  const eventsClient = new EventBridgeClient(config(eventBridge.url));
  const item = async (key: ItemKey) => (await direct.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  const image = (found: Record<string, unknown> | undefined) => found && marshall(found);
  const streamRecords = async (keys: ItemKey[], write: () => Promise<unknown>) => {
    const before = await Promise.all(keys.map(item));
    await write();
    const after = await Promise.all(keys.map(item));
    return keys.flatMap((_, index) => (isDeepStrictEqual(before[index], after[index]) ? [] : [streamRecord({ tableName, before: image(before[index]), after: image(after[index]) })]));
  };
  return {
    secretsManager,
    dynamoDb,
    ledgerProxy,
    secretCache: (secretId, options = {}) => new SecretCache({ client: secretsClient, secretId, ...options }),
    secretWriter: (secretId) => new SecretWriter({ client: secretsClient, secretId }),
    ledger: (options = {}) => new Ledger({ client: proxied, tableName, ...options }),
    items: async () => (await direct.send(new ScanCommand({ TableName: tableName }))).Items ?? [],
    item,
    record: (key) => new Ledger({ client: direct, tableName }).read(key),
    eventBridge,
    eventBus: () => new EventBus({ client: eventsClient, eventBusName: EVENT_BUS_NAME }),
    streamRecords,
    streamRecord: async (key, write) => {
      const [record] = await streamRecords([key], write);
      if (!record) throw new Error(`the write left ${key.pk} ${key.sk} as it was: no stream record`);
      return record;
    },
    close: async () => {
      direct.destroy();
      proxied.destroy();
      secretsClient.destroy();
      eventsClient.destroy();
      await Promise.all([ledgerProxy.close(), secretsManager.close(), dynamoDb.close(), eventBridge.close()]);
    },
  };
}

/** `transport`, after whose answer the ledger fails: WeChat Pay has done it, and the ledger cannot record it. */
export const ledgerFailsAfter =
  (aws: Pick<LocalAws, 'ledgerProxy'>, transport: Transport): Transport =>
  async (url, request) => {
    const answer = await transport(url, request);
    aws.ledgerProxy.set('fail');
    return answer;
  };
