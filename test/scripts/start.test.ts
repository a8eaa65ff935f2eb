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
  it('walks a sign plan through its lifecycle for the merchant and the partner, one line a step', () => {
    for (const kind of ['merchant', 'partner']) {
      const flow = output.slice(output.indexOf(`── ${kind}: `), output.indexOf('\n\n', output.indexOf(`── ${kind}: `)));
      // The step each line is (the package on a line of its own), without the sandbox's notices and the events published.
      const steps = flow.split('\n').slice(1).filter((line) => !line.startsWith('…') && !line.startsWith('  event │ ')).map((line) => /^[a-z-]*/.exec(line)![0]);
      expect(steps).toEqual(['plan', 'pre-sign', '', 'sign', 'order', 'complete', 'paid', 'order', 'order', 'complete', 'paid', 'ledger']);
      expect(flow).toMatch(/\n {11}package [\w-]+ {2}\(the front end opens the signing page with it\)\n/);
      expect(flow).toContain(`PAYSCORE.USER_SIGN_PLAN to /${kind}/notify (HTTP 204); ledger: SIGNED`);
      expect(flow).toContain('(plan detail 3, before detail 2 is paid) → 409 SIGN_PLAN_ORDER_OPEN');
      expect(flow).toMatch(/→ SIGNED, 2 of 3 details used: 1 USED \(\S+-1, DONE, paid 3000 fen\); 2 USED \(\S+-2, DONE, paid 2500 fen\); 3 NOT_USED(\n|$)/);
      expect(flow).toMatch(/\n {2}event │ .*Service Order Paid/);
    }
  });

  it('prints the curl and npm commands that work with this stack', () => {
    const api = `http://127.0.0.1:${ports.http}/merchant`;
    expect(printedCommands().map((line) => line.split(' ').slice(0, 6).join(' ').replace(/\/[^/ ]+-1(?=\/|$)/, '/<no>-1').replace(/\/S[0-9A-F]+$/, '/<S…>'))).toEqual([
      `curl -s -X POST ${api}/plans -H`,
      `curl -s -X POST ${api}/user-sign-plans -H`,
      'npm run sandbox -- sign <sign_plan_id>',
      `curl -s ${api}/user-sign-plans/<S…>`,
      `curl -s -X POST ${api}/service-orders -H`,
      `curl -s -X POST ${api}/service-orders/<no>-1/complete`,
      `curl -s ${api}/service-orders/<no>-1`,
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

  it('every printed command works when pasted as printed in another terminal: a new sign plan signed, its detail 1 ordered, completed and paid', async () => {
    const [plan, presign, sign, signPlan, create, complete, order, orders, deliveries, ledger, certificates] = printedCommands() as [
      string, string, string, string, string, string, string, string, string, string, string,
    ];
    const json = async (line: string) => {
      const pasted = await paste(line);
      expect(pasted).toMatchObject({ code: 0, stderr: '' });
      return JSON.parse(pasted.stdout) as Record<string, unknown>;
    };

    const { plan_id: planId, plan_state: planState } = await json(plan);
    expect(planState).toBe('NORMAL');
    const presigned = await json(presign.replace('<plan_id>', String(planId)));
    const signPlanId = String((presigned.sign_plan as { sign_plan_id: string }).sign_plan_id);
    expect(presigned.package).toEqual(expect.any(String));

    const signed = await paste(sign.replace('<sign_plan_id>', signPlanId));
    expect(signed).toMatchObject({ code: 0, stderr: '' });
    expect(signed.stdout).toContain(`sign plan ${signPlanId} signed: notification`);
    expect(signed.stdout).toContain(`delivered to http://127.0.0.1:${ports.http}/merchant/notify: HTTP 204 after 1 attempt`);
    expect(await json(signPlan)).toMatchObject({ sign_plan_id: signPlanId, state: 'SIGNED' });

    const created = await json(create.replace('<sign_plan_id>', signPlanId));
    expect(created.state).toBe('CREATED');
    const outTradeNo = String(created.out_order_no);
    expect(await json(complete)).toMatchObject({ out_order_no: outTradeNo, state: 'DOING', state_description: 'MCH_COMPLETE' });
    // The sandbox deducts a moment after the complete; the ledger has it once PAYSCORE.USER_PAID is delivered.
    let paid = await json(order);
    for (let poll = 0; poll < 100 && paid.state !== 'DONE'; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      paid = await json(order);
    }
    expect(paid).toMatchObject({ out_order_no: outTradeNo, state: 'DONE', collection: { state: 'USER_PAID', paid_amount: 3000 } });

    expect((await paste(orders)).stdout).toContain(String(created.order_id));
    const delivered = (await paste(deliveries)).stdout;
    expect(delivered).toContain(`PAYSCORE.USER_SIGN_PLAN sign plan ${signPlanId}: delivered`);
    expect(delivered).toContain(`PAYSCORE.USER_PAID order ${String(created.order_id)}: delivered`);

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
