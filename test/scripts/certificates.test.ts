/** `npm run certificates`: what it would invoke (nothing here calls AWS). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS } from '../../dev/stack/ports';
import { NoRunningStackError, stageNames, type RunningStack } from '../../dev/stack/running-stack';
import { certificateInvocations } from '../../scripts/certificates';

/** The stack `npm start` recorded: started as `LAMBDA_PORT=5101 npm start`. */
const recorded: RunningStack = { pid: 4242, stage: 'local', ports: { ...DEFAULT_PORTS, lambda: 5101 }, ...stageNames('local') };
const noStack = (): RunningStack => {
  throw new NoRunningStackError('no local stack is running: start one with `npm start`');
};

describe('npm run certificates', () => {
  it('--stage invokes both deployed refreshers', () => {
    expect(certificateInvocations(['--stage', 'prod'], {})).toEqual([
      { kind: 'deployed', command: 'npx', args: ['serverless', 'invoke', '--function', 'refreshMerchantPlatformCertificates', '--stage', 'prod'] },
      { kind: 'deployed', command: 'npx', args: ['serverless', 'invoke', '--function', 'refreshPartnerPlatformCertificates', '--stage', 'prod'] },
    ]);
  });

  it('--account picks one', () => {
    expect(certificateInvocations(['--stage', 'dev', '--account', 'partner'], {}).map((invocation) => invocation.kind === 'deployed' && invocation.args[3])).toEqual([
      'refreshPartnerPlatformCertificates',
    ]);
  });

  it("--local invokes the running stack's functions through serverless-offline's Lambda endpoint, on the port it was started on", () => {
    expect(certificateInvocations(['--local', '--account', 'merchant'], {}, () => recorded)).toEqual([
      { kind: 'local', url: 'http://127.0.0.1:5101/2015-03-31/functions/payscore-sign-plan-local-refreshMerchantPlatformCertificates/invocations' },
    ]);
    expect(certificateInvocations(['--local', '--stage', 'demo', '--account', 'merchant'], {}, () => recorded)).toEqual([
      { kind: 'local', url: 'http://127.0.0.1:5101/2015-03-31/functions/payscore-sign-plan-demo-refreshMerchantPlatformCertificates/invocations' },
    ]);
  });

  it('--local with no stack running says so', () => {
    expect(() => certificateInvocations(['--local'], {}, noStack)).toThrow(new NoRunningStackError('no local stack is running: start one with `npm start`'));
  });

  it.each([
    [[], '--stage is required'],
    [['--stage', 'dev', '--account', 'shop'], '--account must be merchant or partner'],
    [['--stages', 'dev'], 'Unknown option'],
  ])('refuses %j, saying how to call it', (argv, message) => {
    expect(() => certificateInvocations(argv, {})).toThrow(message);
  });
});
