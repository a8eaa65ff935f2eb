/**
 * `npm run bench [-- --quick]`: what a merchant pays per invocation and per
 * cold start, each against its floor measured in the same run, and the notify
 * function against the same function written with a peer SDK. Prints the
 * tables; writes every figure, the targets and the verdicts to reports/bench.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry } from './bundle-entry';
import { bundleSize, peerBundleSize } from './figures/bundle-size';
import { coldStart } from './figures/cold-start';
import { benchOptions } from './options';
import { packageFunctions } from './package-functions';
import { run } from './processes';
import { machine, peerPackage, printTables, verdicts, type BenchFigures, type BenchResults } from './report';
import { TARGETS } from './targets';
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

type MeasuredFigures = Pick<BenchFigures, 'notifyWarm' | 'createWarm' | 'lifecycleWarm' | 'flatCost' | 'throughput' | 'ledgerEvents' | 'reconciliation'> & { peerWarm: BenchFigures['peer']['warm'] };

/** A warm figure in a fresh process (bench/measure.ts), with GC exposed for the heap figures. */
async function measure<K extends keyof MeasuredFigures>(figure: K, argv: readonly string[], oneCore = false): Promise<MeasuredFigures[K]> {
  let result: unknown;
  const node = [process.execPath, '--no-warnings', '--expose-gc', '--import', 'tsx', MEASURE, figure, ...argv];
  const [command, ...args] = oneCore && hasTaskset ? ['taskset', '-c', '0', ...node] : node;
  await run(command!, args, { onMessage: (message) => (result = message) });
  return result as MeasuredFigures[K];
}

const argv = process.argv.slice(2);
const options = benchOptions(argv);
const dir = await mkdtemp(join(tmpdir(), 'payscore-bench-'));
try {
  const log = (step: string) => console.error(`bench: ${step}`);
  log('packaging the functions, bundling the floors and the peer');
  const [packaged, awsClients, awsClientsWithQuery, notifyFloor, createFloor, lifecycleFloor, peerNotify] = await Promise.all([
    // A folder of its own: packaging empties the one it is given.
    packageFunctions(join(dir, 'functions')),
    bundleEntry('floors/aws-clients', dir),
    bundleEntry('floors/aws-clients-with-query', dir),
    bundleEntry('floors/secret-ledger-floor', dir),
    bundleEntry('floors/create-contract-floor', dir),
    bundleEntry('floors/lifecycle-contract-floor', dir),
    bundleEntry('peers/wechatpay-axios-plugin-notify', dir),
  ]);
  log('notify handler, warm');
  const notifyWarm = await measure('notifyWarm', argv);
  log('create function, warm');
  const createWarm = await measure('createWarm', argv);
  log('lifecycle function, warm');
  const lifecycleWarm = await measure('lifecycleWarm', argv);
  log('notify function, warm, ours and the peer');
  const peerWarm = await measure('peerWarm', argv);
  log(`flat cost over ${options.flatInvocations} invocations`);
  const flatCost = await measure('flatCost', argv);
  log('throughput with dynalite');
  const throughput = await measure('throughput', argv, true);
  log('ledger events publisher, per 1,000 changes');
  const ledgerEvents = await measure('ledgerEvents', argv);
  log('reconciliation of 1,000 open orders');
  const reconciliation = await measure('reconciliation', argv);
  log('cold starts');
  const world = await startBenchWorld();
  const { peerNotify: peerColdStart, ...cold } = await coldStart(world, packaged, { notifyFloor, createFloor, lifecycleFloor, peerNotify }, dir, options).finally(() => world.close());

  const figures: BenchFigures = {
    notifyWarm,
    createWarm,
    lifecycleWarm,
    coldStart: cold,
    bundleSize: bundleSize(packaged, { notify: awsClients, create: awsClientsWithQuery, lifecycle: awsClientsWithQuery }),
    peer: { package: peerPackage('wechatpay-axios-plugin'), coldStart: peerColdStart, warm: peerWarm, bundleSize: peerBundleSize(packaged.notify, peerNotify) },
    flatCost,
    throughput: { ...throughput, pinnedToOneCore: hasTaskset },
    ledgerEvents,
    reconciliation,
  };
  const results: BenchResults = { machine: machine(), mode: options.quick ? 'quick' : 'full', options, targets: TARGETS, verdicts: verdicts(figures), ...figures };
  printTables(results);
  await mkdir(join(RESULTS, '..'), { recursive: true });
  await writeFile(RESULTS, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nFigures written to reports/bench.json`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
