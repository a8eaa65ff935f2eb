import { describe, expect, it } from 'vitest';
import { readReconcileEnvironment } from '../../lib/environment';

describe('the reconciliation environment', () => {
  it('unset bounds are left to the handler defaults; set ones are whole numbers', () => {
    expect(readReconcileEnvironment({})).toEqual({});
    expect(readReconcileEnvironment({ RECONCILE_PENDING_AFTER_S: '0', RECONCILE_OPEN_AFTER_S: '7200', RECONCILE_MAX_CALLS: '50', RECONCILE_PER_SECOND: '5' })).toEqual({
      pendingAfterS: 0,
      openAfterS: 7200,
      maxCalls: 50,
      perSecond: 5,
    });
  });

  it.each([
    ['RECONCILE_MAX_CALLS', '0', 1],
    ['RECONCILE_PER_SECOND', '0', 1],
    ['RECONCILE_OPEN_AFTER_S', '-1', 0],
    ['RECONCILE_PENDING_AFTER_S', '1.5', 0],
    ['RECONCILE_MAX_CALLS', '200 calls', 1],
  ])('%s=%s is refused, naming the variable', (name, value, minimum) => {
    expect(() => readReconcileEnvironment({ [name]: value })).toThrow(expect.objectContaining({ code: 'ENVIRONMENT_INVALID', variable: name, message: `environment variable ${name} must be a whole number of at least ${minimum}` }));
  });
});
