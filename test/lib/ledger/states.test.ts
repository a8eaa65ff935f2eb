import { describe, expect, it } from 'vitest';
import {
  changeVersion,
  PLAN_DETAIL_STATES,
  PLAN_STATES,
  SERVICE_ORDER_STATES,
  USER_SIGN_PLAN_STATES,
  utcTime,
  type StateMachine,
} from '../../../lib/ledger/states';

const version = (machine: StateMachine, state: string, at = '2026-11-22T10:00:00+08:00', subRank?: number, tieBreak = 'EV-1') =>
  changeVersion(machine, { state, at, tieBreak, ...(subRank === undefined ? {} : { subRank }) })!;

describe('ledger states', () => {
  it.each([
    ['service order', SERVICE_ORDER_STATES, ['CREATED', 'DOING', 'DONE'], ['DONE', 'REVOKED', 'EXPIRED']],
    ['user sign plan', USER_SIGN_PLAN_STATES, ['UNSIGNED', 'SIGNED', 'COMPLETE'], ['COMPLETE', 'SIGN_PLAN_CANCEL', 'EXPIRE']],
    ['plan detail', PLAN_DETAIL_STATES, ['NOT_USED', 'USING', 'USED'], ['USED', 'SIGN_PLAN_DETAIL_CANCEL']],
    ['plan', PLAN_STATES, ['NORMAL', 'STOP'], ['STOP']],
  ])('a %s moves forward only, whatever the times, and ends in its terminal states', (_name, machine, forward, terminal) => {
    // Each later state wins even when told with an older time.
    const versions = forward.map((state, index) => version(machine, state, `2026-11-2${9 - index}T00:00:00Z`));
    expect([...versions].sort()).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
    expect(machine.terminal).toEqual(terminal);
    for (const state of terminal) expect(version(machine, state) > version(machine, forward.at(-2)!, '2030-01-01T00:00:00Z')).toBe(true);
  });

  it('within a state: the collection rank, then the time in UTC, then the tie-break', () => {
    const paying = version(SERVICE_ORDER_STATES, 'DONE', '2026-11-22T11:00:00+08:00', 1);
    const paid = version(SERVICE_ORDER_STATES, 'DONE', '2026-11-22T10:00:00+08:00', 2);
    expect(paid > paying).toBe(true);
    expect(version(SERVICE_ORDER_STATES, 'DONE', '2026-11-22T02:00:01Z') > version(SERVICE_ORDER_STATES, 'DONE', '2026-11-22T10:00:00+08:00')).toBe(true);
    expect(version(SERVICE_ORDER_STATES, 'DONE', undefined, undefined, 'EV-2') > version(SERVICE_ORDER_STATES, 'DONE', undefined, undefined, 'EV-1')).toBe(true);
    expect(version(SERVICE_ORDER_STATES, 'DONE', 'not a time') < version(SERVICE_ORDER_STATES, 'DONE', '1970-01-01T00:00:00Z')).toBe(true);
    expect(version(SERVICE_ORDER_STATES, 'DONE', '2026-11-22T10:00:00+08:00', 2, 'EV#\ud800')).toBe('3#2#2026-11-22T02:00:00.000Z#EV%0023%D800');
  });

  it('knows no order for a state it does not know', () => {
    expect(changeVersion(SERVICE_ORDER_STATES, { state: 'SOMETHING_NEW', at: '2026-11-22T10:00:00+08:00', tieBreak: 'EV-1' })).toBeUndefined();
    expect(utcTime('2026-11-22T10:00:00+08:00')).toBe('2026-11-22T02:00:00.000Z');
    expect(utcTime('')).toBe('');
  });
});
