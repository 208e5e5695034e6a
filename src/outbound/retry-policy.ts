/**
 * Retry schedule for outbound deliveries.
 *
 * `attempt` is the number of the attempt that just failed (1 = the first try, the bus's
 * deliveryCount). The delay before attempt n+1 is initialDelayMs · 2^(n−1), capped at maxDelayMs,
 * then multiplied by a uniform jitter factor in [0.8, 1.2] (Svix's ±20 %) and capped at
 * maxDelayMs again, so maxDelayMs is a hard ceiling. When `attempt >= maxAttempts` the
 * message has used its budget: undefined = give up.
 *
 * A receiver's Retry-After (429/503) replaces the computed delay, without jitter (the receiver
 * asked for that time), clamped to [0, maxDelayMs] so a receiver cannot park a message for days.
 */
import type { RetryPolicyConfig } from "../config/types.js";

export const JITTER_FRACTION = 0.2;

export function nextDelayMs(
  policy: RetryPolicyConfig,
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | undefined {
  const n = Math.max(1, Math.floor(attempt));
  if (n >= policy.maxAttempts) return undefined;
  const max = Math.max(0, policy.maxDelayMs);
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) {
    return Math.min(max, Math.max(0, Math.round(retryAfterMs)));
  }
  // 2 ** 1024 is Infinity; Math.min keeps it at max.
  const base = Math.min(max, Math.max(0, policy.initialDelayMs) * 2 ** (n - 1));
  const factor = 1 - JITTER_FRACTION + 2 * JITTER_FRACTION * random();
  return Math.min(max, Math.round(base * factor));
}

const DELAY_SECONDS = /^\d+$/;
const HAS_LETTERS = /[A-Za-z]{3}/;

/**
 * Milliseconds to wait according to a Retry-After header: delay-seconds ("120") or an HTTP date
 * ("Wed, 21 Oct 2015 07:28:00 GMT"; a date in the past gives 0). Undefined when the header is
 * absent or does not parse (fractions like "1.5" and negative numbers are not valid seconds).
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value.length === 0) return undefined;
  if (DELAY_SECONDS.test(value)) return Number(value) * 1000;
  if (!HAS_LETTERS.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
