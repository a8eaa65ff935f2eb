/**
 * How the helper commands (`npm run ledger`, `npm run certificates -- --local`, …)
 * find the stack `npm start` runs, on whatever ports it was started: `npm start`
 * records it in `.local-stack/<pid>.json` (git-ignored) and removes the file when
 * it stops. A file whose process is gone (a killed `npm start`) does not count.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from './offline';
import { DEFAULT_PORTS, PORT_VARIABLES, portsFromEnvironment, type StackPorts } from './ports';

export const RUNNING_STACKS_DIR = join(PROJECT_DIR, '.local-stack');

export interface RunningStack {
  pid: number;
  stage: string;
  ports: StackPorts;
  tableName: string;
  secretIds: { merchant: string; partner: string };
}

type Environment = Readonly<Record<string, string | undefined>>;

/** The names a stage gives the local table and secrets, as serverless.yml gives the deployed ones. */
export const stageNames = (stage: string): Pick<RunningStack, 'tableName' | 'secretIds'> => ({
  tableName: `payscore-sign-plan-${stage}-ledger`,
  secretIds: { merchant: `payscore/${stage}/merchant`, partner: `payscore/${stage}/partner` },
});

export const localUrl = (port: number): string => `http://127.0.0.1:${port}`;

export class NoRunningStackError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The stacks whose `npm start` still runs, oldest first. */
export function runningStacks(dir = RUNNING_STACKS_DIR): RunningStack[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  return files
    .flatMap((file): RunningStack[] => {
      try {
        return [JSON.parse(readFileSync(join(dir, file), 'utf8')) as RunningStack];
      } catch {
        return []; // removed or half-written this instant
      }
    })
    .filter((stack) => isAlive(stack.pid))
    .sort((a, b) => a.pid - b.pid);
}

/** Records a started stack; the function returned removes the record (call it when the stack stops). */
export function recordRunningStack(stack: RunningStack, dir = RUNNING_STACKS_DIR): () => void {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir)) {
    const pid = Number(file.replace(/\.json$/, ''));
    if (Number.isInteger(pid) && !isAlive(pid)) rmSync(join(dir, file), { force: true });
  }
  const file = join(dir, `${stack.pid}.json`);
  writeFileSync(file, `${JSON.stringify(stack, null, 2)}\n`);
  return () => rmSync(file, { force: true });
}

/**
 * The running stack the helper commands talk to. The port variables and STAGE still
 * override what the record says (HTTP_PORT also picks one of several stacks); with
 * none running, they alone describe the stack. Throws NoRunningStackError, saying
 * what to do, when no stack is running or several are and nothing picks one.
 */
export function findRunningStack(env: Environment, dir = RUNNING_STACKS_DIR): RunningStack {
  const overrides = portsFromEnvironment(env);
  const setPorts = (Object.keys(PORT_VARIABLES) as Array<keyof StackPorts>).filter((name) => env[PORT_VARIABLES[name]]);
  const stacks = runningStacks(dir).filter((stack) => !env.HTTP_PORT || stack.ports.http === overrides.http);
  if (stacks.length > 1) {
    const list = stacks.map((stack) => `HTTP_PORT=${stack.ports.http} (stage ${stack.stage}, pid ${stack.pid})`).join(', ');
    throw new NoRunningStackError(`${stacks.length} local stacks are running: ${list}; pick one by putting its HTTP_PORT=… before the command`);
  }
  const [recorded] = stacks;
  if (!recorded && setPorts.length === 0 && !env.STAGE) {
    throw new NoRunningStackError('no local stack is running: start one with `npm start` (or set the port variables of one started otherwise)');
  }
  const base: RunningStack = recorded ?? { pid: 0, stage: 'local', ports: DEFAULT_PORTS, ...stageNames('local') };
  const stage = env.STAGE || base.stage;
  return {
    ...base,
    ...(stage === base.stage ? {} : { stage, ...stageNames(stage) }),
    ports: { ...base.ports, ...Object.fromEntries(setPorts.map((name) => [name, overrides[name]])) },
  };
}

/** findRunningStack for a command line: on failure (none running, a port variable that is no port), says so as `command: …` and exits 1. */
export function runningStackOrExit(command: string, env: Environment = process.env): RunningStack {
  try {
    return findRunningStack(env);
  } catch (error) {
    console.error(`${command}: ${(error as Error).message}`);
    process.exit(1);
  }
}
