/** Every timer the sandbox starts, so that `close()` can cancel them all and leave no handle behind. */
export class Timers {
  readonly #pending = new Map<NodeJS.Timeout, () => void>();

  /** Runs `action` after `ms`, unless cancelled first. */
  after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      action();
    }, ms);
    this.#pending.set(timer, () => undefined);
  }

  /** Resolves `true` after `ms`, or `false` as soon as the timers are cancelled. */
  sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve(true);
      }, ms);
      this.#pending.set(timer, () => resolve(false));
    });
  }

  cancelAll(): void {
    for (const [timer, onCancel] of this.#pending) {
      clearTimeout(timer);
      onCancel();
    }
    this.#pending.clear();
  }
}
