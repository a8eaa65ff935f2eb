/**
 * `npm run bench [-- --quick]`: what a merchant pays per invocation and per
 * cold start, each against its physical floor measured in the same run.
 * Prints one table; writes every figure to reports/bench.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSize } from './figures/bundle-size';
import { coldStart } from './figures/cold-start';
import { buildFloor } from './floors/build';
import { benchOptions } from './options';
import { packageFunctions } from './package-functions';
import { run } from './processes';
import { machine, printTable, type BenchResults } from './report';
import { startBenchWorld } from './world';

const MEASURE = fileURLToPath(new URL('./measure.ts', import.meta.url));
const RESULTS = fileURLToPath(new URL('../reports/bench.json', import.meta.url));

/** taskset, when there is one: "on one core" for the throughput figure. */
const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
})();

/** A warm figure in a fresh process (bench/measure.ts), with GC exposed for the heap figures. */
async function measure<K extends keyof BenchResults>(figure: K, argv: readonly string[], oneCore = false): Promise<BenchResults[K]> {
  let result: unknown;
  const node = [process.execPath, '--no-warnings', '--expose-gc', '--import', 'tsx', MEASURE, figure, ...argv];
  const [command, ...args] = oneCore && hasTaskset ? ['taskset', '-c', '0', ...node] : node;
  await run(command!, args, { onMessage: (message) => (result = message) });
  return result as BenchResults[K];
}

const argv = process.argv.slice(2);
const options = benchOptions(argv);
const dir = await mkdtemp(join(tmpdir(), 'payscore-bench-'));
try {
  const log = (step: string) => console.error(`bench: ${step}`);
  log('packaging the functions');
  const packaged = await packageFunctions(dir);
  const [awsClients, secretFloor, secretLedgerFloor, createContractFloor] = await Promise.all([
    buildFloor('aws-clients', dir),
    buildFloor('secret-floor', dir),
    buildFloor('secret-ledger-floor', dir),
    buildFloor('create-contract-floor', dir),
  ]);
  log('notify handler, warm');
  const notifyWarm = await measure('notifyWarm', argv);
  log('create handler, warm');
  const createWarm = await measure('createWarm', argv);
  log(`flat cost over ${options.flatInvocations} invocations`);
  const flatCost = await measure('flatCost', argv);
  log('throughput with dynalite');
  const throughput = await measure('throughput', argv, true);
  log('cold starts');
  const world = await startBenchWorld();
  const cold = await coldStart(world, packaged, { secret: secretFloor, secretAndLedger: secretLedgerFloor, createContract: createContractFloor }, dir, options).finally(() => world.close());

  const results: BenchResults = {
    machine: machine(),
    mode: options.quick ? 'quick' : 'full',
    options,
    notifyWarm,
    createWarm,
    coldStart: cold,
    bundleSize: bundleSize(packaged, awsClients),
    flatCost,
    throughput: { ...throughput, pinnedToOneCore: hasTaskset },
  };
  printTable(results);
  await mkdir(join(RESULTS, '..'), { recursive: true });
  await writeFile(RESULTS, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nFigures written to reports/bench.json`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
