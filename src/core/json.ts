/** A JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The exact JSON bytes an object was parsed from, for values that were parsed whole and never
 * changed (request bodies: `event.payload`). Whoever serializes such a value again may copy the
 * bytes instead: JSON.parse of either gives the same value.
 */
const sourceBytes = new WeakMap<object, Uint8Array>();

/** Records that `value` is JSON.parse of `bytes` (valid UTF-8, parsed without a reviver) and will not be mutated. */
export function rememberJsonSource(value: object, bytes: Uint8Array): void {
  sourceBytes.set(value, bytes);
}

export function jsonSourceOf(value: unknown): Uint8Array | undefined {
  return typeof value === "object" && value !== null ? sourceBytes.get(value) : undefined;
}
