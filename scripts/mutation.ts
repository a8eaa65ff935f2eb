/**
 * `npm run mutation [-- stryker options]`: runs Stryker (stryker.config.mjs), then prints the
 * score of each mutated folder from its JSON report against the project's targets.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const REPORT = 'reports/mutation/mutation.json';
/** Least share of mutants killed (or timed out), per folder. */
const TARGETS: Record<string, number> = { 'lib/wechatpay': 97, 'lib/ledger': 90, 'lib/handlers': 90 };

type Status = 'Killed' | 'Timeout' | 'Survived' | 'NoCoverage' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';
interface Report {
  files: Record<string, { mutants: Array<{ status: Status; mutatorName: string; location: { start: { line: number } } }> }>;
}

const stryker = join(dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');
const run = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs', ...process.argv.slice(2)], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

const report = JSON.parse(readFileSync(REPORT, 'utf8')) as Report;
const folders = new Map<string, { detected: number; undetected: number; survivors: string[] }>();
for (const [file, { mutants }] of Object.entries(report.files)) {
  const folder = dirname(file).split('/').slice(0, 2).join('/');
  const tally = folders.get(folder) ?? { detected: 0, undetected: 0, survivors: [] };
  for (const mutant of mutants) {
    if (mutant.status === 'Killed' || mutant.status === 'Timeout') tally.detected += 1;
    else if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') {
      tally.undetected += 1;
      tally.survivors.push(`${file}:${mutant.location.start.line} ${mutant.mutatorName} (${mutant.status})`);
    }
  }
  folders.set(folder, tally);
}

let met = true;
for (const [folder, { detected, undetected, survivors }] of [...folders].sort()) {
  const score = (100 * detected) / Math.max(1, detected + undetected);
  const target = TARGETS[folder];
  const verdict = target === undefined ? '' : score >= target ? `  target ${target} %: met` : `  target ${target} %: NOT met`;
  if (target !== undefined && score < target) met = false;
  console.log(`${folder}: ${score.toFixed(1)} % killed (${detected} of ${detected + undetected})${verdict}`);
  for (const survivor of survivors) console.log(`  survived: ${survivor}`);
}
console.log(`report: ${REPORT}`);
process.exit(met ? 0 : 1);
