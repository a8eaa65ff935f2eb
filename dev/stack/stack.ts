/**
 * The whole system on 127.0.0.1, as `npm start` runs it: WeChat Pay sandbox,
 * Secrets Manager stand-in, dynalite with the ledger table, and
 * serverless-offline serving the functions against them.
 */
import { join } from 'node:path';
import { startDynamoDb, type DynamoDbStandIn } from '../aws/dynamodb';
import { awsEnvironment } from '../aws/environment';
import type { EventBridgeStandIn } from '../aws/eventbridge';
import { startSecretsManager, type SecretsManagerStandIn } from '../aws/secrets-manager';
import { accountSecret, type DevKeys } from '../keys';
import { sandboxAccountsFromDevKeys, startSandbox, type Sandbox } from '../sandbox';
import { startLedgerEvents } from './ledger-stream';
import { PROJECT_DIR, startOffline, type Offline } from './offline';
import { isPortFree, PortInUseError, type StackPorts } from './ports';
import { stageNames } from './running-stack';

export interface StackOptions {
  keys: DevKeys;
  ports: StackPorts;
  /** The serverless stage: names the secrets (`payscore/<stage>/…`) and the table. */
  stage?: string;
  /** Complete every order this long after creation (null: only on demand). */
  autoCompleteAfterMs?: number | null;
  /** WeChat Pay's retry waits (15 s … 6 h) are multiplied by this. */
  retryTimeScale?: number;
  /** The project whose functions are served (default: this one); tests serve a copy. */
  projectDir?: string;
  /** Progress lines. */
  progress: (line: string) => void;
  /** What serverless-offline prints. */
  offlineOutput: (line: string) => void;
  /** Each ledger event the local EventBridge receives, one line each (dev/stack/ledger-stream.ts). */
  events?: (line: string) => void;
}

export interface Stack {
  keys: DevKeys;
  stage: string;
  /** serverless-offline: the functions' routes. */
  apiUrl: string;
  sandbox: Sandbox;
  secretsManager: SecretsManagerStandIn;
  dynamoDb: DynamoDbStandIn;
  /** The local EventBridge: the events of the ledger's changes, as publishLedgerEvents sends them. */
  eventBridge: EventBridgeStandIn;
  tableName: string;
  secretIds: { merchant: string; partner: string };
  /** serverless-esbuild's work folder the functions are served from. */
  buildDir: string;
  stop(): Promise<void>;
}

/** Starts each piece in turn; if one fails, stops the ones already started and says which failed. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const stage = options.stage ?? 'local';
  const { ports, keys, progress } = options;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  const step = async <T extends { close?: () => Promise<void>; stop?: () => Promise<void> }>(name: string, port: keyof StackPorts, start: () => Promise<T>): Promise<T> => {
    if (!(await isPortFree(ports[port]))) throw new PortInUseError(port, ports[port]);
    progress(`starting ${name} on 127.0.0.1:${ports[port]}`);
    try {
      const started = await start();
      stops.push(() => (started.stop ?? started.close!).call(started));
      return started;
    } catch (error) {
      throw new Error(`${name} failed to start: ${(error as Error).message}`, { cause: error });
    }
  };

  const { secretIds, tableName } = stageNames(stage);
  const projectDir = options.projectDir ?? PROJECT_DIR;
  // Its own build folder, never `serverless package`'s (`.esbuild`, deleted when packaging ends) nor another
  // stack's: serverless-esbuild deletes or rewrites its folder, and serverless-offline loads each handler from it.
  const buildFolder = `.esbuild-stack-${ports.http}`;
  try {
    const secretsManager = await step('Secrets Manager stand-in', 'secretsManager', () =>
      startSecretsManager({
        port: ports.secretsManager,
        secrets: { [secretIds.merchant]: accountSecret(keys.merchant, keys.wechatpay), [secretIds.partner]: accountSecret(keys.partner, keys.wechatpay) },
      }),
    );
    const dynamoDb = await step('DynamoDB (dynalite) with the ledger table', 'dynamoDb', () => startDynamoDb({ port: ports.dynamoDb, tableName }));
    // The functions write the ledger through its stream (dynalite has none), whose events go to the local EventBridge.
    const ledgerEvents = await startLedgerEvents({
      dynamoDbUrl: dynamoDb.url,
      tableName,
      eventBusName: `payscore-sign-plan-${stage}-events`,
      onEvent: (line) => options.events?.(line),
      onProblem: progress,
    });
    stops.push(() => ledgerEvents.close());
    const sandbox = await step('WeChat Pay sandbox', 'sandbox', () =>
      startSandbox({
        port: ports.sandbox,
        accounts: sandboxAccountsFromDevKeys(keys),
        wechatpay: keys.wechatpay,
        signingMode: 'both',
        autoCompleteAfterMs: options.autoCompleteAfterMs ?? null,
        retryTimeScale: options.retryTimeScale ?? 0.01,
        // notify_url must be https; the local functions are served over http on loopback.
        notice: (line) => progress(`sandbox: ${line}`),
        resolveNotifyUrl: (url) => url.replace(/^https:\/\/127\.0\.0\.1:/, 'http://127.0.0.1:'),
      }),
    );
    if (!(await isPortFree(ports.lambda))) throw new PortInUseError('lambda', ports.lambda);
    const offline = await step('serverless-offline (the functions)', 'http', async (): Promise<Offline> => {
      const started = startOffline({
        projectDir,
        stage,
        httpPort: ports.http,
        lambdaPort: ports.lambda,
        params: {
          wechatpayBaseUrl: sandbox.url,
          merchantNotifyUrl: `https://127.0.0.1:${ports.http}/merchant/notify`,
          partnerNotifyUrl: `https://127.0.0.1:${ports.http}/partner/notify`,
        },
        env: { ...awsEnvironment({ secretsManagerUrl: secretsManager.url, dynamoDbUrl: ledgerEvents.url }), ESBUILD_WORK_FOLDER: buildFolder },
        onOutput: options.offlineOutput,
      });
      try {
        await started.ready(180_000);
      } catch (error) {
        await started.stop();
        throw error;
      }
      return started;
    });
    return {
      keys,
      stage,
      apiUrl: offline.url,
      sandbox,
      secretsManager,
      dynamoDb,
      eventBridge: ledgerEvents.eventBridge,
      tableName,
      secretIds,
      buildDir: join(projectDir, buildFolder),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
