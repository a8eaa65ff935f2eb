/** The stand-ins a benchmark runs against, all on 127.0.0.1: WeChat Pay sandbox, Secrets Manager, dynalite. */
import { awsEnvironment } from '../dev/aws/environment';
import { sandboxAccountsFromDevKeys, startSandbox, type Sandbox } from '../dev/sandbox';
import { createTestWorld, type TestWorld } from '../test/helpers/accounts';
import { EVENT_BUS_NAME, startLocalAws, type LocalAws } from '../test/helpers/local-aws';
import { signPlansIn } from '../test/helpers/orders';

export const MERCHANT_SECRET_ID = 'payscore/bench/merchant';
export const LEDGER_TABLE = 'payscore-bench-ledger';

export interface BenchWorld {
  keys: TestWorld;
  aws: LocalAws;
  sandbox: Sandbox;
  /** What a function's process needs to reach the stand-ins, as serverless.yml would set it. */
  functionEnvironment: Record<string, string>;
  close(): Promise<void>;
}

export async function startBenchWorld(): Promise<BenchWorld> {
  const keys = await createTestWorld();
  const [aws, sandbox] = await Promise.all([
    startLocalAws({ [MERCHANT_SECRET_ID]: keys.secret(keys.merchant) }, LEDGER_TABLE),
    startSandbox({ accounts: sandboxAccountsFromDevKeys(keys), wechatpay: keys.wechatpay }),
  ]);
  // The sandbox takes orders only for its SIGNED sign plans: each bench order gets one.
  signPlansIn(keys, sandbox);
  const functionEnvironment = {
    ...awsEnvironment({ secretsManagerUrl: aws.secretsManager.url, dynamoDbUrl: aws.dynamoDb.url, eventBridgeUrl: aws.eventBridge.url }),
    WECHATPAY_SECRET_ID: MERCHANT_SECRET_ID,
    EVENT_BUS_NAME,
    LEDGER_TABLE,
    WECHATPAY_BASE_URL: sandbox.url,
  };
  return { keys, aws, sandbox, functionEnvironment, close: () => Promise.all([sandbox.close(), aws.close()]).then(() => undefined) };
}
