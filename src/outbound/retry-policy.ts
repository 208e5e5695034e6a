/** Retry-After parsing for outbound deliveries (the schedule itself is in retry-schedule.ts). */
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
