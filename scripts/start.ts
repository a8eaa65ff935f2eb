/**
 * `npm start`: the whole system on 127.0.0.1, one full flow for a merchant and
 * a partner shown as it happens, then it keeps serving until Ctrl-C.
 */
import { loadOrCreateDevKeys } from '../dev/keys';
import { exampleOrder, runFlow } from '../dev/stack/demo-flow';
import { portsFromEnvironment, PORT_VARIABLES } from '../dev/stack/ports';
import { startStack, type Stack } from '../dev/stack/stack';

const say = (line = '') => console.log(line);
const offlineLines: string[] = [];
let streaming = false;

async function main(): Promise<void> {
  const ports = portsFromEnvironment(process.env);
  say('PayScore sign-plan functions, local stack (nothing here reaches AWS or WeChat Pay)');
  say(`ports: ${Object.entries(ports).map(([name, port]) => `${name} ${port}`).join(', ')}  (set ${Object.values(PORT_VARIABLES).join(', ')} to move them)`);
  const keys = await loadOrCreateDevKeys('.dev-keys');
  say('development keys: .dev-keys/keys.json (generated on first run, git-ignored)');

  const stack = await startStack({
    keys,
    ports,
    autoCompleteAfterMs: process.env.AUTO_COMPLETE_MS ? Number(process.env.AUTO_COMPLETE_MS) : null,
    progress: (line) => say(`… ${line}`),
    offlineOutput: (line) => (streaming ? console.log(`  offline │ ${line}`) : offlineLines.push(line)),
  });
  stopOnSignals(stack);
  say(`ready: functions on ${stack.apiUrl}`);

  for (const kind of ['merchant', 'partner'] as const) {
    say();
    say(`── ${kind} flow ──`);
    await runFlow(stack, kind, (line) => say(line));
  }
  printUsage(stack);
  streaming = true;
}

function printUsage(stack: Stack): void {
  const body = JSON.stringify(exampleOrder('merchant'));
  say();
  say('── serving (Ctrl-C stops everything) ──');
  say(`functions (serverless-offline)  ${stack.apiUrl}   POST /merchant/service-orders, /partner/service-orders, /merchant/notify, /partner/notify`);
  say(`WeChat Pay sandbox              ${stack.sandbox.url}   (dev/sandbox/README.md lists its routes)`);
  say(`Secrets Manager stand-in        ${stack.secretsManager.url}   secrets ${stack.secretIds.merchant}, ${stack.secretIds.partner}`);
  say(`DynamoDB (dynalite)             ${stack.dynamoDb.url}   table ${stack.tableName}`);
  say();
  say(`Create an order: for a SIGNED sign plan (npm run sandbox -- seed ${stack.keys.merchant.mchid} makes one), its sign_plan_id and detail 1's out_trade_no:`);
  say(`  curl -s -X POST ${stack.apiUrl}/merchant/service-orders -H 'Content-Type: application/json' -d '${body}'`);
  say('Complete it: the sandbox then deducts and POSTs PAYSCORE.USER_PAID to /merchant/notify:');
  say(`  curl -s -X POST ${stack.sandbox.url}/sandbox/orders/<order_id>/complete`);
  say('See the delivery attempts, and the orders:');
  say(`  curl -s '${stack.sandbox.url}/sandbox/deliveries?notification_id=<notificationId>&wait=true'`);
  say(`  curl -s ${stack.sandbox.url}/sandbox/orders`);
  say('Read the ledger (in another terminal):');
  say('  npm run ledger');
  say();
}

function stopOnSignals(stack: Stack): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping the local stack…`);
    void stack.stop().then(() => {
      say('stopped.');
      process.exit(0);
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (offlineLines.length > 0) {
    console.error('serverless-offline said:');
    for (const line of offlineLines.slice(-40)) console.error(`  offline │ ${line}`);
  }
  console.error(`npm start failed: ${(error as Error).message}`);
  process.exit(1);
});
