/**
 * Per-invocation cost of one notify container over its life: time per
 * invocation in the window before each checkpoint, heap after a full GC, and
 * live handles. Flat means no growth from caches, logs or listeners.
 */
import { cycle, notificationEvents } from '../events';
import type { BenchOptions } from '../options';
import { now, summarise } from '../stats';
import { invoke, warmNotifyHandler } from '../warm-handlers';
import type { BenchWorld } from '../world';

/** Run with `node --expose-gc`. */
function heapUsedAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('flat-cost needs node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export async function flatCost(world: BenchWorld, options: BenchOptions) {
  const handler = warmNotifyHandler(process.env);
  const next = cycle(notificationEvents(world.keys, 200));
  const checkpoints = new Set([1, 1_000, options.flatInvocations]);
  const times: number[] = [];
  const results = [];
  for (let invocation = 1; invocation <= options.flatInvocations; invocation += 1) {
    const start = now();
    await invoke(handler, next(), 204);
    times.push(now() - start);
    if (!checkpoints.has(invocation)) continue;
    // The last tenth of the invocations so far: invocation 1 alone, 901–1,000, 9,001–10,000.
    const window = times.slice(Math.floor(invocation * 0.9));
    results.push({ invocations: invocation, window: summarise(window), heapUsedBytes: heapUsedAfterGc(), activeResources: process.getActiveResourcesInfo().length });
  }
  return { checkpoints: results };
}
