/**
 * Runs each step once per round, rotating which goes first: drift of a noisy
 * machine (clock frequency, neighbours, GC) then hits every side alike.
 */
import { now } from './stats';

export type Step = () => Promise<unknown>;

/** Milliseconds per run of each step, by name. */
export async function interleave<Name extends string>(steps: Record<Name, Step>, rounds: number): Promise<Record<Name, number[]>> {
  const names = Object.keys(steps) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < names.length; i += 1) {
      const name = names[(round + i) % names.length]!;
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
