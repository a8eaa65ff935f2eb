/** Create handler, warm, against the sandbox on loopback, against one sign + one keep-alive POST + one verify. */
import { createPublicKey } from 'node:crypto';
import { SERVICE_ORDER_PATHS } from '../../lib/service-order/wechatpay-paths';
import { loadPrivateKey } from '../../lib/wechatpay';
import { merchantOrder } from '../../test/helpers/orders';
import { createOrderEvent } from '../events';
import { createFloor } from '../floors/create-floor';
import type { BenchOptions } from '../options';
import { invoke, warmCreateHandler } from '../warm-handlers';
import type { BenchWorld } from '../world';
import { warmComparison } from './warm-comparison';

export async function createWarm(world: BenchWorld, options: BenchOptions) {
  const { merchant, wechatpay } = world.keys;
  const handler = warmCreateHandler(process.env);
  const floor = createFloor({
    baseUrl: world.sandbox.url,
    path: SERVICE_ORDER_PATHS.merchant,
    mchid: merchant.mchid,
    serialNo: merchant.merchant.serial,
    privateKey: loadPrivateKey(merchant.merchant.privateKeyPem),
    wechatpaySerial: wechatpay.publicKeyId,
    wechatpayPublicKey: createPublicKey(wechatpay.key.publicKeyPem),
  });
  try {
    return await warmComparison(
      world,
      { ours: () => invoke(handler, createOrderEvent(), 200), floor: () => floor.create(Buffer.from(JSON.stringify(merchantOrder()), 'utf8')) },
      { warmup: options.warmup, rounds: options.createRounds },
    );
  } finally {
    floor.close();
  }
}
