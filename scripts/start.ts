/**
 * `npm start`: the whole system on 127.0.0.1, one full flow for a merchant and
 * a partner shown as it happens, then it keeps serving until Ctrl-C.
 */
import { loadOrCreateDevKeys } from '../dev/keys';
import { exampleOrder, runFlow } from '../dev/stack/demo-flow';
import { portsFromEnvironment, PORT_VARIABLES } from '../dev/stack/ports';
import { recordRunningStack, runningStacks } from '../dev/stack/running-stack';
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
    events: (line) => say(`  event │ ${line}`),
  });
  // The helper commands find this stack by this record (dev/stack/running-stack.ts).
  const forget = recordRunningStack({ pid: process.pid, stage: stack.stage, ports, tableName: stack.tableName, secretIds: stack.secretIds });
  process.once('exit', forget);
  stopOnSignals(stack);
  say(`ready: functions on ${stack.apiUrl}`);

  for (const kind of ['merchant', 'partner'] as const) {
    say();
    say(`── ${kind} flow ──`);
    await runFlow(stack, kind, (line) => say(line));
  }
  printUsage(stack, ports.http);
  streaming = true;
}

function printUsage(stack: Stack, httpPort: number): void {
  // The helper commands find the one running stack by themselves; beside others, they need it named.
  const npmRun = runningStacks().length > 1 ? `HTTP_PORT=${httpPort} npm run` : 'npm run';
  // A sign plan of its own, so that the printed create works when pasted (once: detail 1, then complete it).
  const seeded = stack.sandbox.seedSignPlan({ mchid: stack.keys.merchant.mchid });
  const body = JSON.stringify(exampleOrder('merchant', { sign_plan_id: seeded.sign_plan_id, out_trade_no: seeded.details[0]!.merchant_plan_detail_no }));
  say();
  say('── serving (Ctrl-C stops everything) ──');
  say(`functions (serverless-offline)  ${stack.apiUrl}   POST /merchant/service-orders, /partner/service-orders, /merchant/notify, /partner/notify`);
  say(`WeChat Pay sandbox              ${stack.sandbox.url}   (dev/sandbox/README.md lists its routes)`);
  say(`Secrets Manager stand-in        ${stack.secretsManager.url}   secrets ${stack.secretIds.merchant}, ${stack.secretIds.partner}`);
  say(`DynamoDB (dynalite)             ${stack.dynamoDb.url}   table ${stack.tableName}`);
  say();
  say(`Create the order of detail 1 of a SIGNED sign plan seeded for it (${npmRun} sandbox -- seed ${stack.keys.merchant.mchid} makes more):`);
  say(`  curl -s -X POST ${stack.apiUrl}/merchant/service-orders -H 'Content-Type: application/json' -d '${body}'`);
  say('Complete it (the sandbox deducts and POSTs PAYSCORE.USER_PAID to /merchant/notify) and see the delivery:');
  say(`  ${npmRun} sandbox -- complete <order_id>`);
  say(`The sandbox's orders and deliveries (${npmRun} sandbox -- --help lists every command):`);
  say(`  ${npmRun} sandbox -- orders`);
  say(`  ${npmRun} sandbox -- deliveries`);
  say('Read the ledger, run the platform certificate refreshers:');
  say(`  ${npmRun} ledger`);
  say(`  ${npmRun} certificates -- --local`);
  say();
}

/**
 * Ctrl-C in a terminal signals the whole process group, and npm forwards the signal once more:
 * later signals must not kill the process halfway through stopping (so `on`, not `once`). npm start
 * runs this under `node --import tsx`, not the tsx command, whose relay re-sends a signal that the
 * child has not acknowledged within 30 ms, then kills it.
 */
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
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (offlineLines.length > 0) {
    console.error('serverless-offline said:');
    for (const line of offlineLines.slice(-40)) console.error(`  offline │ ${line}`);
  }
  console.error(`npm start failed: ${(error as Error).message}`);
  process.exit(1);
});
