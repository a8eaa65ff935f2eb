/** Child processes of the benchmark: each waited for, and any failure reported with its stderr. */
import { spawn } from 'node:child_process';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Receives the child's IPC messages (the child is started with an IPC channel). */
  onMessage?: (message: unknown) => void;
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe', ...(options.onMessage ? ['ipc' as const] : [])] });
    const stderr: Buffer[] = [];
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    if (options.onMessage) child.on('message', options.onMessage);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${Buffer.concat(stderr).toString('utf8')}`));
    });
  });
}
