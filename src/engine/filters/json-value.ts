/**
 * JSON value helpers for the event filters: a plain-object test, a prototype-safe property setter
 * and an iterative deep copy (events can be deeply nested; no recursion means no stack overflow).
 */

export type JsonObject = Record<string, unknown>;

/** A Python `dict`: a plain object (not an array, not a Date/Map/class instance). */
export function isPlainObject(v: unknown): v is JsonObject {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `Object.hasOwn` (keys such as "constructor" or "__proto__" are data here, never inherited members). */
export function hasOwn(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * `obj[key] = value` that treats every key as data: a key named "__proto__" becomes an own
 * property instead of replacing the prototype.
 */
export function setOwn(obj: JsonObject, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

function isContainer(v: unknown): v is JsonObject | unknown[] {
  return Array.isArray(v) || isPlainObject(v);
}

function emptyLike(v: JsonObject | unknown[]): JsonObject | unknown[] {
  return Array.isArray(v) ? [] : {};
}

/**
 * Deep copy of a JSON-like value: arrays and plain objects are copied, primitives returned as
 * they are; any other object (not produced by JSON parsing) is shared, not copied.
 */
export function cloneJson<T>(value: T): T {
  if (!isContainer(value)) return value;
  const root = emptyLike(value);
  const stack: [JsonObject | unknown[], JsonObject | unknown[]][] = [[value, root]];
  for (let pair = stack.pop(); pair !== undefined; pair = stack.pop()) {
    const [src, dst] = pair;
    if (Array.isArray(src)) {
      const out = dst as unknown[];
      for (const item of src) {
        if (isContainer(item)) {
          const copy = emptyLike(item);
          out.push(copy);
          stack.push([item, copy]);
        } else out.push(item);
      }
    } else {
      const out = dst as JsonObject;
      for (const key of Object.keys(src)) {
        const item = src[key];
        if (isContainer(item)) {
          const copy = emptyLike(item);
          setOwn(out, key, copy);
          stack.push([item, copy]);
        } else setOwn(out, key, item);
      }
    }
  }
  return root as T;
}
