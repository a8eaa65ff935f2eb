/** Summaries of timing samples: these machines are noisy, so medians and tails, never means. */
export interface Summary {
  samples: number;
  median: number;
  p99: number;
}

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

export function summarise(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: sorted.length, median: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/** Ours against the floor measured in the same run: the ratio of medians, and of p99s. */
export interface Comparison {
  ours: Summary;
  floor: Summary;
  ratio: number;
  p99Ratio: number;
}

export function compare(ours: readonly number[], floor: readonly number[]): Comparison {
  const a = summarise(ours);
  const b = summarise(floor);
  return { ours: a, floor: b, ratio: a.median / b.median, p99Ratio: a.p99 / b.p99 };
}

/** Ours against the same function written with a peer SDK, measured in the same run. */
export interface PeerComparison {
  ours: Summary;
  peer: Summary;
  ratio: number;
  p99Ratio: number;
}

/** A comparison whose other side was the peer. */
export const asPeerComparison = ({ floor, ...rest }: Comparison): PeerComparison => ({ ...rest, peer: floor });

export const compareWithPeer = (ours: readonly number[], peer: readonly number[]): PeerComparison => asPeerComparison(compare(ours, peer));

/** Milliseconds since an origin, at sub-microsecond resolution. */
export const now = (): number => performance.now();
