/**
 * Each function's bundle holds only the SDK clients it calls: what a bundle
 * carries, a cold start loads and evaluates. Built with serverless.yml's own
 * esbuild settings, as `serverless package` builds them.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildSettings } from '../../bench/serverless-settings';

async function bundledPackages(entry: string): Promise<Set<string>> {
  const { options } = esbuildSettings();
  const result = await build({
    ...options,
    entryPoints: [fileURLToPath(new URL(`../../functions/${entry}.ts`, import.meta.url))],
    sourcemap: false,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile.outputs);
  return new Set(Object.keys(output!.inputs).flatMap((input) => /node_modules\/(@aws-sdk\/[^/]+)\//.exec(input)?.[1] ?? []));
}

describe('function bundles', () => {
  it('the certificate refresher carries no DynamoDB client (it never writes the ledger)', async () => {
    const packages = await bundledPackages('refresh-platform-certificates');
    expect(packages).toContain('@aws-sdk/client-secrets-manager');
    expect(packages).not.toContain('@aws-sdk/client-dynamodb');
    expect(packages).not.toContain('@aws-sdk/lib-dynamodb');
  });

  it('the ledger events publisher carries the EventBridge client only (it reads the ledger from its stream, never the table)', async () => {
    const packages = await bundledPackages('publish-ledger-events');
    expect(packages).toContain('@aws-sdk/client-eventbridge');
    expect(packages).not.toContain('@aws-sdk/client-dynamodb');
    expect(packages).not.toContain('@aws-sdk/client-secrets-manager');
  });

  it('the notify function carries both the clients it calls', async () => {
    const packages = await bundledPackages('deduction-notify');
    expect(packages).toContain('@aws-sdk/client-secrets-manager');
    expect(packages).toContain('@aws-sdk/client-dynamodb');
  });
});

describe('esbuild/plugins.cjs: node:http and node:https as requires', () => {
  const dir = mkdtempSync(join(tmpdir(), 'payscore-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Whether importing the notify function's bundle loads undici, with serverless.yml's plugins or none. */
  async function importLoadsUndici(withPlugins: boolean): Promise<boolean> {
    const { options, extension } = esbuildSettings();
    const outfile = join(dir, `notify-${withPlugins}${extension}`);
    await build({ ...options, ...(withPlugins ? {} : { plugins: [] }), entryPoints: [fileURLToPath(new URL('../../functions/deduction-notify.ts', import.meta.url))], outfile, sourcemap: false, logLevel: 'silent' });
    const probe = `await import(${JSON.stringify(pathToFileURL(outfile).href)}); process.stdout.write(String(process.moduleLoadList.some((name) => name.includes('undici'))));`;
    return execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' }) === 'true';
  }

  it('the notify bundle loads no undici at import', async () => {
    expect(await importLoadsUndici(true)).toBe(false);
  });

  // When this fails, the SDK or Node no longer load undici through an ES import of node:http: the plugin can go.
  it('…which it would without the plugin', async () => {
    expect(await importLoadsUndici(false)).toBe(true);
  });
});
