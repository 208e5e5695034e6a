/**
 * Execution lanes (reference §3.3): a sequential ruleset runs one firing at a time, in order; a
 * parallel ruleset runs up to `maxConcurrent` firings at once. Named locks serialize the actions
 * that share a lock name within a ruleset (ignored for sequential rulesets, as in ansible-rulebook).
 */
export class ExecutionLanes {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly strategyOf: (ruleset: string) => "sequential" | "parallel",
    private readonly maxConcurrent = 25,
  ) {}

  isParallel(ruleset: string): boolean {
    return this.strategyOf(ruleset) === "parallel";
  }

  /** Run a firing's work in its ruleset's lane. */
  run<T>(ruleset: string, task: () => Promise<T>): Promise<T> {
    if (!this.isParallel(ruleset)) {
      const prev = this.tails.get(ruleset) ?? Promise.resolve();
      const next = prev.then(task, task);
      this.tails.set(ruleset, next.catch(() => undefined));
      return next;
    }
    return this.acquire(ruleset).then(async () => {
      try {
        return await task();
      } finally {
        this.release(ruleset);
      }
    });
  }

  /** Run `task` holding the ruleset's named lock (parallel rulesets only). */
  withLock<T>(ruleset: string, lock: string | undefined, task: () => Promise<T>): Promise<T> {
    if (!lock || !this.isParallel(ruleset)) return task();
    const key = `${ruleset}\u0000${lock}`;
    const prev = this.locks.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    this.locks.set(key, next.catch(() => undefined));
    return next;
  }

  private acquire(ruleset: string): Promise<void> {
    const n = this.running.get(ruleset) ?? 0;
    if (n < this.maxConcurrent) {
      this.running.set(ruleset, n + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const q = this.waiting.get(ruleset) ?? [];
      q.push(() => {
        this.running.set(ruleset, (this.running.get(ruleset) ?? 0) + 1);
        resolve();
      });
      this.waiting.set(ruleset, q);
    });
  }

  private release(ruleset: string): void {
    this.running.set(ruleset, (this.running.get(ruleset) ?? 1) - 1);
    this.waiting.get(ruleset)?.shift()?.();
  }
}
