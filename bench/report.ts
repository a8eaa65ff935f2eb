/** The one table `npm run bench` prints (Markdown, so the README can show it as measured), and the machine it ran on. */
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { bundleSize } from './figures/bundle-size';
import type { createWarm } from './figures/create-warm';
import type { coldStart } from './figures/cold-start';
import type { flatCost } from './figures/flat-cost';
import type { notifyWarm } from './figures/notify-warm';
import type { throughput } from './figures/throughput';
import type { BenchOptions } from './options';
import type { Comparison } from './stats';

type Result<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

export interface BenchResults {
  machine: ReturnType<typeof machine>;
  mode: 'quick' | 'full';
  options: BenchOptions;
  notifyWarm: Result<typeof notifyWarm>;
  createWarm: Result<typeof createWarm>;
  coldStart: Result<typeof coldStart>;
  bundleSize: ReturnType<typeof bundleSize>;
  flatCost: Result<typeof flatCost>;
  throughput: Result<typeof throughput> & { pinnedToOneCore: boolean };
}

export const machine = () => ({ cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` });

const ms = (value: number) => (value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(value < 10 ? 2 : 0)} ms`);
const bytes = (value: number) => `${value.toLocaleString('en-US')} B`;
const ratio = (value: number) => value.toFixed(2);
const verdict = (met: boolean) => (met ? 'met' : '**missed**');

function timingRow(figure: string, comparison: Comparison, target: number): string {
  const { ours, floor } = comparison;
  return `| ${figure} | ${ms(ours.median)} (p99 ${ms(ours.p99)}) | ${ms(floor.median)} (p99 ${ms(floor.p99)}) | ${ratio(comparison.ratio)} | ${ratio(comparison.p99Ratio)} | ≤ ${target} | ${verdict(comparison.ratio <= target)} |`;
}

function secretRow(figure: string, calls: BenchResults['notifyWarm']['getSecretValue']): string {
  const met = calls.calls === 1 && calls.laterCalls === 0;
  return `| ${figure} | ${calls.calls} in the first ${calls.firstInvocations.toLocaleString('en-US')}, ${calls.laterCalls} in the next ${calls.laterInvocations.toLocaleString('en-US')} | 1 | | | 1 | ${verdict(met)} |`;
}

export function printTable(results: BenchResults): void {
  const { notifyWarm, createWarm, coldStart, bundleSize, flatCost, throughput } = results;
  const lines = [
    '| figure | ours: median (p99) | floor: median (p99) | ratio | p99 ratio | target | |',
    '|---|---|---|---|---|---|---|',
    timingRow('notify handler, warm, per invocation', notifyWarm.perInvocation, 1.5),
    timingRow('create handler, warm, per invocation (sandbox on loopback)', createWarm.perInvocation, 1.3),
    timingRow('cold start + first invocation, notify function', coldStart.notify, 1.25),
    timingRow('cold start + first invocation, create function', coldStart.create, 1.25),
    ...Object.entries(bundleSize).map(
      ([name, size]) => `| bundle size, ${name} function (.mjs; map ${bytes(size.ours.sourceMapBytes)}, zip ${bytes(size.ours.zipBytes)}) | ${bytes(size.ours.bytes)} | ${bytes(size.floor.bytes)} | ${ratio(size.ratio)} | | ≤ 1.15 | ${verdict(size.ratio <= 1.15)} |`,
    ),
    secretRow('GetSecretValue calls, notify handler', notifyWarm.getSecretValue),
    secretRow('GetSecretValue calls, create handler', createWarm.getSecretValue),
  ];
  const { split } = coldStart;
  lines.push(
    '',
    `Cold start, split (reference, no target): the secret floor plus one ledger write through the same DynamoDB client takes ` +
      `${ms(split.sdkFloor.ours.median)}, ${ratio(split.sdkFloor.ratio)} × the secret floor; against it, the notify function is ` +
      `${ratio(split.notifyOverSdkFloor.ratio)} × and the create function ${ratio(split.createOverSdkFloor.ratio)} ×. ` +
      `The create contract's floor (that, plus one signed POST to the sandbox and a verify of its answer; no validation, middleware or log) ` +
      `takes ${ms(split.createFloor.ours.median)}, ${ratio(split.createFloor.ratio)} × the secret floor; against it, the create function is ` +
      `${ratio(split.createOverCreateFloor.ratio)} ×.`,
  );
  const [first, thousand, last] = flatCost.checkpoints;
  const mib = (value: number) => `${(value / 2 ** 20).toFixed(2)} MiB`;
  lines.push(
    '',
    `Notifications per second through the notify handler, ledger on dynalite, one process${throughput.pinnedToOneCore ? ' pinned to one core' : ''}: ` +
      `${throughput.perSecond.sequential.toFixed(0)}/s one at a time, ${throughput.perSecond.concurrency8.toFixed(0)}/s 8 at a time (${throughput.notifications.toLocaleString('en-US')} each).`,
    '',
    '| notify container, after invocation | 1 | 1,000 | ' + last!.invocations.toLocaleString('en-US') + ' |',
    '|---|---|---|---|',
    `| per invocation, median of the last tenth | ${ms(first!.window.median)} | ${ms(thousand!.window.median)} | ${ms(last!.window.median)} |`,
    `| heap used after full GC | ${mib(first!.heapUsedBytes)} | ${mib(thousand!.heapUsedBytes)} | ${mib(last!.heapUsedBytes)} |`,
    `| active handles | ${first!.activeResources} | ${thousand!.activeResources} | ${last!.activeResources} |`,
    '',
    `Machine: ${results.machine.cores} cores, ${results.machine.cpu}, ${results.machine.memoryGiB} GiB, node ${results.machine.node} (${results.machine.platform}); ${results.mode} run.`,
  );
  console.log(lines.join('\n'));
}
