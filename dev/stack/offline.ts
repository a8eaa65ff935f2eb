/** serverless-offline serving the functions, as a child process of the stack. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVERLESS_BIN = join(dirname(createRequire(import.meta.url).resolve('osls/package.json')), 'bin', 'serverless.js');

export interface OfflineOptions {
  /** The project folder: serverless.yml, the functions, node_modules. */
  projectDir: string;
  stage: string;
  httpPort: number;
  lambdaPort: number;
  /** `--param name=value` overrides of serverless.yml's params. */
  params: Record<string, string>;
  /** Merged into the child's environment (the handlers inherit it). */
  env: Record<string, string>;
  /** Each line the child prints. */
  onOutput: (line: string) => void;
}

export interface Offline {
  url: string;
  /** Resolves once the routes answer; rejects if the child exits first or `timeoutMs` passes. */
  ready(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function startOffline(options: OfflineOptions): Offline {
  const args = [
    SERVERLESS_BIN,
    'offline',
    'start',
    '--stage',
    options.stage,
    '--httpPort',
    String(options.httpPort),
    '--lambdaPort',
    String(options.lambdaPort),
    '--host',
    '127.0.0.1',
    '--noPrependStageInUrl',
    // serverless-offline cannot emulate IAM (SigV4) authorization; deployed, the routes keep it.
    '--noAuth',
    ...Object.entries(options.params).flatMap(([name, value]) => ['--param', `${name}=${value}`]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.projectDir,
    env: { ...process.env, ...options.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited: { code: number | null } | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = { code };
      resolve();
    }),
  );
  for (const stream of [child.stdout!, child.stderr!]) {
    let pending = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) options.onOutput(line);
    });
  }
  const url = `http://127.0.0.1:${options.httpPort}`;

  return {
    url,
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exited) throw new Error(`serverless-offline exited (code ${exited.code}) before serving; see its output above`);
        try {
          await fetch(`${url}/`, { signal: AbortSignal.timeout(1_000) });
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
      throw new Error(`serverless-offline did not serve ${url} within ${timeoutMs / 1000} s`);
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(killed);
    },
  };
}
