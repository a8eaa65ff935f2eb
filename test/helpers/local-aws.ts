/** The AWS stand-ins a handler test needs, reached through the real SDK clients. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDb, type DynamoDbStandIn } from '../../dev/aws/dynamodb';
import { startFaultProxy, type FaultProxy } from '../../dev/aws/fault-proxy';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../dev/aws/local-account';
import { startSecretsManager, type SecretsManagerStandIn } from '../../dev/aws/secrets-manager';
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

export async function startLocalAws(secrets: Record<string, string>, tableName = 'ledger-test'): Promise<LocalAws> {
  const [secretsManager, dynamoDb] = await Promise.all([startSecretsManager({ secrets }), startDynamoDb({ tableName })]);
  const ledgerProxy = await startFaultProxy({ target: dynamoDb.url });
  const direct = DynamoDBDocumentClient.from(new DynamoDBClient(config(dynamoDb.url, 2)));
  const proxied = DynamoDBDocumentClient.from(new DynamoDBClient(config(ledgerProxy.url, 2)), { marshallOptions: { removeUndefinedValues: true } });
  const secretsClient = new SecretsManagerClient(config(secretsManager.url));
  return {
    secretsManager,
    dynamoDb,
    ledgerProxy,
    secretCache: (secretId, options = {}) => new SecretCache({ client: secretsClient, secretId, ...options }),
    secretWriter: (secretId) => new SecretWriter({ client: secretsClient, secretId }),
    ledger: (options = {}) => new Ledger({ client: proxied, tableName, ...options }),
    items: async () => (await direct.send(new ScanCommand({ TableName: tableName }))).Items ?? [],
    item: async (key) => (await direct.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item,
    record: (key) => new Ledger({ client: direct, tableName }).read(key),
    close: async () => {
      direct.destroy();
      proxied.destroy();
      secretsClient.destroy();
      await Promise.all([ledgerProxy.close(), secretsManager.close(), dynamoDb.close()]);
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
