/** Bundles a floor entry with serverless.yml's own esbuild settings, so that it is packaged as the functions are. */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { findBundle, type Bundle } from '../package-functions';
import { esbuildSettings } from '../serverless-settings';

/** Entries beside this file. */
export type FloorEntry = 'aws-clients' | 'secret-floor' | 'secret-ledger-floor' | 'create-contract-floor';

export async function buildFloor(entry: FloorEntry, outDir: string): Promise<Bundle> {
  const { options, extension } = esbuildSettings();
  const dir = join(outDir, 'floors', entry);
  await build({ ...options, entryPoints: [fileURLToPath(new URL(`./${entry}.ts`, import.meta.url))], outfile: join(dir, `${entry}${extension}`), logLevel: 'error' });
  return findBundle(dir);
}
