/**
 * The shape of both warm figures: a fresh container serves its first
 * invocations (GetSecretValue counted over exactly those), both sides warm up,
 * then ours and the floor run interleaved.
 */
import { interleave, repeat, type Step } from '../interleave';
import { compare } from '../stats';
import type { BenchWorld } from '../world';

export async function warmComparison(world: BenchWorld, steps: { ours: Step; floor: Step }, options: { warmup: number; rounds: number }) {
  const secretCalls = () => world.aws.secretsManager.calls.GetSecretValue;
  const atStart = secretCalls();
  await repeat(steps.ours, options.warmup);
  const afterWarmup = secretCalls();
  await repeat(steps.floor, options.warmup);
  const samples = await interleave(steps, options.rounds);
  return {
    perInvocation: compare(samples.ours, samples.floor),
    getSecretValue: { firstInvocations: options.warmup, calls: afterWarmup - atStart, laterInvocations: options.rounds, laterCalls: secretCalls() - afterWarmup },
  };
}
