import { describe, expect, it, vi } from 'vitest';
import { invocationFields, jsonLog, userReference, withContext } from '../../lib/log';

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

describe('DEBUG and the invocation fields', () => {
  it('writes DEBUG lines at LOG_LEVEL=DEBUG only', () => {
    const debug = capture('DEBUG');
    debug.log.debug('request received', { route: 'POST /merchant/notify' });
    expect(debug.entries()).toEqual([{ level: 'DEBUG', message: 'request received', timestamp: '2026-11-22T00:00:00.000Z', service: 'svc', route: 'POST /merchant/notify' }]);
    const info = capture();
    info.log.debug('request received');
    expect(info.lines).toEqual([]);
  });

  it("puts the invocation's fields on every line until the next invocation's, after service and before the attributes", () => {
    const { log, entries, lines } = capture();
    const scoped = withContext(log, { variant: 'merchant' });
    scoped.setInvocation({ aws_request_id: 'R1', cold_start: true });
    scoped.info('a', { cold_start: 'overridden' });
    log.setInvocation({ aws_request_id: 'R2', cold_start: false });
    log.warn('b');
    expect(entries()).toEqual([
      { level: 'INFO', message: 'a', timestamp: '2026-11-22T00:00:00.000Z', service: 'svc', aws_request_id: 'R1', cold_start: 'overridden', variant: 'merchant' },
      { level: 'WARN', message: 'b', timestamp: '2026-11-22T00:00:00.000Z', service: 'svc', aws_request_id: 'R2', cold_start: false },
    ]);
    expect(lines[1]).toBe('{"level":"WARN","message":"b","timestamp":"2026-11-22T00:00:00.000Z","service":"svc","aws_request_id":"R2","cold_start":false}\n');
  });

  it('invocationFields: cold_start true for the first invocation of a container only; the trace Root; API ids; the IAM caller', async () => {
    vi.resetModules();
    const fresh = (await import('../../lib/log')).invocationFields;
    const context = { awsRequestId: 'R1', functionName: 'payscore-sign-plan-prod-merchantDeductionNotify' };
    const httpApi = { requestContext: { requestId: 'A1', authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/ops' } } } };
    expect(fresh(context, httpApi, 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1')).toEqual({
      aws_request_id: 'R1',
      function_name: 'payscore-sign-plan-prod-merchantDeductionNotify',
      cold_start: true,
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      api_request_id: 'A1',
      caller_arn: 'arn:aws:iam::123456789012:user/ops',
    });
    const rest = { requestContext: { requestId: 'A2', identity: { userArn: 'arn:aws:sts::123456789012:assumed-role/caller/session' } } };
    expect(fresh({ ...context, awsRequestId: 'R2' }, rest, 'Sampled=0;Root=1-abc')).toEqual({
      aws_request_id: 'R2',
      function_name: context.functionName,
      cold_start: false,
      xray_trace_id: '1-abc',
      api_request_id: 'A2',
      caller_arn: 'arn:aws:sts::123456789012:assumed-role/caller/session',
    });
    // A public route, a schedule, no trace: only what there is.
    expect(fresh({ ...context, awsRequestId: 'R3' }, { requestContext: { requestId: 'A3', authorizer: null, identity: { userArn: null } } }, undefined)).toEqual({ aws_request_id: 'R3', function_name: context.functionName, cold_start: false, api_request_id: 'A3' });
    expect(fresh({ ...context, awsRequestId: 'R4' }, undefined, '')).toEqual({ aws_request_id: 'R4', function_name: context.functionName, cold_start: false });
    expect(invocationFields).not.toBe(fresh);
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
