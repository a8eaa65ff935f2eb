/** Account secrets for tests, from keys generated once per test file. */
import { accountSecret, generateDevKeys, type DevAccount, type DevKeys, type VerificationMode } from '../../dev/keys';

export interface TestWorld extends DevKeys {
  secret(account: DevAccount, mode?: VerificationMode): string;
}

export async function createTestWorld(): Promise<TestWorld> {
  const keys = await generateDevKeys();
  return { ...keys, secret: (account, mode = 'both') => accountSecret(account, keys.wechatpay, mode) };
}
