/**
 * Each function's bundle holds only the SDK clients it calls: what a bundle
 * carries, a cold start loads and evaluates. Built with serverless.yml's own
 * esbuild settings, as `serverless package` builds them.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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

  it('the notify function carries both the clients it calls', async () => {
    const packages = await bundledPackages('deduction-notify');
    expect(packages).toContain('@aws-sdk/client-secrets-manager');
    expect(packages).toContain('@aws-sdk/client-dynamodb');
  });
});
