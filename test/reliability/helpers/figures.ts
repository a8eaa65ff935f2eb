/**
 * The figures a reliability test measured, kept in reports/reliability/<name>.json
 * (gitignored): the README's "Reliability" section quotes them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';

const REPORTS = new URL('../../../reports/reliability/', import.meta.url);

export interface Figures {
  /** Merges `values` into the file's figures and rewrites the file. */
  record(values: Record<string, unknown>): void;
}

export function figuresFile(name: string): Figures {
  const figures: Record<string, unknown> = {};
  return {
    record(values) {
      Object.assign(figures, values);
      mkdirSync(REPORTS, { recursive: true });
      writeFileSync(new URL(`${name}.json`, REPORTS), `${JSON.stringify(figures, null, 2)}\n`);
    },
  };
}

/** Counts of labels, e.g. answers by status and error code. */
export class Tally {
  readonly counts: Record<string, number> = {};

  add(label: string): void {
    this.counts[label] = (this.counts[label] ?? 0) + 1;
  }

  get total(): number {
    return Object.values(this.counts).reduce((sum, count) => sum + count, 0);
  }
}
