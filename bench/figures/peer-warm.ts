/**
 * The notify function, warm, per invocation: ours as deployed (production
 * wiring) against the same function written with wechatpay-axios-plugin. Both
 * write through the same DynamoDB document client, whose `send` resolves at
 * once on both sides, so the ledger's round trip does not hide the difference.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { cycle, notificationEvents, type BenchEvent } from '../events';
import type { BenchOptions } from '../options';
import { asPeerComparison } from '../stats';
import { invoke } from '../warm-handlers';
import type { BenchWorld } from '../world';
import { warmComparison } from './warm-comparison';

type Handler = (event: BenchEvent, context: Context) => Promise<{ statusCode: number; body?: string }>;

export async function peerWarm(world: BenchWorld, options: BenchOptions) {
  // A plain function, not a mocking library: sinon's cost per call depends on the arguments, which differ between the sides.
  DynamoDBDocumentClient.prototype.send = (async () => ({})) as DynamoDBDocumentClient['send'];
  // Imported only now: both read process.env, which the world has just set.
  const { handler: ours } = (await import('../../functions/deduction-notify')) as { handler: Handler };
  const { handler: peer } = (await import('../peers/wechatpay-axios-plugin-notify')) as unknown as { handler: Handler };
  const next = cycle(notificationEvents(world.keys, 200));
  const { perInvocation } = await warmComparison(world, { ours: () => invoke(ours, next(), 204), floor: () => invoke(peer, next(), 204) }, { warmup: options.warmup, rounds: options.notifyRounds });
  return asPeerComparison(perInvocation);
}
