/**
 * `npm run secret` as the README has a user run it: from the folder holding the
 * merchant's files, which is not the project root npm runs the script in.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccountSecret } from '../../lib/secrets/account-credentials';
import { createTestWorld, type TestWorld } from '../helpers/accounts';
import { PROJECT_ROOT } from '../helpers/project-copy';

let world: TestWorld;
let folder: string;
beforeAll(async () => {
  world = await createTestWorld();
  folder = await mkdtemp(join(tmpdir(), 'merchant-files-'));
  await Promise.all([
    writeFile(join(folder, 'apiclient_key.pem'), world.merchant.merchant.privateKeyPem),
    writeFile(join(folder, 'apiclient_cert.pem'), world.merchant.merchant.certificatePem),
    writeFile(join(folder, 'apiv3.txt'), `${world.merchant.apiV3Key}\n`),
    writeFile(join(folder, 'pub_key.pem'), world.wechatpay.key.publicKeyPem),
  ]);
});
afterAll(() => rm(folder, { recursive: true, force: true }));

const FILES = ['--private-key', 'apiclient_key.pem', '--certificate', 'apiclient_cert.pem', '--api-v3-key-file', 'apiv3.txt', '--public-key', 'pub_key.pem'];

/** `npm run secret -- …` typed in the merchant's folder (npm --prefix finds the project from there). */
const secret = (args: string[], npmOptions: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const argv = [...npmOptions, '--prefix', PROJECT_ROOT, 'run', 'secret', '--', '--mchid', world.merchant.mchid, ...FILES, '--public-key-id', world.wechatpay.publicKeyId, ...args];
    execFile('npm', argv, { cwd: folder, env: { ...process.env, WECHATPAY_API_V3_KEY: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

describe('npm run secret', () => {
  it("reads and writes relative paths in the user's folder, not the project root", async () => {
    const run = await secret(['--out', 'secret.json']);
    expect(run).toMatchObject({ code: 0, stderr: expect.stringContaining(`secret.json: valid secret for mchid ${world.merchant.mchid} (mode 600)`) });
    expect(parseAccountSecret(await readFile(join(folder, 'secret.json'), 'utf8')).mchid).toBe(world.merchant.mchid);
    expect(existsSync(join(PROJECT_ROOT, 'secret.json'))).toBe(false);
  });

  it('writes the secret readable by its owner only, also over an existing file', async () => {
    const out = join(folder, 'merchant-secret.json');
    await writeFile(out, '{}');
    await chmod(out, 0o644);
    expect((await secret(['--out', 'merchant-secret.json'])).code).toBe(0);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(parseAccountSecret(await readFile(out, 'utf8')).mchid).toBe(world.merchant.mchid);
  });

  it('without --out, refuses and says so: the secret never reaches the terminal unasked', async () => {
    const run = await secret([]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('npm run secret: give --out secret.json (a file only you can read) or --out - (standard output)');
    expect(run.stdout + run.stderr).not.toContain('PRIVATE KEY');
    expect(run.stdout + run.stderr).not.toContain(world.merchant.apiV3Key);
  });

  it('--out - writes the secret to standard output', async () => {
    const run = await secret(['--out', '-'], ['--silent']);
    expect(run.code).toBe(0);
    expect(parseAccountSecret(run.stdout).mchid).toBe(world.merchant.mchid);
    expect(existsSync(join(folder, '-'))).toBe(false);
    expect(existsSync(join(PROJECT_ROOT, '-'))).toBe(false);
  });
});

describe('.gitignore', () => {
  /** The file names in the README's shell blocks of "The secret" and "Deploy": what it has a user create. */
  const readmeFiles = (): string[] => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const sections = ['## The secret', '## Deploy'].map((title) => readme.slice(readme.indexOf(title), readme.indexOf('\n## ', readme.indexOf(title) + 1)));
    const blocks = sections.flatMap((section) => [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!));
    return [...new Set(blocks.join('\n').match(/[\w<>-]+\.(?:pem|json|txt|p12)\b/g))].map((name) => name.replace('<serial>', '5157F09EFDC096DE15EBE81A47057A7232F1B8E1'));
  };

  it("covers the README's key and secret files, so that following it leaves none to commit", () => {
    const names = readmeFiles();
    expect(names).toEqual(expect.arrayContaining(['apiclient_key.pem', 'apiclient_cert.pem', 'pub_key.pem', 'secret.json', 'merchant-secret.json', 'partner-secret.json']));
    const notIgnored = names.filter((name) => {
      try {
        execFileSync('git', ['check-ignore', '-q', name], { cwd: PROJECT_ROOT });
        return false;
      } catch {
        return true;
      }
    });
    expect(notIgnored).toEqual([]);
  });
});
