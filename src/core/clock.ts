/**
 * Clock port. The engine reads time only through this; `hookbook run --events` and
 * `hookbook test` use a virtual clock that moves when told to.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Run `fn` once `ms` from now (on a virtual clock: when advanced past that point). */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when advanced; timers fire in due order during advance(). */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Earliest pending timer time, or undefined when none is pending. */
  nextDue(): number | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let min: number | undefined;
    for (const t of this.timers) if (min === undefined || t.at < min) min = t.at;
    return min;
  }

  /**
   * Move to `target`, firing every timer due on the way in (time, creation) order.
   * `afterEach` runs after each timer so callers can settle the work it started.
   */
  async advanceTo(target: number, afterEach?: () => Promise<void>): Promise<void> {
    for (;;) {
      const due = this.timers
        .filter((t) => !t.cancelled && t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      due.cancelled = true;
      this.current = Math.max(this.current, due.at);
      due.fn();
      if (afterEach) await afterEach();
    }
    this.current = Math.max(this.current, target);
  }
}
