/** What `npm run bench` prints (Markdown: the README's block between its bench markers, as printed), the verdicts, and the machine. */
import { createRequire } from 'node:module';
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { bundleSize, peerBundleSize } from './figures/bundle-size';
import type { coldStart } from './figures/cold-start';
import type { flatCost } from './figures/flat-cost';
import type { ledgerEvents } from './figures/ledger-events';
import type { notifyWarm } from './figures/notify-warm';
import type { peerWarm } from './figures/peer-warm';
import type { createWarm, lifecycleWarm } from './figures/signed-call-warm';
import type { reconciliation } from './figures/reconciliation';
import type { throughput } from './figures/throughput';
import type { BenchOptions } from './options';
import type { Comparison, PeerComparison } from './stats';
import { TARGETS } from './targets';

type Result<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

export interface BenchFigures {
  notifyWarm: Result<typeof notifyWarm>;
  createWarm: Result<typeof createWarm>;
  lifecycleWarm: Result<typeof lifecycleWarm>;
  coldStart: Omit<Result<typeof coldStart>, 'peerNotify'>;
  bundleSize: ReturnType<typeof bundleSize>;
  peer: { package: string; coldStart: PeerComparison; warm: Result<typeof peerWarm>; bundleSize: ReturnType<typeof peerBundleSize> };
  flatCost: Result<typeof flatCost>;
  throughput: Result<typeof throughput> & { pinnedToOneCore: boolean };
  ledgerEvents: Result<typeof ledgerEvents>;
  reconciliation: Result<typeof reconciliation>;
}

export interface Verdict {
  figure: string;
  ratio: number;
  target: number;
  met: boolean;
}

export interface BenchResults extends BenchFigures {
  machine: ReturnType<typeof machine>;
  mode: 'quick' | 'full';
  options: BenchOptions;
  targets: typeof TARGETS;
  verdicts: Verdict[];
}

export const machine = () => ({ cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` });

/** The peer as installed, `name@version`. */
export function peerPackage(name: string): string {
  const { version } = createRequire(import.meta.url)(`${name}/package.json`) as { version: string };
  return `${name}@${version}`;
}

const ms = (value: number) => (value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(value < 10 ? 2 : 0)} ms`);
const bytes = (value: number) => `${value.toLocaleString('en-US')} B`;
const ratio = (value: number) => value.toFixed(2);
const timing = (summary: { median: number; p99: number }) => `${ms(summary.median)} (p99 ${ms(summary.p99)})`;

/** One table row: its cells, and the verdict it carries (if any). */
interface Row {
  cells: string[];
  verdict?: Verdict;
}

/** `verdictName`: the row's name in reports/bench.json, where no table heading tells the rows apart. */
function row(figure: string, ours: string, other: string, ratios: { ratio: number; p99Ratio?: number }, target: number, verdictName = figure): Row {
  const verdict = { figure: verdictName, ratio: ratios.ratio, target, met: ratios.ratio <= target };
  const p99 = ratios.p99Ratio === undefined ? '' : ratio(ratios.p99Ratio);
  return { cells: [figure, ours, other, ratio(ratios.ratio), p99, `≤ ${target.toFixed(2)}`, verdict.met ? 'met' : '**missed**'], verdict };
}

const timingRow = (figure: string, comparison: Comparison, target: number) => row(figure, timing(comparison.ours), timing(comparison.floor), comparison, target);

/** A function that calls WeChat Pay, warm: its ledger calls per invocation, ours and the floor's, say what the ratio compares. */
function callRow(name: string, warm: BenchFigures['createWarm']): Row {
  const { ours, floor } = warm.perInvocation;
  const figure = `${name}, warm, per invocation`;
  return row(`${figure} (sandbox on loopback; ledger calls: ours ${warm.ledgerCalls.ours}, floor ${warm.ledgerCalls.floor})`, timing(ours), timing(floor), warm.perInvocation, TARGETS.callWarm, figure);
}

function secretRow(figure: string, calls: BenchFigures['notifyWarm']['getSecretValue']): Row {
  const met = calls.calls === 1 && calls.laterCalls === 0;
  const ours = `${calls.calls} in the first ${calls.firstInvocations.toLocaleString('en-US')}, ${calls.laterCalls} in the next ${calls.laterInvocations.toLocaleString('en-US')}`;
  return { cells: [figure, ours, '1', '', '', '1', met ? 'met' : '**missed**'] };
}

/** The floor table and the peer table, as rows. */
function tables(figures: BenchFigures): { floors: Row[]; peer: Row[] } {
  const { notifyWarm, createWarm, lifecycleWarm, coldStart, bundleSize, peer } = figures;
  const floors = [
    timingRow('notify handler, warm, per invocation', notifyWarm.perInvocation, TARGETS.notifyWarm),
    callRow('create function', createWarm),
    callRow('lifecycle function (plan create)', lifecycleWarm),
    timingRow('cold start + first invocation, notify function (floor: secret + ledger write)', coldStart.notify, TARGETS.coldStart),
    timingRow('cold start + first invocation, create function (floor: the create contract)', coldStart.create, TARGETS.coldStart),
    timingRow('cold start + first invocation, lifecycle function, plan create (floor: its contract)', coldStart.lifecycle, TARGETS.coldStart),
    ...Object.entries(bundleSize).map(([name, size]) =>
      row(`bundle size, ${name} function (.mjs; map ${bytes(size.ours.sourceMapBytes)}, zip ${bytes(size.ours.zipBytes)})`, bytes(size.ours.bytes), bytes(size.floor.bytes), size, TARGETS.bundle),
    ),
    secretRow('GetSecretValue calls, notify handler', notifyWarm.getSecretValue),
    secretRow('GetSecretValue calls, create handler', createWarm.getSecretValue),
    secretRow('GetSecretValue calls, lifecycle handler', lifecycleWarm.getSecretValue),
  ];
  const peerRow = (figure: string, ours: string, other: string, ratios: { ratio: number; p99Ratio?: number }) =>
    row(figure, ours, other, ratios, TARGETS.peer, `notify function against ${peer.package}: ${figure}`);
  const peerRows = [
    peerRow('cold start + first invocation', timing(peer.coldStart.ours), timing(peer.coldStart.peer), peer.coldStart),
    peerRow('warm, per invocation (ledger client answering at once)', timing(peer.warm.ours), timing(peer.warm.peer), peer.warm),
    peerRow('bundle size (.mjs)', bytes(peer.bundleSize.ours.bytes), bytes(peer.bundleSize.peer.bytes), peer.bundleSize),
  ];
  return { floors, peer: peerRows };
}

export const verdicts = (figures: BenchFigures): Verdict[] => {
  const { floors, peer } = tables(figures);
  return [...floors, ...peer].flatMap((each) => (each.verdict ? [each.verdict] : []));
};

function markdown(header: string[], rows: Row[]): string[] {
  const line = (cells: string[]) => `|${cells.map((cell) => (cell ? ` ${cell} ` : ' ')).join('|')}|`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map((each) => line(each.cells))];
}

export function printTables(results: BenchResults): void {
  const { floors, peer } = tables(results);
  const { flatCost, throughput, ledgerEvents } = results;
  const { min, max } = ledgerEvents.entriesPerCall;
  const entries = min === max ? String(min) : `${min}–${max}`;
  const [first, thousand, last] = flatCost.checkpoints;
  const mib = (value: number) => `${(value / 2 ** 20).toFixed(2)} MiB`;
  const { machine: m } = results;
  const lines = [
    `Measured on ${m.cores} cores, ${m.cpu}, ${m.memoryGiB} GiB, node ${m.node} (${m.platform}), ${results.mode} run (\`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\`):`,
    '',
    ...markdown(['figure', 'ours: median (p99)', 'floor: median (p99)', 'ratio', 'p99 ratio', 'target', ''], floors),
    '',
    ...markdown([`notify function, ours against ${results.peer.package}`, 'ours: median (p99)', 'peer: median (p99)', 'ratio', 'p99 ratio', 'target', ''], peer),
    '',
    `Notifications per second through the notify handler, ledger on dynalite, one process${throughput.pinnedToOneCore ? ' pinned to one core' : ''}: ` +
      `${throughput.perSecond.sequential.toFixed(0)}/s one at a time, ${throughput.perSecond.concurrency8.toFixed(0)}/s 8 at a time (${throughput.notifications.toLocaleString('en-US')} each).`,
    '',
    // No target: EventBridge's own latency, not our code, is most of it deployed; the calls per change are what it costs.
    `Ledger events publisher, per ${ledgerEvents.changes.toLocaleString('en-US')} changes (stream batches of ${ledgerEvents.batchSize}, local EventBridge on loopback): ` +
      `${ledgerEvents.invocations} invocations, ${ledgerEvents.putEventsCalls} PutEvents calls of ${entries} entries, ` +
      `${timing(ledgerEvents.perThousand)} (per invocation ${timing(ledgerEvents.perInvocation)}).`,
    '',
    '| notify container, after invocation | 1 | 1,000 | ' + last!.invocations.toLocaleString('en-US') + ' |',
    '|---|---|---|---|',
    `| per invocation, median of the last tenth | ${ms(first!.window.median)} | ${ms(thousand!.window.median)} | ${ms(last!.window.median)} |`,
    `| heap used after full GC | ${mib(first!.heapUsedBytes)} | ${mib(thousand!.heapUsedBytes)} | ${mib(last!.heapUsedBytes)} |`,
    `| active handles | ${first!.activeResources} | ${thousand!.activeResources} | ${last!.activeResources} |`,
  ];
  console.log([...lines, '', reconciliationLine(results.reconciliation)].join('\n'));
}

/** No target: what a backlog costs, for sizing RECONCILE_MAX_CALLS and the schedule. */
export function reconciliationLine(figure: BenchFigures['reconciliation']): string {
  const count = (value: number) => value.toLocaleString('en-US');
  const commands = Object.entries(figure.commands)
    .map(([name, value]) => `${count(value)} ${name}`)
    .join(', ');
  return (
    `Reconciliation of ${count(figure.orders)} open orders at RECONCILE_MAX_CALLS=${figure.maxCalls}, against the sandbox and dynalite: ` +
    `${figure.runs} runs reached ${count(figure.reached)} with ${count(figure.wechatpayCalls)} WeChat Pay calls; DynamoDB ${commands} ` +
    `(on demand about ${count(figure.units.read)} read and ${count(figure.units.write)} write units, from ${figure.orderItemKb} KB order items); ` +
    `${figure.seconds.toFixed(1)} s of work (the per-second limit's waits not counted).`
  );
}
