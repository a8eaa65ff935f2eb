/** How the helper commands find the stack `npm start` runs (its record in a folder of its own here). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PORTS } from '../../../dev/stack/ports';
import { findRunningStack, NoRunningStackError, recordRunningStack, stageNames, type RunningStack } from '../../../dev/stack/running-stack';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'running-stack-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const stackOf = (pid: number, http: number): RunningStack => ({ pid, stage: 'local', ports: { ...DEFAULT_PORTS, http, dynamoDb: http + 4 }, ...stageNames('local') });
/** A process id that was in use a moment ago and no longer is. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;
const NOT_RUNNING = new NoRunningStackError('no local stack is running: start one with `npm start` (or set the port variables of one started otherwise)');

describe('findRunningStack', () => {
  it('finds the one running stack, on the ports it was started on', () => {
    recordRunningStack(stackOf(process.pid, 5100), dir);
    expect(findRunningStack({}, dir)).toEqual(stackOf(process.pid, 5100));
  });

  it('says no stack is running when none recorded itself', () => {
    expect(() => findRunningStack({}, dir)).toThrow(NOT_RUNNING);
    expect(() => findRunningStack({}, join(dir, 'absent'))).toThrow(NOT_RUNNING);
  });

  it('a record whose npm start is gone (killed) is not a running stack, and the next record removes it', () => {
    const pid = deadPid();
    writeFileSync(join(dir, `${pid}.json`), JSON.stringify(stackOf(pid, 5100)));
    expect(() => findRunningStack({}, dir)).toThrow(NOT_RUNNING);
    recordRunningStack(stackOf(process.pid, 6100), dir);
    expect(readdirSync(dir)).toEqual([`${process.pid}.json`]);
  });

  it('the record is gone once the stack stops', () => {
    const forget = recordRunningStack(stackOf(process.pid, 5100), dir);
    forget();
    expect(() => findRunningStack({}, dir)).toThrow(NOT_RUNNING);
  });

  it('the port variables and STAGE override the record', () => {
    recordRunningStack(stackOf(process.pid, 5100), dir);
    expect(findRunningStack({ DYNAMODB_PORT: '7104', STAGE: 'demo' }, dir)).toEqual({
      ...stackOf(process.pid, 5100),
      ports: { ...stackOf(process.pid, 5100).ports, dynamoDb: 7104 },
      stage: 'demo',
      tableName: 'payscore-sign-plan-demo-ledger',
      secretIds: { merchant: 'payscore/demo/merchant', partner: 'payscore/demo/partner' },
    });
  });

  it('with none running, the port variables alone describe a stack started otherwise', () => {
    expect(findRunningStack({ DYNAMODB_PORT: '7104' }, dir)).toEqual({ pid: 0, stage: 'local', ports: { ...DEFAULT_PORTS, dynamoDb: 7104 }, ...stageNames('local') });
  });

  it('with several running, HTTP_PORT picks one; without it, it lists them', () => {
    recordRunningStack(stackOf(process.pid, 5100), dir);
    writeFileSync(join(dir, `${process.ppid}.json`), JSON.stringify(stackOf(process.ppid, 6100)));
    expect(findRunningStack({ HTTP_PORT: '6100' }, dir)).toEqual(stackOf(process.ppid, 6100));
    const listed = [stackOf(process.pid, 5100), stackOf(process.ppid, 6100)]
      .sort((a, b) => a.pid - b.pid)
      .map((stack) => `HTTP_PORT=${stack.ports.http} (stage local, pid ${stack.pid})`);
    expect(() => findRunningStack({}, dir)).toThrow(new NoRunningStackError(`2 local stacks are running: ${listed.join(', ')}; pick one by putting its HTTP_PORT=… before the command`));
  });
});
