/**
 * Notifications per second through the deployed notify handler (production
 * wiring, the real Ledger on dynalite), in one process: handler, SDK clients
 * and stand-ins share its one thread (the runner pins it to one core).
 */
import type { Context } from 'aws-lambda';
import { notificationEvents, type BenchEvent } from '../events';
import type { BenchOptions } from '../options';
import { now } from '../stats';
import { invoke } from '../warm-handlers';
import type { BenchWorld } from '../world';

type Handler = (event: BenchEvent, context: Context) => Promise<{ statusCode: number }>;

async function rate(handler: Handler, events: BenchEvent[], concurrency: number): Promise<number> {
  const queue = [...events];
  const start = now();
  const worker = async () => {
    for (let event = queue.shift(); event; event = queue.shift()) await invoke(handler, event, 204);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return events.length / ((now() - start) / 1000);
}

export async function throughput(world: BenchWorld, options: BenchOptions) {
  // Imported only now: the module wires itself from process.env, which the world has just set.
  const { handler } = (await import('../../functions/deduction-notify')) as { handler: Handler };
  const count = options.throughputNotifications;
  await rate(handler, notificationEvents(world.keys, 100), 1);
  const sequential = await rate(handler, notificationEvents(world.keys, count), 1);
  const concurrent = await rate(handler, notificationEvents(world.keys, count), 8);
  return { notifications: count, perSecond: { sequential, concurrency8: concurrent } };
}
