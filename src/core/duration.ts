/** ansible-rulebook durations: "<int> <unit>", unit milliseconds|seconds|minutes|hours|days (singular or plural). */
const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

export const DURATION_PATTERN = /^\s*(\d+)\s+(millisecond|second|minute|hour|day)s?\s*$/;

/** Milliseconds for a duration string, or undefined when it does not parse. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text);
  if (!m) return undefined;
  const unit = UNIT_MS[m[2] as string];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}
