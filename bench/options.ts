/** How much each figure runs: `--quick` (CI: does it work?) or a full run (the README's figures). */
export interface BenchOptions {
  quick: boolean;
  /** Invocations from a fresh container before timing; GetSecretValue is counted over exactly these. */
  warmup: number;
  notifyRounds: number;
  createRounds: number;
  /** Invocations of the flat-cost figure: checkpoints at 1, 1,000 and this many. */
  flatInvocations: number;
  throughputNotifications: number;
  coldRounds: number;
  /** Rounds of 1,000 ledger changes through the events publisher. */
  ledgerEventRounds: number;
}

export const SECRET_COUNT_INVOCATIONS = 1_000;

export function benchOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  return {
    quick,
    warmup: SECRET_COUNT_INVOCATIONS,
    notifyRounds: quick ? 500 : 20_000,
    createRounds: quick ? 100 : 3_000,
    flatInvocations: 10_000,
    throughputNotifications: quick ? 200 : 2_000,
    coldRounds: quick ? 2 : 100,
    ledgerEventRounds: quick ? 2 : 20,
  };
}
