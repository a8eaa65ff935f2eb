/** `npm run certificates`: what it would invoke (nothing here calls AWS). */
import { describe, expect, it } from 'vitest';
import { certificateInvocations } from '../../scripts/certificates';

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

  it("--local invokes the local stack's functions through serverless-offline's Lambda endpoint", () => {
    expect(certificateInvocations(['--local', '--account', 'merchant'], {})).toEqual([
      { kind: 'local', url: 'http://127.0.0.1:4101/2015-03-31/functions/payscore-sign-plan-local-refreshMerchantPlatformCertificates/invocations' },
    ]);
    expect(certificateInvocations(['--local', '--stage', 'demo', '--account', 'merchant'], { LAMBDA_PORT: '5000' })).toEqual([
      { kind: 'local', url: 'http://127.0.0.1:5000/2015-03-31/functions/payscore-sign-plan-demo-refreshMerchantPlatformCertificates/invocations' },
    ]);
  });

  it.each([
    [[], '--stage is required'],
    [['--stage', 'dev', '--account', 'shop'], '--account must be merchant or partner'],
    [['--stages', 'dev'], 'Unknown option'],
  ])('refuses %j, saying how to call it', (argv, message) => {
    expect(() => certificateInvocations(argv, {})).toThrow(message);
  });
});
