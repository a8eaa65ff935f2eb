/**
 * The create function's contract floor, bundled like a function (its cold
 * start is measured against this): only what its contract cannot do without.
 * Fetch the secret and parse its keys, sign the order's bytes, one POST to
 * WeChat Pay (the sandbox), verify the answer, one ledger write holding request
 * and answer. No validation, no middleware, no log line, no retries or timeouts.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SERVICE_ORDER_PATHS } from '../../lib/service-order/wechatpay-paths';
import { createFloor } from './create-floor';
import { writeLedgerItem } from './ledger-write';
import { loadSecret } from './secret';

export async function handler(event: APIGatewayProxyEventV2): Promise<{ statusCode: number }> {
  const secret = await loadSecret();
  const [wechatpaySerial, wechatpayPublicKey] = secret.publicKeys[0]!;
  const floor = createFloor({ baseUrl: process.env.WECHATPAY_BASE_URL!, path: SERVICE_ORDER_PATHS.merchant, mchid: secret.mchid, serialNo: secret.merchantSerialNo, privateKey: secret.privateKey, wechatpaySerial, wechatpayPublicKey });
  try {
    const answer = await floor.create(Buffer.from(event.body!, 'utf8'));
    await writeLedgerItem({ create_request: event.body, create_response: answer.toString('utf8') });
  } finally {
    floor.close();
  }
  return { statusCode: 200 };
}
