/**
 * Which outcome types an endpoint receives. Types are dotted ("action.failed"); an endpoint lists
 * patterns and receives a type when ANY pattern matches. Rules, exactly:
 *
 * - A pattern and a type are split on "."; matching is segment by segment and case-sensitive.
 * - `*`, `**` or `>` alone (the whole pattern) matches every type.
 * - `*` as a whole segment in the middle matches exactly one segment: "action.*.gpu" matches
 *   "action.failed.gpu", not "action.failed" nor "action.a.b.gpu".
 * - `*`, `**` or `>` as the LAST segment matches one or more remaining segments:
 *   "action.*" matches "action.failed" and "action.failed.retry", but not "action" itself.
 * - `**` and `>` anywhere but last make the pattern invalid; it matches nothing
 *   (see eventPatternError()).
 * - Any other segment is literal: "action.fail*" matches only the type "action.fail*"
 *   (partial-segment globs are not supported).
 * - An empty pattern list matches nothing; an empty pattern is invalid.
 */

const REST_TOKENS = new Set(["*", "**", ">"]);

/** Why a pattern is invalid, or undefined when it is valid (for config validation). */
export function eventPatternError(pattern: string): string | undefined {
  if (pattern.length === 0) return "event pattern is empty";
  const segments = pattern.split(".");
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    if (seg.length === 0) return `event pattern "${pattern}" has an empty segment`;
    if ((seg === "**" || seg === ">") && i !== segments.length - 1) {
      return `event pattern "${pattern}": "${seg}" is only allowed as the last segment`;
    }
  }
  return undefined;
}

/** Does one pattern match the type (rules in the file comment)? */
export function matchesEventPattern(pattern: string, type: string): boolean {
  if (eventPatternError(pattern) !== undefined) return false;
  if (REST_TOKENS.has(pattern)) return true;
  const p = pattern.split(".");
  const t = type.split(".");
  for (let i = 0; i < p.length; i++) {
    const seg = p[i] as string;
    const last = i === p.length - 1;
    if (last && REST_TOKENS.has(seg)) return t.length > i;
    const actual = t[i];
    if (actual === undefined) return false;
    if (seg !== "*" && seg !== actual) return false;
  }
  return t.length === p.length;
}

/** True when any of the endpoint's patterns matches the outcome type. */
export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => matchesEventPattern(p, type));
}
