/**
 * Stack traces of the deployed bundles in their source terms (`lib/ledger/ledger.ts:120:11`).
 *
 * Node's --enable-source-maps would do this for every frame, but it pays at every cold
 * start, errors or not: it scans the whole bundle for line lengths and parses its map at
 * load (docs/performance.md). Here a map is read only when an error is first logged,
 * from the `.map` file esbuild writes beside the bundle.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapping } from 'node:module';
import { fileURLToPath } from 'node:url';

/** `file:///…/x.mjs:LINE:COLUMN` as V8 writes an ES module frame. */
const BUNDLE_FRAME = /(file:\/\/\/[^\s()]+?\.mjs):(\d+):(\d+)/g;

const maps = new Map<string, SourceMap | null>();

function sourceMapOf(bundleUrl: string): SourceMap | null {
  let map = maps.get(bundleUrl);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(bundleUrl)}.map`, 'utf8')));
    } catch {
      // No map beside it (tests, local tools) or an unreadable one: frames stay as they are.
      map = null;
    }
    maps.set(bundleUrl, map);
  }
  return map;
}

/** `stack` with every frame in a bundle that has a source map rewritten to its source file, line and column. */
export function sourceMappedStack(stack: string): string {
  return stack.replace(BUNDLE_FRAME, (frame: string, bundleUrl: string, line: string, column: string) => {
    const map = sourceMapOf(bundleUrl);
    const entry = map?.findEntry(Number(line) - 1, Number(column) - 1) as Partial<SourceMapping> | undefined;
    if (entry?.originalSource === undefined) return frame;
    // esbuild writes sources relative to the bundle (`../lib/…`, `../node_modules/…`).
    return `${entry.originalSource.replace(/^(\.\.\/)+/, '')}:${entry.originalLine! + 1}:${entry.originalColumn! + 1}`;
  });
}
