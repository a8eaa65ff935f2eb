/**
 * `npm start` as a user runs it (in a copy of the project, so that its keys, build
 * folder and running-stack record stay out of this work tree), on ports other than
 * the defaults: every command it prints works when pasted as printed in another
 * terminal, and Ctrl-C (SIGINT to the whole process group) stops it cleanly.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, isPortFree, PORT_VARIABLES, type StackPorts } from '../../dev/stack/ports';
import { copyProject, type ProjectCopy } from '../helpers/project-copy';

let copy: ProjectCopy;
let ports: StackPorts;
let child: ChildProcess;
let output = '';
let closed: Promise<void>;

/** The environment of another terminal: none of the port variables `npm start` was given. */
const terminal = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([name]) => !Object.values<string>(PORT_VARIABLES).includes(name)));

interface Pasted {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one printed line in a shell, exactly as printed (placeholders filled in). */
const paste = (line: string): Promise<Pasted> =>
  new Promise((resolve) => {
    execFile('sh', ['-c', line], { cwd: copy.dir, env: terminal(), timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

beforeAll(async () => {
  copy = await copyProject();
  ports = await freePorts();
  const moved = Object.fromEntries(Object.entries(PORT_VARIABLES).map(([name, variable]) => [variable, String(ports[name as keyof StackPorts])]));
  // Its own process group, as a terminal gives a command line.
  child = spawn('npm', ['start'], { cwd: copy.dir, env: { ...terminal(), ...moved }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  closed = new Promise((resolve) => child.stdout!.once('close', resolve));
  const served = new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (/── serving[\s\S]*npm run ledger[\s\S]*\n\n/.test(output)) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void closed.then(() => reject(new Error(`npm start ended before serving:\n${output}`)));
  });
  await served;
}, 240_000);

afterAll(async () => {
  if (child?.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  await copy?.remove();
});

const printedCommands = (): string[] =>
  output
    .slice(output.indexOf('── serving'))
    .split('\n')
    .filter((line) => /^ {2}(curl|npm|HTTP_PORT=)/.test(line))
    .map((line) => line.trim());

describe('npm start, on other ports', () => {
  it('prints the curl and npm commands that work with this stack', () => {
    expect(printedCommands().map((line) => line.split(' ').slice(0, 6).join(' '))).toEqual([
      `curl -s -X POST http://127.0.0.1:${ports.http}/merchant/service-orders -H`,
      'npm run sandbox -- complete <order_id>',
      'npm run sandbox -- orders',
      'npm run sandbox -- deliveries',
      'npm run ledger',
      'npm run certificates -- --local',
    ]);
  });

  it('says once per notify_url that the sandbox delivers it over plain http', () => {
    for (const kind of ['merchant', 'partner']) {
      const said = `… sandbox: notify_url https://127.0.0.1:${ports.http}/${kind}/notify is delivered to http://127.0.0.1:${ports.http}/${kind}/notify (resolveNotifyUrl): plain http here, where WeChat Pay itself delivers only over https\n`;
      expect(output.split(said)).toHaveLength(2);
    }
  });

  it('every printed command works when pasted as printed in another terminal', async () => {
    const [create, complete, orders, deliveries, ledger, certificates] = printedCommands() as [string, string, string, string, string, string];

    const created = await paste(create);
    const order = JSON.parse(created.stdout) as { order_id: string; state: string };
    expect(order.state).toBe('CREATED');
    const outTradeNo = /"out_trade_no":"(\w+)"/.exec(create)![1]!;
    const completed = await paste(complete.replace('<order_id>', order.order_id));
    expect(completed).toMatchObject({ code: 0, stderr: '' });
    const notificationId = /notification (\S+) \(PAYSCORE\.USER_PAID\)/.exec(completed.stdout)![1]!;
    expect(completed.stdout).toContain(`delivered to http://127.0.0.1:${ports.http}/merchant/notify: HTTP 204 after 1 attempt`);
    expect((await paste(orders)).stdout).toContain(order.order_id);
    expect((await paste(deliveries)).stdout).toContain(`${notificationId} PAYSCORE.USER_PAID order ${order.order_id}: delivered`);

    const listed = await paste(ledger);
    expect(listed).toMatchObject({ code: 0, stderr: expect.not.stringContaining('ECONNREFUSED') });
    expect(listed.stdout).toContain(outTradeNo);

    const refreshed = await paste(certificates);
    expect(refreshed.code).toBe(0);
    expect(refreshed.stdout).toMatch(/"outcome":"(updated|unchanged|disabled)"/);
  }, 120_000);

  it('records itself for the helper commands while it runs', () => {
    const records = readdirSync(join(copy.dir, '.local-stack'));
    expect(records).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(copy.dir, '.local-stack', records[0]!), 'utf8'))).toMatchObject({ stage: 'local', ports, tableName: 'payscore-sign-plan-local-ledger' });
  });

  it('Ctrl-C (SIGINT to the whole process group) stops it with its "stopped." line', async () => {
    process.kill(-child.pid!, 'SIGINT');
    await closed;
    expect(output).toMatch(/\nSIGINT: stopping the local stack…\nstopped\.\n/);
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
  }, 60_000);

  it('once stopped, its record is gone and the helper commands say no stack is running', async () => {
    expect(readdirSync(join(copy.dir, '.local-stack'))).toEqual([]);
    const ledger = await paste('npm run ledger');
    expect(ledger.code).toBe(1);
    expect(ledger.stderr).toContain('npm run ledger: no local stack is running: start one with `npm start`');
  });
});
