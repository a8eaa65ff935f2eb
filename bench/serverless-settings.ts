/** What serverless.yml says about bundling and the functions' runtime: the floors get exactly the same. */
import { readFileSync } from 'node:fs';
import type { BuildOptions } from 'esbuild';
import { parse } from 'yaml';

interface ServerlessConfig {
  provider: { environment?: Record<string, string> };
  custom: { esbuild: BuildOptions & { outputFileExtension?: string } };
}

const config = (): ServerlessConfig => parse(readFileSync(new URL('../serverless.yml', import.meta.url), 'utf8')) as ServerlessConfig;

/** The esbuild options custom.esbuild may hold; the rest are serverless-esbuild's own (work folders, packager…). */
const ESBUILD_OPTIONS = ['bundle', 'minify', 'sourcemap', 'sourcesContent', 'treeShaking', 'target', 'platform', 'format', 'banner', 'footer', 'external', 'define', 'mainFields', 'conditions', 'keepNames', 'legalComments', 'loader'] as const;

/** custom.esbuild as esbuild options, and the plugin's `outputFileExtension` for the outfile. */
export function esbuildSettings(): { options: BuildOptions; extension: string } {
  const settings = config().custom.esbuild;
  const options = Object.fromEntries(ESBUILD_OPTIONS.filter((name) => name in settings).map((name) => [name, settings[name]]));
  return { options, extension: settings.outputFileExtension ?? '.js' };
}

/** The NODE_OPTIONS every function runs with, if serverless.yml sets any. */
export const functionNodeOptions = (): string => config().provider.environment?.NODE_OPTIONS ?? '';
