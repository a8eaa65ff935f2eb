/** Stack traces of a minified bundle, mapped back to their sources only when an error is logged. */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLog } from '../../lib/log';
import { sourceMappedStack } from '../../lib/stack-trace';

let dir: string;
let thrown: Error;

// Line 3 throws, in a file the bundle knows as ../src/ledger-like.ts.
const SOURCE = ['export function write(): never {', '  const reason = "table unavailable";', '  throw new Error(reason);', '}', ''].join('\n');

/** The stack of the bundle's error as plain node (no test runner's source maps) writes it. */
async function bundleAndThrow(withMap: boolean): Promise<Error> {
  const out = join(dir, withMap ? 'with-map' : 'without-map', 'fn.mjs');
  await build({ entryPoints: [join(dir, 'src', 'ledger-like.ts')], outfile: out, bundle: true, minify: true, format: 'esm', platform: 'node', sourcemap: withMap, sourcesContent: false, logLevel: 'silent' });
  const script = `import(${JSON.stringify(pathToFileURL(out).href)}).then(({ write }) => write()).catch((error) => process.stdout.write(error.stack));`;
  const error = new Error('table unavailable');
  error.stack = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  return error;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stack-trace-'));
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src', 'ledger-like.ts'), SOURCE);
  thrown = await bundleAndThrow(true);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sourceMappedStack', () => {
  it('rewrites a bundle frame to the source file, line and column', () => {
    expect(thrown.stack).toMatch(/fn\.mjs:1:\d+/);
    expect(sourceMappedStack(thrown.stack!)).toMatch(/src\/ledger-like\.ts:3:9/);
    expect(sourceMappedStack(thrown.stack!)).not.toContain('fn.mjs');
  });

  it('leaves frames alone when the bundle has no map beside it', async () => {
    const bare = await bundleAndThrow(false);
    expect(sourceMappedStack(bare.stack!)).toBe(bare.stack);
  });

  it('leaves frames of other files and the message alone', () => {
    const stack = 'Error: at file:///x.mjs:1:2 is in the message\n    at write (/work/lib/ledger/ledger.ts:12:3)\n    at async Promise.all (index 0)';
    expect(sourceMappedStack(stack)).toBe(stack);
  });

  it('is what the log writes for an error', () => {
    const lines: string[] = [];
    jsonLog({ service: 'test', write: (line) => lines.push(line) }).error('write failed', { error: thrown });
    expect(JSON.parse(lines[0]!).error.stack).toMatch(/src\/ledger-like\.ts:3:9/);
  });
});
