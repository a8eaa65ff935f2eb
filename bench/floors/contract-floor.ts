/**
 * A calling function's contract floor, bundled like a function (its cold start is measured
 * against this): only what its contract cannot do without. Fetch the secret and parse its
 * keys, then bench/floors/contract-call.ts: (a create's one read,) write the intent ahead,
 * sign the request's bytes, one POST to WeChat Pay (the sandbox), verify the answer, write
 * the answer. No validation, no middleware, no log line, no retries or timeouts.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { contractCall, type ContractCallOptions } from './contract-call';
import { createFloor } from './create-floor';
import { loadSecret } from './secret';

/** The handler of a function whose one call is a POST of the request body to `path`. */
export function contractFloorHandler(path: string, options: ContractCallOptions) {
  return async (event: APIGatewayProxyEventV2): Promise<{ statusCode: number }> => {
    const secret = await loadSecret();
    const [wechatpaySerial, wechatpayPublicKey] = secret.publicKeys[0]!;
    const floor = createFloor({ baseUrl: process.env.WECHATPAY_BASE_URL!, path, mchid: secret.mchid, serialNo: secret.merchantSerialNo, privateKey: secret.privateKey, wechatpaySerial, wechatpayPublicKey });
    try {
      await contractCall(floor, event.body!, options);
    } finally {
      floor.close();
    }
    return { statusCode: 200 };
  };
}
