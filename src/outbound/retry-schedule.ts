/**
 * Retry schedules of the outbound service (reference/webhooks.md §5.1).
 *
 * A schedule lists the delays before attempt 2, 3, …: a message gets `schedule.length + 1`
 * attempts. After attempt n failed the next one waits `schedule[n-1]` × U(0.8, 1.2) (±20 %
 * jitter, Svix); after the last attempt the message is dead-lettered. A receiver's Retry-After
 * (429/503) replaces the scheduled delay, without jitter, capped at the schedule's largest
 * delay so a receiver cannot park a message for days.
 */
import type { RetryPolicyConfig } from "../config/types.js";
import { parseDuration } from "../core/duration.js";
import { HookbookError } from "../core/errors.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;

/** Named schedules: `default` is Svix's (last try ≈ 27 h 35 min after the first), `short` for callers that want a quick verdict. */
export const RETRY_PROFILES: Readonly<Record<"default" | "short", readonly number[]>> = {
  default: [5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H],
  short: [1 * S, 2 * S, 4 * S],
};

export const RETRY_JITTER = 0.2;
/** Longest allowed single delay (and so the longest Retry-After honoured): 24 h. */
export const MAX_RETRY_DELAY_MS = 24 * H;
export const MAX_SCHEDULE_LENGTH = 20;

/** A profile name, a list of delays (ms numbers or "5s" / "5m" / "2h" / "5 minutes" strings) or the legacy exponential policy. */
export type RetryScheduleInput = "default" | "short" | readonly (number | string)[] | RetryPolicyConfig;

const SHORT_UNIT: Record<string, number> = { ms: 1, s: S, m: M, h: H, d: 24 * H };
const SHORT_DURATION = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/;

/** Milliseconds of "500ms", "5s", "5m", "2h", "1d" or "5 minutes"; undefined when it does not parse. */
export function parseDelay(text: string): number | undefined {
  const m = SHORT_DURATION.exec(text);
  if (m) return Number(m[1]) * (SHORT_UNIT[m[2] as string] ?? NaN);
  return parseDuration(text);
}

function invalid(message: string): HookbookError {
  return new HookbookError("HB_ERR_CONFIG_INVALID", `outbound retry schedule: ${message}`);
}

/** The schedule in ms for a config value; throws HB_ERR_CONFIG_INVALID on a bad one. */
export function resolveRetrySchedule(input: RetryScheduleInput | undefined): readonly number[] {
  if (input === undefined || input === "default") return RETRY_PROFILES.default;
  if (input === "short") return RETRY_PROFILES.short;
  if (typeof input === "string") throw invalid(`unknown profile ${JSON.stringify(input)} (use default, short or a list of delays)`);
  if (!Array.isArray(input)) {
    // Legacy exponential policy: initial · 2^(n−1), capped, maxAttempts − 1 delays.
    const policy = input as RetryPolicyConfig;
    const out: number[] = [];
    for (let n = 1; n < Math.min(policy.maxAttempts, MAX_SCHEDULE_LENGTH + 1); n++) {
      out.push(Math.min(policy.maxDelayMs, MAX_RETRY_DELAY_MS, Math.max(0, policy.initialDelayMs) * 2 ** (n - 1)));
    }
    return out;
  }
  const list = input as readonly (number | string)[];
  if (list.length > MAX_SCHEDULE_LENGTH) throw invalid(`at most ${MAX_SCHEDULE_LENGTH} delays`);
  return list.map((item, i) => {
    const ms = typeof item === "number" ? item : parseDelay(item);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > MAX_RETRY_DELAY_MS) {
      throw invalid(`delay ${i + 1} (${JSON.stringify(item)}) must be a duration between 0 and 24h, e.g. 5s, 5m, 2h`);
    }
    return Math.round(ms);
  });
}

/** Attempts a message gets with this schedule (the first included). */
export function attemptBudget(schedule: readonly number[]): number {
  return schedule.length + 1;
}

/**
 * Delay before the next attempt after attempt `attempt` (1-based) failed, jittered; undefined
 * when that was the last attempt.
 */
export function scheduledDelayMs(schedule: readonly number[], attempt: number, random: () => number = Math.random): number | undefined {
  const n = Math.max(1, Math.floor(attempt));
  const base = schedule[n - 1];
  if (base === undefined) return undefined;
  const factor = 1 - RETRY_JITTER + 2 * RETRY_JITTER * random();
  return Math.round(base * factor);
}

/** The schedule's largest delay (0 for an empty schedule). */
function longestDelayMs(schedule: readonly number[]): number {
  return schedule.length === 0 ? 0 : Math.max(...schedule);
}

/** A receiver's Retry-After as the next delay: as asked, capped at the schedule's largest delay. */
export function retryAfterDelayMs(schedule: readonly number[], retryAfterMs: number): number {
  const cap = longestDelayMs(schedule);
  return Math.min(cap, Math.max(0, Math.round(retryAfterMs)));
}

/** Least wait after a timeout or a 429 without Retry-After (Svix: the receiver is overloaded). */
export const OVERLOAD_FLOOR_MS = 60_000;

/**
 * The delay after an attempt that timed out or was answered 429 without Retry-After: the
 * scheduled one, but at least a minute (Svix's floor), or the schedule's largest delay when that
 * is shorter (the short profile stays short).
 */
export function overloadDelayMs(schedule: readonly number[], delayMs: number): number {
  const floor = Math.min(OVERLOAD_FLOOR_MS, longestDelayMs(schedule));
  return Math.max(delayMs, floor);
}

/** Sum of the schedule: how long after the first attempt the last one happens (without jitter). */
export function retryHorizonMs(schedule: readonly number[]): number {
  return schedule.reduce((a, b) => a + b, 0);
}
