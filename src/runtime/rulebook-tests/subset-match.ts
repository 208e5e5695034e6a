import { isJsonObject as isPlainObject } from "../../core/json.js";

/** One place where an actual value differs from what a test expected. */
export interface Mismatch {
  /** e.g. `matching_events.m.alert.labels.queue`, `…labels["gpu-type"]`, `…hosts[0]`. */
  readonly path: string;
  readonly expected: unknown;
  /** Undefined together with `missing` when the actual value has no such key. */
  readonly actual: unknown;
  readonly missing: boolean;
}

/** Append a key to a display path: `a.b` for identifiers, `a["x-y"]` otherwise. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/**
 * Subset match: every key of an expected mapping must be present in the actual mapping with a
 * matching value (extra actual keys are fine, so `meta` can be left out); lists match element by
 * element and must have the same length; scalars compare strictly (no coercion: "1" ≠ 1).
 */
export function subsetMismatches(expected: unknown, actual: unknown, path = ""): Mismatch[] {
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return [{ path, expected, actual, missing: false }];
    const out: Mismatch[] = [];
    for (const [key, value] of Object.entries(expected)) {
      const sub = joinPath(path, key);
      if (!Object.prototype.hasOwnProperty.call(actual, key)) out.push({ path: sub, expected: value, actual: undefined, missing: true });
      else out.push(...subsetMismatches(value, actual[key], sub));
    }
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [{ path, expected, actual, missing: false }];
    return expected.flatMap((value, i) => subsetMismatches(value, actual[i], joinPath(path, i)));
  }
  return Object.is(expected, actual) || expected === actual ? [] : [{ path, expected, actual, missing: false }];
}

/** `path: expected X, actual Y` with values as compact JSON. */
export function formatMismatch(m: Mismatch): string {
  return `${m.path === "" ? "(value)" : m.path}: expected ${show(m.expected)}, actual ${m.missing ? "(absent)" : show(m.actual)}`;
}

function show(value: unknown): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
