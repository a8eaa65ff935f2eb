/** Faults a stand-in injects into its next calls: tests of "the dependency is down" or "it hangs". */
export type CallFault = 'error' | 'hang';

export class CallFaults {
  #remaining = 0;
  #fault: CallFault = 'error';
  #held: Array<() => void> = [];

  /** The next `count` calls get `fault`; replaces any plan still pending (`count` 0: healthy again). */
  plan(count: number, fault: CallFault): void {
    this.#remaining = count;
    this.#fault = fault;
  }

  /** The fault of the call arriving now, if any. */
  take(): CallFault | undefined {
    if (this.#remaining === 0) return undefined;
    this.#remaining -= 1;
    return this.#fault;
  }

  /** Keeps a hanging call's answer until `release()`; closing the server drops it instead. */
  hold(answer: () => void): void {
    this.#held.push(answer);
  }

  release(): void {
    const held = this.#held;
    this.#held = [];
    for (const answer of held) answer();
  }
}
