/**
 * What `npm test` prints: test results and the summary, nothing from the tools
 * around them. A run of a few quick files, one worker each, as the full run does.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/project-copy';

const FILES = ['signer', 'authorization', 'notification', 'aead', 'keys', 'vectors'].map((name) => `test/lib/wechatpay/${name}.test.ts`);

/** The parent run's own VITEST_* variables would make the child behave as a worker. */
const environment = (): NodeJS.ProcessEnv => ({ ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST'))), NO_COLOR: '1' });

const run = (): Promise<{ code: number; output: string }> =>
  new Promise((resolve) => {
    execFile(join(PROJECT_ROOT, 'node_modules', '.bin', 'vitest'), ['run', '--maxWorkers=1', '--coverage.enabled=false', ...FILES], { cwd: PROJECT_ROOT, env: environment() }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });

describe('npm test output', () => {
  it('holds no warnings or hints from the tools, and ends with the summary', async () => {
    const { code, output } = await run();
    expect(code).toBe(0);
    expect(output.split('\n').filter((line) => /warn|deprecat|isolate|hint|faster with/i.test(line))).toEqual([]);
    const lines = output.trimEnd().split('\n').slice(-4).map((line) => line.trim());
    expect(lines[0]).toBe(`Test Files  ${FILES.length} passed (${FILES.length})`);
    expect(lines[1]).toMatch(/^Tests {2}\d+ passed \(\d+\)$/);
    expect(lines[2]).toMatch(/^Start at /);
    expect(lines[3]).toMatch(/^Duration /);
  }, 60_000);
});
