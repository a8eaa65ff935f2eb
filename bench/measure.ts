/**
 * One warm figure in a process of its own (started by bench/run.ts): stand-ins
 * and handlers in this process, results sent back over IPC. stdout is the
 * handlers' log stream, as in Lambda; the runner discards it.
 */
import { benchOptions } from './options';
import { flatCost } from './figures/flat-cost';
import { ledgerEvents } from './figures/ledger-events';
import { notifyWarm } from './figures/notify-warm';
import { peerWarm } from './figures/peer-warm';
import { createWarm, lifecycleWarm } from './figures/signed-call-warm';
import { reconciliation } from './figures/reconciliation';
import { throughput } from './figures/throughput';
import { startBenchWorld } from './world';

const FIGURES = { notifyWarm, createWarm, lifecycleWarm, peerWarm, flatCost, throughput, ledgerEvents, reconciliation };

const figure = process.argv[2] as keyof typeof FIGURES;
const world = await startBenchWorld();
Object.assign(process.env, world.functionEnvironment);
try {
  const result = await FIGURES[figure](world, benchOptions(process.argv));
  await new Promise((resolve) => process.send!(result, resolve));
} finally {
  await world.close();
}
// The SDK's keep-alive sockets and the IPC channel would keep the process alive.
process.exit(0);
