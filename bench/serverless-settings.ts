/** What serverless.yml says about bundling and the functions' runtime: the floors get exactly the same. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';
import { parse } from 'yaml';

interface ServerlessConfig {
  provider: { environment?: Record<string, string> };
  functions: Record<string, { events?: Array<{ stream?: { batchSize?: number } }> }>;
  /** `plugins`: a file that exports esbuild plugins, as serverless-esbuild takes it. */
  custom: { esbuild: Omit<BuildOptions, 'plugins'> & { outputFileExtension?: string; plugins?: string } };
}

const config = (): ServerlessConfig => parse(readFileSync(new URL('../serverless.yml', import.meta.url), 'utf8')) as ServerlessConfig;

/** The esbuild options custom.esbuild may hold; the rest are serverless-esbuild's own (work folders, packager…). */
const ESBUILD_OPTIONS = ['bundle', 'minify', 'sourcemap', 'sourcesContent', 'treeShaking', 'target', 'platform', 'format', 'banner', 'footer', 'external', 'define', 'mainFields', 'conditions', 'keepNames', 'legalComments', 'loader'] as const;

/** custom.esbuild as esbuild options (its `plugins` file loaded), and the plugin's `outputFileExtension` for the outfile. */
export function esbuildSettings(): { options: BuildOptions; extension: string } {
  const settings = config().custom.esbuild;
  const options: BuildOptions = Object.fromEntries(ESBUILD_OPTIONS.filter((name) => name in settings).map((name) => [name, settings[name]]));
  if (settings.plugins) options.plugins = createRequire(import.meta.url)(fileURLToPath(new URL(`../${settings.plugins}`, import.meta.url))) as Plugin[];
  return { options, extension: settings.outputFileExtension ?? '.js' };
}

/** The NODE_OPTIONS every function runs with, if serverless.yml sets any. */
export const functionNodeOptions = (): string => config().provider.environment?.NODE_OPTIONS ?? '';

/** How many stream records Lambda gives the ledger events publisher at once. */
export const ledgerEventsBatchSize = (): number => config().functions.publishLedgerEvents!.events!.find((event) => event.stream)!.stream!.batchSize!;
