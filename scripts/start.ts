/**
 * `npm start`: the whole system on 127.0.0.1, one full flow for a merchant and
 * a partner shown as it happens, then it keeps serving until Ctrl-C.
 */
import { loadOrCreateDevKeys } from '../dev/keys';
import { freshNumbers, orderRequest, planRequest, runFlow, userSignPlanRequest } from '../dev/stack/demo-flow';
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
    say(`── ${kind}: a sign plan from plan to paid details ──`);
    await runFlow(stack, kind, (line) => say(line));
  }
  printUsage(stack, ports.http);
  streaming = true;
}

function printUsage(stack: Stack, httpPort: number): void {
  // The helper commands find the one running stack by themselves; beside others, they need it named.
  const npmRun = runningStacks().length > 1 ? `HTTP_PORT=${httpPort} npm run` : 'npm run';
  const api = `${stack.apiUrl}/merchant`;
  // Numbers of their own, so that the printed commands walk a new sign plan when pasted.
  const numbers = freshNumbers();
  const post = (path: string, body?: Record<string, unknown>) =>
    `curl -s -X POST ${api}${path}${body === undefined ? '' : ` -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`}`;
  const detail1 = { plan_detail_no: 1, merchant_plan_detail_no: numbers.detailNos[0]! };
  say();
  say('── serving (Ctrl-C stops everything) ──');
  say(`functions (serverless-offline)  ${stack.apiUrl}   /merchant/… and /partner/…: plans, user-sign-plans, service-orders, notify`);
  say(`WeChat Pay sandbox              ${stack.sandbox.url}   (dev/sandbox/README.md lists its routes)`);
  say(`Secrets Manager stand-in        ${stack.secretsManager.url}   secrets ${stack.secretIds.merchant}, ${stack.secretIds.partner}`);
  say(`DynamoDB (dynalite)             ${stack.dynamoDb.url}   table ${stack.tableName}`);
  say();
  say('The same by hand, for the merchant (a partner: /partner/… with sub_mchid in the body or ?sub_mchid=); put in the <…> from the answers:');
  say('Create a plan of 3 details:');
  say(`  ${post('/plans', planRequest('merchant', numbers))}`);
  say("Pre-sign it for a user (the answer's package opens the signing page):");
  say(`  ${post('/user-sign-plans', userSignPlanRequest('merchant', numbers, '<plan_id>'))}`);
  say('The user signs (the sandbox delivers PAYSCORE.USER_SIGN_PLAN to /merchant/notify), and the ledger has it SIGNED:');
  say(`  ${npmRun} sandbox -- sign <sign_plan_id>`);
  say(`  curl -s ${api}/user-sign-plans/${numbers.merchantSignPlanNo}`);
  say("Create the order of plan detail 1, then complete it at the detail's price (the sandbox deducts and delivers PAYSCORE.USER_PAID):");
  say(`  ${post('/service-orders', orderRequest('merchant', '<sign_plan_id>', detail1))}`);
  say(`  ${post(`/service-orders/${detail1.merchant_plan_detail_no}/complete`)}`);
  say(`The order paid, as the ledger has it; the sandbox's orders and deliveries (${npmRun} sandbox -- --help lists every command):`);
  say(`  curl -s ${api}/service-orders/${detail1.merchant_plan_detail_no}`);
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
