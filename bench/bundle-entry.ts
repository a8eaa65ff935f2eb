/** Bundles a floor or a peer with serverless.yml's own esbuild settings, so that it is packaged as the functions are. */
import { build } from 'esbuild';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBundle, type Bundle } from './package-functions';
import { esbuildSettings } from './serverless-settings';

/** Entries under bench/, without their `.ts`. */
export type BenchEntry =
  | 'floors/aws-clients'
  | 'floors/aws-clients-with-query'
  | 'floors/secret-ledger-floor'
  | 'floors/create-contract-floor'
  | 'floors/lifecycle-contract-floor'
  | 'peers/wechatpay-axios-plugin-notify';

export async function bundleEntry(entry: BenchEntry, outDir: string): Promise<Bundle> {
  const { options, extension } = esbuildSettings();
  const dir = join(outDir, 'entries', entry);
  await build({ ...options, entryPoints: [fileURLToPath(new URL(`./${entry}.ts`, import.meta.url))], outfile: join(dir, `${basename(entry)}${extension}`), logLevel: 'error' });
  return findBundle(dir);
}
