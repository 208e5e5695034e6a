/**
 * The global pause switch: while paused, rules still match and firings are stored, but action
 * runs wait at the gate (their messages stay unacked and heartbeat) until resumed.
 */
export class PauseGate {
  private waiters: (() => void)[] = [];

  constructor(private paused = false) {}

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /** Resolves at once when running, else when resumed (or when `signal` aborts). */
  wait(signal?: AbortSignal): Promise<void> {
    if (!this.paused) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
  }
}
