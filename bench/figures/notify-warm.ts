/** Notify handler, warm, per invocation, against one verify + one decrypt + two JSON.parse; and its GetSecretValue calls. */
import { createPublicKey } from 'node:crypto';
import { apiV3KeyBytes } from '../../lib/wechatpay';
import { cycle, notificationEvents } from '../events';
import { notifyFloor } from '../floors/notify-floor';
import type { BenchOptions } from '../options';
import { invoke, warmNotifyHandler } from '../warm-handlers';
import type { BenchWorld } from '../world';
import { warmComparison } from './warm-comparison';

export function notifyWarm(world: BenchWorld, options: BenchOptions) {
  const handler = warmNotifyHandler(process.env);
  const floor = notifyFloor(createPublicKey(world.keys.wechatpay.key.publicKeyPem), apiV3KeyBytes(world.keys.merchant.apiV3Key));
  const next = cycle(notificationEvents(world.keys, 200));
  return warmComparison(world, { ours: () => invoke(handler, next(), 204), floor: async () => floor(next()) }, { warmup: options.warmup, rounds: options.notifyRounds });
}
