/**
 * Circuit breaker per endpoint (reference/webhooks.md §5.1, Convoy's defaults):
 *
 *   closed ──5 consecutive failed attempts, or ≥ 70 % failures with ≥ 10 attempts in 5 min──▶ open
 *   open ──cooldown (30 s, doubling on each consecutive re-open, at most 10 min)──▶ half_open
 *   half_open ──3 consecutive successes──▶ closed        half_open ──a failure──▶ open
 *
 * While open no attempt is made and no retry budget is spent: the endpoint's delivery handlers
 * hold the messages they have (at most max_in_flight, their ack deadline extended), so its
 * consumer pulls nothing more; queued and nak-delayed messages stay in the durable. Half-open
 * lets one attempt through at a time (breaker-registry.ts `admit`).
 * Time comes from the injected Clock; the cooldown timers are cancelled by `stop()`. Transitions
 * are persisted through `hooks.persist` (the health KV) before they take effect elsewhere, so a
 * restarted service honours an open breaker (`adopt`).
 */
import { HookbookError } from "../core/errors.js";
import { parseDelay } from "./retry-schedule.js";

export type BreakerStateName = "closed" | "open" | "half_open";

export interface BreakerSettings {
  readonly enabled: boolean;
  /** Consecutive failed attempts that open the breaker. */
  readonly failures: number;
  /** Failure ratio in the window that opens it … */
  readonly ratio: number;
  /** … once the window holds at least this many attempts. */
  readonly minAttempts: number;
  readonly windowMs: number;
  /** First cooldown; doubled on every consecutive re-open, up to maxCooldownMs. */
  readonly cooldownMs: number;
  readonly maxCooldownMs: number;
  /** Consecutive successes in half-open that close it. */
  readonly halfOpenSuccesses: number;
}

export const BREAKER_DEFAULTS: BreakerSettings = {
  enabled: true,
  failures: 5,
  ratio: 0.7,
  minAttempts: 10,
  windowMs: 5 * 60_000,
  cooldownMs: 30_000,
  maxCooldownMs: 10 * 60_000,
  halfOpenSuccesses: 3,
};

/** `outbound.breaker` as written in the config (durations as ms or "30s" / "5m"). */
export interface BreakerConfigInput {
  readonly enabled?: boolean;
  readonly failures?: number;
  readonly ratio?: number;
  readonly minAttempts?: number;
  readonly window?: number | string;
  readonly windowMs?: number;
  readonly cooldown?: number | string;
  readonly maxCooldown?: number | string;
  readonly halfOpenSuccesses?: number;
}

const invalid = (key: string, message: string): HookbookError => new HookbookError("HB_ERR_CONFIG_INVALID", `outbound.breaker.${key}: ${message}`);

function duration(v: number | string | undefined, key: string, fallback: number): number {
  if (v === undefined) return fallback;
  const ms = typeof v === "number" ? v : parseDelay(v);
  if (ms === undefined || !Number.isInteger(ms) || ms < 1 || ms > 24 * 3_600_000) throw invalid(key, `must be a duration between 1 ms and 24 h (ms, or "30s", "5m"), got ${JSON.stringify(v)}`);
  return ms;
}

function count(v: number | undefined, key: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1 || v > 100_000) throw invalid(key, `must be an integer between 1 and 100000, got ${JSON.stringify(v)}`);
  return v;
}

/** Settings for a config value; throws HB_ERR_CONFIG_INVALID naming the key. */
export function resolveBreakerSettings(input: BreakerConfigInput | undefined): BreakerSettings {
  const i = input ?? {};
  const ratio = i.ratio ?? BREAKER_DEFAULTS.ratio;
  if (typeof ratio !== "number" || !(ratio > 0 && ratio <= 1)) throw invalid("ratio", `must be a number in (0, 1], got ${JSON.stringify(i.ratio)}`);
  const cooldownMs = duration(i.cooldown, "cooldown", BREAKER_DEFAULTS.cooldownMs);
  const maxCooldownMs = duration(i.maxCooldown, "maxCooldown", Math.max(BREAKER_DEFAULTS.maxCooldownMs, cooldownMs));
  if (maxCooldownMs < cooldownMs) throw invalid("maxCooldown", `must not be shorter than cooldown (${cooldownMs} ms)`);
  return {
    enabled: i.enabled ?? true,
    failures: count(i.failures, "failures", BREAKER_DEFAULTS.failures),
    ratio,
    minAttempts: count(i.minAttempts, "minAttempts", BREAKER_DEFAULTS.minAttempts),
    windowMs: duration(i.window ?? i.windowMs, i.window !== undefined ? "window" : "windowMs", BREAKER_DEFAULTS.windowMs),
    cooldownMs,
    maxCooldownMs,
    halfOpenSuccesses: count(i.halfOpenSuccesses, "halfOpenSuccesses", BREAKER_DEFAULTS.halfOpenSuccesses),
  };
}

/** What the health KV keeps of a breaker. */
export interface PersistedBreaker {
  readonly state: BreakerStateName;
  readonly openedAt?: number;
  readonly retryAt?: number;
  /** Opens since the breaker was last closed (the cooldown doubles with each). */
  readonly consecutiveOpens: number;
  readonly consecutiveFailures: number;
  /** When this state was entered: the newer of two copies wins (replicas). */
  readonly changedAt: number;
}

/** The admin API's view (endpoint, stats). */
export interface BreakerView {
  readonly state: BreakerStateName;
  readonly opened_at?: string;
  readonly retry_at?: string;
  readonly consecutive_failures: number;
}

export type BreakerTransition =
  | {
      readonly kind: "opened";
      readonly reason: "consecutive_failures" | "failure_ratio" | "half_open_failure";
      readonly openedAt: number;
      readonly retryAt: number;
      readonly consecutiveOpens: number;
      readonly consecutiveFailures: number;
      /** Attempts and failures in the window when it opened. */
      readonly windowAttempts: number;
      readonly windowFailures: number;
    }
  | { readonly kind: "half_opened"; readonly at: number }
  | { readonly kind: "closed"; readonly at: number; readonly openedAt?: number };

/** Window buckets: the window is kept as this many time slices (bounded memory at any rate). */
const BUCKETS = 30;

interface Bucket {
  readonly start: number;
  ok: number;
  fail: number;
}

/** The state machine of one endpoint's breaker (pure: time is passed in). */
export class BreakerState {
  state: BreakerStateName = "closed";
  consecutiveFailures = 0;
  consecutiveOpens = 0;
  openedAt: number | undefined;
  retryAt: number | undefined;
  changedAt = 0;
  private halfOpenOk = 0;
  private buckets: Bucket[] = [];

  constructor(private readonly s: BreakerSettings) {}

  private windowCounts(now: number): { attempts: number; failures: number } {
    this.buckets = this.buckets.filter((b) => b.start > now - this.s.windowMs);
    let attempts = 0;
    let failures = 0;
    for (const b of this.buckets) {
      attempts += b.ok + b.fail;
      failures += b.fail;
    }
    return { attempts, failures };
  }

  private add(ok: boolean, now: number): void {
    const width = Math.max(1, Math.ceil(this.s.windowMs / BUCKETS));
    const start = now - (now % width);
    let b = this.buckets.at(-1);
    if (!b || b.start !== start) {
      b = { start, ok: 0, fail: 0 };
      this.buckets.push(b);
    }
    if (ok) b.ok++;
    else b.fail++;
  }

  cooldownFor(opens: number): number {
    return Math.min(this.s.maxCooldownMs, this.s.cooldownMs * 2 ** Math.max(0, Math.min(opens - 1, 30)));
  }

  private open(now: number, reason: "consecutive_failures" | "failure_ratio" | "half_open_failure", w: { attempts: number; failures: number }): BreakerTransition {
    this.consecutiveOpens++;
    this.state = "open";
    this.openedAt = now;
    this.retryAt = now + this.cooldownFor(this.consecutiveOpens);
    this.changedAt = now;
    this.halfOpenOk = 0;
    return {
      kind: "opened",
      reason,
      openedAt: now,
      retryAt: this.retryAt,
      consecutiveOpens: this.consecutiveOpens,
      consecutiveFailures: this.consecutiveFailures,
      windowAttempts: w.attempts,
      windowFailures: w.failures,
    };
  }

  /** The result of one attempt. Results arriving while open (attempts started before) only update the counters. */
  record(ok: boolean, now: number): BreakerTransition | undefined {
    this.consecutiveFailures = ok ? 0 : this.consecutiveFailures + 1;
    if (this.state === "open") return undefined;
    if (this.state === "half_open") {
      if (!ok) return this.open(now, "half_open_failure", { attempts: this.halfOpenOk + 1, failures: 1 });
      if (++this.halfOpenOk < this.s.halfOpenSuccesses) return undefined;
      const openedAt = this.openedAt;
      this.close(now);
      return { kind: "closed", at: now, ...(openedAt === undefined ? {} : { openedAt }) };
    }
    this.add(ok, now);
    if (ok) return undefined;
    const w = this.windowCounts(now);
    if (this.consecutiveFailures >= this.s.failures) return this.open(now, "consecutive_failures", w);
    if (w.attempts >= this.s.minAttempts && w.failures / w.attempts >= this.s.ratio) return this.open(now, "failure_ratio", w);
    return undefined;
  }

  /** open → half_open once the cooldown is over. */
  halfOpen(now: number): BreakerTransition | undefined {
    if (this.state !== "open") return undefined;
    this.state = "half_open";
    this.halfOpenOk = 0;
    this.changedAt = now;
    return { kind: "half_opened", at: now };
  }

  close(now: number): void {
    this.state = "closed";
    this.openedAt = undefined;
    this.retryAt = undefined;
    this.consecutiveOpens = 0;
    this.halfOpenOk = 0;
    this.buckets = [];
    this.changedAt = now;
  }

  persisted(): PersistedBreaker {
    return {
      state: this.state,
      ...(this.openedAt === undefined ? {} : { openedAt: this.openedAt }),
      ...(this.retryAt === undefined ? {} : { retryAt: this.retryAt }),
      consecutiveOpens: this.consecutiveOpens,
      consecutiveFailures: this.consecutiveFailures,
      changedAt: this.changedAt,
    };
  }

  restore(p: PersistedBreaker): void {
    this.state = p.state;
    this.openedAt = p.openedAt;
    this.retryAt = p.retryAt;
    this.consecutiveOpens = p.consecutiveOpens;
    this.consecutiveFailures = p.consecutiveFailures;
    this.changedAt = p.changedAt;
    this.halfOpenOk = 0;
    this.buckets = [];
  }

  view(): BreakerView {
    return {
      state: this.state,
      ...(this.state !== "closed" && this.openedAt !== undefined ? { opened_at: new Date(this.openedAt).toISOString() } : {}),
      ...(this.state === "open" && this.retryAt !== undefined ? { retry_at: new Date(this.retryAt).toISOString() } : {}),
      consecutive_failures: this.consecutiveFailures,
    };
  }
}
