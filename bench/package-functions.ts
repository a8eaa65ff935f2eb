/** The functions exactly as deployed: `serverless package`, then each zip unpacked (needs the `unzip` command). */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './processes';

/** The distinct bundles: the partner functions are the same code with another secret. */
export const MEASURED_FUNCTIONS = { notify: 'merchantDeductionNotify', create: 'createMerchantServiceOrder', lifecycle: 'merchantLifecycle' } as const;
export type MeasuredFunction = keyof typeof MEASURED_FUNCTIONS;

export interface Bundle {
  /** The `.mjs` node imports. */
  path: string;
  bytes: number;
  sourceMapBytes: number;
}

export interface PackagedFunction extends Bundle {
  zipBytes: number;
}

/** The `.mjs` under `dir` and the size of its source map. */
export async function findBundle(dir: string): Promise<Bundle> {
  const files = (await readdir(dir, { recursive: true })).map(String);
  const module = files.find((file) => file.endsWith('.mjs'));
  if (!module) throw new Error(`no .mjs bundle in ${dir}`);
  const map = files.find((file) => file === `${module}.map`);
  return { path: join(dir, module), bytes: (await stat(join(dir, module))).size, sourceMapBytes: map ? (await stat(join(dir, map))).size : 0 };
}

export async function packageFunctions(dir: string): Promise<Record<MeasuredFunction, PackagedFunction>> {
  // Packaging never calls AWS, but the framework wants credentials to exist.
  // A build folder of its own, so that tests may package at the same time.
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'bench-dummy', AWS_SECRET_ACCESS_KEY: 'bench-dummy', AWS_REGION: 'ap-southeast-1', ESBUILD_WORK_FOLDER: '.esbuild-bench' };
  await run('npx', ['serverless', 'package', '--stage', 'bench', '--package', dir], { env });
  const entries = await Promise.all(
    Object.entries(MEASURED_FUNCTIONS).map(async ([key, name]) => {
      const zip = join(dir, `${name}.zip`);
      await run('unzip', ['-q', '-o', zip, '-d', join(dir, name)]);
      return [key, { ...(await findBundle(join(dir, name))), zipBytes: (await stat(zip)).size }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<MeasuredFunction, PackagedFunction>;
}
