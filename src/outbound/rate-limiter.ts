/**
 * Per-endpoint rate limit: a token bucket of capacity `requests`, refilled with `requests`
 * tokens per `periodMs` (continuously). A delivery handler takes a token before its HTTP attempt
 * and waits, first come first served, while the bucket is empty: a throttled message is not an
 * attempt and is never sent early, whatever the number of handlers in flight. Over any interval
 * T an endpoint gets at most `requests + T · requests / periodMs` attempts (the burst is the
 * bucket's capacity, available after an idle period).
 *
 * `configure` applies a changed (or removed) limit at once, waiters included. A waiter whose
 * AbortSignal fires (its consumer is being stopped) gets "aborted" without a token. Time comes
 * from the injected Clock; `stop()` cancels the timers and aborts every waiter.
 */
import type { Clock, TimerHandle } from "../core/clock.js";

export interface RateLimit {
  /** Tokens per period, and the bucket's capacity (≥ 1). */
  readonly requests: number;
  readonly periodMs: number;
}

export const RATE_LIMIT_PERIOD = { min: 1000, max: 3_600_000, default: 1000 } as const;
export const RATE_LIMIT_MAX_REQUESTS = 1_000_000;

/** A token was taken (`throttled` when the handler had to wait for it), or the wait was aborted. */
export type TakeResult = { readonly throttled: boolean; readonly waitedMs: number } | "aborted";

interface Waiter {
  readonly since: number;
  readonly resolve: (r: TakeResult) => void;
  readonly cleanup: () => void;
}

class Bucket {
  tokens: number;
  last: number;
  readonly queue: Waiter[] = [];
  timer: TimerHandle | undefined;

  constructor(
    public limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.requests;
    this.last = now;
  }

  refill(now: number): void {
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.limit.requests, this.tokens + (elapsed * this.limit.requests) / this.limit.periodMs);
    this.last = now;
  }
}

const sameLimit = (a: RateLimit, b: RateLimit): boolean => a.requests === b.requests && a.periodMs === b.periodMs;
/** Float slack so that refills computed from integer ms are not missed by a rounding error. */
const EPSILON = 1e-9;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  /** Take one token for `id` under `limit`, waiting for it when the bucket is empty. */
  take(id: string, limit: RateLimit, signal?: AbortSignal): TakeResult | Promise<TakeResult> {
    if (this.stopped || signal?.aborted) return "aborted";
    const now = this.clock.now();
    const b = this.bucketFor(id, limit, now);
    b.refill(now);
    if (b.queue.length === 0 && b.tokens >= 1 - EPSILON) {
      b.tokens -= 1;
      return { throttled: false, waitedMs: 0 };
    }
    return new Promise<TakeResult>((resolve) => {
      const onAbort = (): void => {
        const i = b.queue.indexOf(waiter);
        if (i >= 0) b.queue.splice(i, 1);
        resolve("aborted");
        this.schedule(id, b);
      };
      const waiter: Waiter = { since: now, resolve, cleanup: () => signal?.removeEventListener("abort", onAbort) };
      signal?.addEventListener("abort", onAbort, { once: true });
      b.queue.push(waiter);
      this.schedule(id, b);
    });
  }

  private bucketFor(id: string, limit: RateLimit, now: number): Bucket {
    let b = this.buckets.get(id);
    if (!b) {
      b = new Bucket(limit, now);
      this.buckets.set(id, b);
    } else if (!sameLimit(b.limit, limit)) {
      this.reconfigure(b, limit, now);
    }
    return b;
  }

  private reconfigure(b: Bucket, limit: RateLimit, now: number): void {
    b.refill(now);
    b.limit = limit;
    b.tokens = Math.min(b.tokens, limit.requests);
  }

  /** Serve waiters while tokens last; arm a timer for the next token when some still wait. */
  private schedule(id: string, b: Bucket): void {
    b.timer?.cancel();
    b.timer = undefined;
    if (this.stopped) return;
    const now = this.clock.now();
    b.refill(now);
    while (b.queue.length > 0 && b.tokens >= 1 - EPSILON) {
      const w = b.queue.shift() as Waiter;
      b.tokens -= 1;
      w.cleanup();
      w.resolve({ throttled: true, waitedMs: Math.max(0, now - w.since) });
    }
    if (b.queue.length === 0) {
      // An idle bucket that is full again is forgotten (no memory per idle endpoint).
      if (b.tokens >= b.limit.requests - EPSILON && this.buckets.get(id) === b) this.buckets.delete(id);
      return;
    }
    const waitMs = Math.max(1, Math.ceil(((1 - b.tokens) * b.limit.periodMs) / b.limit.requests));
    b.timer = this.clock.setTimer(waitMs, () => {
      b.timer = undefined;
      this.schedule(id, b);
    });
  }

  /** The endpoint's limit changed (or was removed: every waiter goes at once). */
  configure(id: string, limit: RateLimit | undefined): void {
    const b = this.buckets.get(id);
    if (!b) return;
    if (limit === undefined) {
      this.buckets.delete(id);
      b.timer?.cancel();
      const now = this.clock.now();
      for (const w of b.queue.splice(0)) {
        w.cleanup();
        w.resolve({ throttled: true, waitedMs: Math.max(0, now - w.since) });
      }
      return;
    }
    if (sameLimit(b.limit, limit)) return;
    this.reconfigure(b, limit, this.clock.now());
    this.schedule(id, b);
  }

  /** Handlers waiting for a token of `id`. */
  waiting(id: string): number {
    return this.buckets.get(id)?.queue.length ?? 0;
  }

  /** The endpoint is gone: abort its waiters, drop its bucket. */
  forget(id: string): void {
    const b = this.buckets.get(id);
    if (!b) return;
    this.buckets.delete(id);
    b.timer?.cancel();
    for (const w of b.queue.splice(0)) {
      w.cleanup();
      w.resolve("aborted");
    }
  }

  stop(): void {
    this.stopped = true;
    for (const id of [...this.buckets.keys()]) this.forget(id);
  }
}
