/** Every timer the sandbox starts, so that `close()` can cancel them all and leave no handle behind. */
export class Timers {
  readonly #pending = new Map<NodeJS.Timeout, () => void>();
  #cancelled = false;

  /** Runs `action` after `ms`, unless cancelled first. */
  after(ms: number, action: () => void): void {
    if (this.#cancelled) return;
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      action();
    }, ms);
    this.#pending.set(timer, () => undefined);
  }

  /** Resolves `true` after `ms`, or `false` as soon as the timers are cancelled. */
  sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.#cancelled) return resolve(false);
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve(true);
      }, ms);
      this.#pending.set(timer, () => resolve(false));
    });
  }

  /** Cancels every timer, and every later one: the owner is closing. */
  cancelAll(): void {
    this.#cancelled = true;
    for (const [timer, onCancel] of this.#pending) {
      clearTimeout(timer);
      onCancel();
    }
    this.#pending.clear();
  }
}
