/**
 * `npm run certificates -- --stage <stage> [--account merchant|partner]`: runs the
 * platform certificate refresher now, through the deployed functions
 * (`serverless invoke`). `--local` invokes the local stack's functions instead
 * (serverless-offline's Lambda endpoint, started by `npm start`).
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { findRunningStack, localUrl, NoRunningStackError, type RunningStack } from '../dev/stack/running-stack';

const FUNCTIONS = { merchant: 'refreshMerchantPlatformCertificates', partner: 'refreshPartnerPlatformCertificates' } as const;
const SERVICE = 'payscore-sign-plan';

export type Invocation = { kind: 'deployed'; command: string; args: string[] } | { kind: 'local'; url: string };

const USAGE = 'usage: npm run certificates -- --stage <stage> [--account merchant|partner]   or   npm run certificates -- --local [--account …]';

type Environment = Readonly<Record<string, string | undefined>>;

/** What to invoke for these arguments (`--local`: the running stack's functions); throws with the usage on a mistake. */
export function certificateInvocations(argv: string[], env: Environment, localStack: (env: Environment) => RunningStack = findRunningStack): Invocation[] {
  const { values } = parseArgs({ args: argv, options: { stage: { type: 'string' }, account: { type: 'string' }, local: { type: 'boolean', default: false } } });
  const accounts = values.account === undefined ? (['merchant', 'partner'] as const) : [values.account];
  if (!accounts.every((account): account is keyof typeof FUNCTIONS => account in FUNCTIONS)) throw new Error(`--account must be merchant or partner\n${USAGE}`);
  if (values.local) {
    const stack = localStack(env);
    const stage = values.stage ?? stack.stage;
    return accounts.map((account) => ({ kind: 'local', url: `${localUrl(stack.ports.lambda)}/2015-03-31/functions/${SERVICE}-${stage}-${FUNCTIONS[account]}/invocations` }));
  }
  if (!values.stage) throw new Error(`--stage is required (the deployed functions of which stage to run)\n${USAGE}`);
  return accounts.map((account) => ({ kind: 'deployed', command: 'npx', args: ['serverless', 'invoke', '--function', FUNCTIONS[account], '--stage', values.stage!] }));
}

async function run(invocation: Invocation): Promise<boolean> {
  if (invocation.kind === 'deployed') return spawnSync(invocation.command, invocation.args, { stdio: 'inherit' }).status === 0;
  let response: Response;
  try {
    response = await fetch(invocation.url, { method: 'POST', body: '{}' });
  } catch {
    console.error(`no local stack answers at ${new URL(invocation.url).origin}: is npm start still running?`);
    return false;
  }
  console.log(await response.text());
  return response.ok && !response.headers.has('x-amz-function-error');
}

async function main(): Promise<void> {
  let invocations: Invocation[];
  try {
    invocations = certificateInvocations(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`npm run certificates: ${(error as Error).message}`);
    process.exit(error instanceof NoRunningStackError ? 1 : 2);
  }
  let ok = true;
  for (const invocation of invocations) ok = (await run(invocation)) && ok;
  process.exit(ok ? 0 : 1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
