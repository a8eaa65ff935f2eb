/**
 * Runs each step once per round, in an order shuffled anew each round from a
 * fixed seed: drift of a noisy machine (clock frequency, neighbours, GC) then
 * hits every side alike, and no step always runs right after the same other
 * one (a fixed rotation kept that order, so whatever one run left behind
 * always fell on the same next one).
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { now } from './stats';

export type Step = () => Promise<unknown>;

/** Same seed, same orders: a run can be repeated exactly. */
const SEED = 20261203;

function shuffled<T>(items: readonly T[], rng: ReturnType<typeof xoroshiro128plus>): T[] {
  const order = [...items];
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = uniformInt(rng, 0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Milliseconds per run of each step, by name. */
export async function interleave<Name extends string>(steps: Record<Name, Step>, rounds: number): Promise<Record<Name, number[]>> {
  const names = Object.keys(steps) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  const rng = xoroshiro128plus(SEED);
  for (let round = 0; round < rounds; round += 1) {
    for (const name of shuffled(names, rng)) {
      const start = now();
      await steps[name]();
      samples[name].push(now() - start);
    }
  }
  return samples;
}

/** Runs `step` `count` times, one after the other. */
export async function repeat(step: Step, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await step();
}
