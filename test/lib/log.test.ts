import { describe, expect, it } from 'vitest';
import { jsonLog, userReference, withContext } from '../../lib/log';

function capture(level?: string) {
  const lines: string[] = [];
  const log = jsonLog({ service: 'svc', level, write: (line) => lines.push(line), clock: () => Date.UTC(2026, 10, 22) });
  return { log, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>), lines };
}

describe('jsonLog', () => {
  it('writes one JSON line per entry with level, message, timestamp, service and the attributes', () => {
    const { log, entries, lines } = capture();
    log.info('notification recorded', { notification_id: 'EV-1', outcome: 'applied' });
    expect(lines[0]!.endsWith('}\n')).toBe(true);
    expect(entries()).toEqual([
      { level: 'INFO', message: 'notification recorded', timestamp: '2026-11-22T00:00:00.000Z', service: 'svc', notification_id: 'EV-1', outcome: 'applied' },
    ]);
  });

  it('drops entries below the level, and defaults to INFO', () => {
    const warn = capture('warn');
    warn.log.info('hidden');
    warn.log.warn('shown');
    warn.log.error('shown too');
    expect(warn.entries().map((entry) => entry.level)).toEqual(['WARN', 'ERROR']);
    const silent = capture('SILENT');
    silent.log.error('hidden');
    expect(silent.lines).toEqual([]);
    const unknown = capture('chatty');
    unknown.log.info('shown');
    expect(unknown.lines).toHaveLength(1);
  });

  it('logs errors with their code, safe fields, stack and causes, but not other fields', () => {
    const { log, entries } = capture();
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = Object.assign(new Error('WeChat Pay answered 400', { cause }), { code: 'WECHATPAY_REQUEST_REJECTED', status: 400, body: { detail: { value: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } } });
    log.error('request failed', { error });
    const logged = entries()[0]!.error as Record<string, unknown>;
    expect(logged).toMatchObject({ name: 'Error', message: 'WeChat Pay answered 400', code: 'WECHATPAY_REQUEST_REJECTED', status: 400, stack: expect.any(String) });
    expect(logged.cause).toMatchObject({ message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' });
    expect(JSON.stringify(logged)).not.toContain('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
  });

  it('logs a non-Error cause as text', () => {
    const { log, entries } = capture();
    log.error('failed', { error: new Error('outer', { cause: 'a reason' }) });
    expect((entries()[0]!.error as Record<string, unknown>).cause).toBe('a reason');
  });

  it('never throws on an attribute JSON cannot hold', () => {
    const { log, entries } = capture();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => log.warn('odd', { cycle, big: 1n })).not.toThrow();
    expect(entries()[0]).toMatchObject({ message: 'odd', unserialisable: ['cycle', 'big'] });
  });

  it('writes to stdout by default', () => {
    const log = jsonLog({ service: 'svc', level: 'SILENT' });
    expect(() => log.info('x')).not.toThrow();
  });
});

describe('withContext and userReference', () => {
  it('adds the context to every line', () => {
    const { log, entries } = capture();
    const scoped = withContext(log, { aws_request_id: 'R1' });
    scoped.info('a');
    scoped.warn('b', { extra: 1 });
    scoped.error('c');
    expect(entries().map((entry) => entry.aws_request_id)).toEqual(['R1', 'R1', 'R1']);
  });

  it('hashes an openid to 16 hex digits, stably', () => {
    expect(userReference('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o')).toMatch(/^[0-9a-f]{16}$/);
    expect(userReference('a')).toBe(userReference('a'));
    expect(userReference('a')).not.toBe(userReference('b'));
  });
});
