/**
 * A throw-away copy of the project, for tests that run what a user runs in it
 * (`npm start`, `serverless package`): those write `.serverless/`, build folders,
 * `.dev-keys/` and the running-stack file, and must leave this work tree as they found it.
 */
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What the functions, the local stack and the scripts are made of (node_modules is linked, not copied). */
const PARTS = ['package.json', 'serverless.yml', 'tsconfig.json', 'esbuild', 'functions', 'lib', 'dev', 'scripts'];

export interface ProjectCopy {
  dir: string;
  remove(): Promise<void>;
}

export async function copyProject(): Promise<ProjectCopy> {
  const dir = await mkdtemp(join(tmpdir(), 'project-copy-'));
  await Promise.all(PARTS.map((part) => cp(join(PROJECT_ROOT, part), join(dir, part), { recursive: true })));
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
