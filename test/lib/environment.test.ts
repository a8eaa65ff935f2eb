import { describe, expect, it } from 'vitest';
import { DEFAULT_BASE_URL, metricsEnvironment, readEnvironment, readReconcileEnvironment, readLedgerEnvironment, readSecretEnvironment, readWechatpayEnvironment } from '../../lib/environment';
import { DEFAULT_NAMESPACE } from '../../lib/metrics';

const complete = { WECHATPAY_SECRET_ID: 'payscore/prod/merchant', LEDGER_TABLE: 'payscore-sign-plan-prod-ledger', WECHATPAY_BASE_URL: 'https://api.mch.weixin.qq.com', NOTIFY_URL: 'https://example.com/notify' };

describe('environment', () => {
  it("a create function's: secret, WeChat Pay, ledger and notify_url", () => {
    expect(readEnvironment(complete)).toEqual({ secretId: 'payscore/prod/merchant', ledgerTable: 'payscore-sign-plan-prod-ledger', baseUrl: 'https://api.mch.weixin.qq.com', notifyUrl: 'https://example.com/notify' });
    expect(readEnvironment({ ...complete, WECHATPAY_BASE_URL: '', NOTIFY_URL: '' })).toMatchObject({ baseUrl: DEFAULT_BASE_URL, notifyUrl: undefined });
  });

  it('each part reads only its own variables: the refresher needs no LEDGER_TABLE', () => {
    const refresher = { WECHATPAY_SECRET_ID: 'payscore/prod/merchant' };
    expect({ ...readSecretEnvironment(refresher), ...readWechatpayEnvironment(refresher) }).toEqual({ secretId: 'payscore/prod/merchant', baseUrl: DEFAULT_BASE_URL });
    expect(readLedgerEnvironment({ LEDGER_TABLE: 'ledger' })).toEqual({ ledgerTable: 'ledger' });
  });

  it.each([
    ['WECHATPAY_SECRET_ID', () => readSecretEnvironment({}), 'environment variable WECHATPAY_SECRET_ID is required: set it in serverless.yml for this function'],
    ['LEDGER_TABLE', () => readLedgerEnvironment({ LEDGER_TABLE: '' }), 'environment variable LEDGER_TABLE is required: set it in serverless.yml for this function'],
    ['WECHATPAY_BASE_URL', () => readWechatpayEnvironment({ WECHATPAY_BASE_URL: 'not a url' }), 'environment variable WECHATPAY_BASE_URL is not a URL'],
    ['NOTIFY_URL', () => readEnvironment({ ...complete, NOTIFY_URL: 'http://example.com/notify' }), 'environment variable NOTIFY_URL must be an https URL of at most 256 characters'],
    ['LEDGER_TABLE of a create function', () => readEnvironment({ ...complete, LEDGER_TABLE: undefined }), 'environment variable LEDGER_TABLE is required: set it in serverless.yml for this function'],
  ])('names a missing or bad %s', (_name, read, message) => {
    expect(read).toThrow(expect.objectContaining({ code: 'ENVIRONMENT_INVALID', message }));
  });

  it("metrics: the stage's namespace and the function's name, with defaults for a local run", () => {
    expect(metricsEnvironment({ METRICS_NAMESPACE: 'payscore-sign-plan/prod', AWS_LAMBDA_FUNCTION_NAME: 'payscore-sign-plan-prod-merchantDeductionNotify' })).toEqual({
      namespace: 'payscore-sign-plan/prod',
      functionName: 'payscore-sign-plan-prod-merchantDeductionNotify',
    });
    expect(metricsEnvironment({})).toEqual({ namespace: DEFAULT_NAMESPACE, functionName: '' });
  });
});

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
