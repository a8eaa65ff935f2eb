/**
 * The esbuild plugin of serverless.yml: @middy/core's streaming-only imports are
 * deferred, nobody else's are touched, and the stand-ins behave as the modules do.
 */
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ReadableStream as LazyReadableStream } from '../../esbuild/lazy-stream-web';
import { pipeline as lazyPipeline } from '../../esbuild/lazy-stream-promises';
import { setTimeout as globalTimeout } from '../../esbuild/global-timers';

const plugins = createRequire(import.meta.url)('../../esbuild/plugins.cjs');

async function bundle(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    plugins,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('lazy-middy-streams plugin', () => {
  it("leaves @middy/core with no static import of node:stream/web, node:stream/promises or node:timers", async () => {
    const code = await bundle("import middy from '@middy/core'; export const handler = middy().handler(async () => 'ok');");
    expect(code).not.toMatch(/from\s*"node:(stream\/web|stream\/promises|timers)"/);
    expect(code).toContain('import("node:stream/promises")');
  });

  it('does not touch the same imports from anywhere else', async () => {
    const code = await bundle("import { setTimeout } from 'node:timers'; import { ReadableStream } from 'node:stream/web'; export { setTimeout, ReadableStream };");
    expect(code).toMatch(/from\s*"node:timers"/);
    expect(code).toMatch(/from\s*"node:stream\/web"/);
  });

  it('a bundled middy handler still runs', async () => {
    const code = await bundle("import middy from '@middy/core'; export const handler = middy().handler(async (event) => ({ statusCode: 200, body: event.name }));");
    const { handler } = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    expect(await handler({ name: 'x' }, { getRemainingTimeInMillis: () => 1_000 })).toEqual({ statusCode: 200, body: 'x' });
  });
});

describe('the stand-ins', () => {
  it('ReadableStream answers instanceof as the real one does', () => {
    expect(new globalThis.ReadableStream() instanceof LazyReadableStream).toBe(true);
    expect(Readable.from(['a']) instanceof LazyReadableStream).toBe(false);
    expect({} instanceof LazyReadableStream).toBe(false);
  });

  it('pipeline pipes as node:stream/promises does', async () => {
    const chunks: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (chunks.push(String(chunk)), done()) });
    await lazyPipeline(Readable.from(['a', 'b']), sink);
    expect(chunks).toEqual(['a', 'b']);
  });

  it('setTimeout is the global one', () => {
    expect(globalTimeout).toBe(globalThis.setTimeout);
  });
});
