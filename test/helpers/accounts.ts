/** Account secrets for tests, from keys generated once per test file. */
import { generateAccount, generateWechatpayKeys, accountSecret, type DevAccount, type DevWechatpayKeys, type VerificationMode } from '../../dev/keys';

export interface TestWorld {
  wechatpay: DevWechatpayKeys;
  merchant: DevAccount;
  partner: DevAccount;
  secret(account: DevAccount, mode?: VerificationMode): string;
}

export async function createTestWorld(): Promise<TestWorld> {
  const [wechatpay, merchant, partner] = await Promise.all([generateWechatpayKeys(), generateAccount('1900000109'), generateAccount('1900000001')]);
  return { wechatpay, merchant, partner, secret: (account, mode = 'both') => accountSecret(account, wechatpay, mode) };
}
