/**
 * Python data-model semantics over JSON-like JS values: mapping/sequence checks, truthiness,
 * equality, ordering, membership, attribute/item lookup, slicing and iteration.
 *
 * SECURITY: only own enumerable properties of plain objects (prototype Object.prototype or null)
 * and array elements are reachable. `constructor`, `prototype` and any `__dunder` name are never
 * resolved, whether written `.name` or `['name']`, so nothing can reach a prototype or a function.
 */
import { templateRuntimeError } from "./template-error.js";
import { Undefined, strict } from "./undefined.js";

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isBlockedName(name: string): boolean {
  return name.startsWith("__") || name === "constructor" || name === "prototype";
}

export function hasOwnKey(obj: Mapping, key: string): boolean {
  return !isBlockedName(key) && Object.prototype.hasOwnProperty.call(obj, key);
}

/** Sets a property without ever touching the prototype (a `__proto__` key stays plain data). */
export function setOwn(obj: Mapping, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Python's `type(x).__name__` for error messages. */
export function typeName(value: unknown): string {
  if (value === null) return "NoneType";
  if (value instanceof Undefined) return "Undefined";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  if (Array.isArray(value)) return "list";
  if (isMapping(value)) return "dict";
  return typeof value;
}

/** Numbers and booleans as numbers (Python's bool is an int), otherwise undefined. */
export function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return undefined;
}

export function truthy(value: unknown): boolean {
  if (value instanceof Undefined) {
    if (value.lenient) return false;
    value.fail();
  }
  if (value === null || value === undefined) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return true;
}

export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => pyEquals(item, b[i]));
  }
  if (isMapping(a) && isMapping(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEquals(a[k], b[k]));
  }
  return false;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done === true) return cb.done === true ? 0 : -1;
    if (cb.done === true) return 1;
    const d = (ca.value.codePointAt(0) ?? 0) - (cb.value.codePointAt(0) ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
}

/** Python ordering: numbers with numbers, strings with strings, lists lexicographically. */
export function pyCompare(a: unknown, b: unknown, op = "<"): number {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEquals(a[i], b[i])) return pyCompare(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  throw templateRuntimeError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

export function pyContains(container: unknown, item: unknown): boolean {
  if (typeof container === "string") {
    if (typeof item !== "string") {
      throw templateRuntimeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    }
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEquals(x, item));
  if (isMapping(container)) return typeof item === "string" && hasOwnKey(container, item);
  throw templateRuntimeError(`argument of type '${typeName(container)}' is not iterable`);
}

/** Code points of a string (Python indexes strings by code point). */
export function chars(s: string): string[] {
  return /[\uD800-\uDFFF]/.test(s) ? Array.from(s) : s.split("");
}

/** Python `iter(x)`: list items, string characters, mapping keys. */
export function iterate(value: unknown): unknown[] {
  const v = strict(value);
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return chars(v);
  if (isMapping(v)) return Object.keys(v).filter((k) => !isBlockedName(k));
  throw templateRuntimeError(`'${typeName(v)}' object is not iterable`);
}

export function getAttr(target: unknown, name: string, describe: () => string): unknown {
  if (target instanceof Undefined) return target;
  if (isMapping(target) && hasOwnKey(target, name)) return target[name];
  const what = target === null ? " (it is None)" : "";
  return new Undefined(`'${describe()}' has no attribute '${name}'${what}`);
}

export function getItem(target: unknown, key: unknown, describe: () => string): unknown {
  if (target instanceof Undefined) return target;
  if (isMapping(target)) {
    const k = typeof key === "string" ? key : typeof key === "number" ? String(key) : undefined;
    if (k !== undefined && hasOwnKey(target, k)) return target[k];
    return new Undefined(`'${describe()}' has no attribute ${typeof key === "string" ? `'${key}'` : String(key)}`);
  }
  const index = numeric(key);
  if ((Array.isArray(target) || typeof target === "string") && index !== undefined && Number.isInteger(index)) {
    const items = Array.isArray(target) ? target : chars(target);
    const i = index < 0 ? items.length + index : index;
    if (i >= 0 && i < items.length) return items[i];
    return new Undefined(`'${describe()}' has no element ${index}`);
  }
  const what = typeof key === "string" ? `attribute '${key}'` : `element ${String(key)}`;
  return new Undefined(`'${describe()}' has no ${what}${target === null ? " (it is None)" : ""}`);
}

function sliceBound(v: unknown, what: string): number | null {
  if (v === null || v === undefined) return null;
  const n = numeric(strict(v));
  if (n === undefined || !Number.isInteger(n)) {
    throw templateRuntimeError(`slice ${what} must be an integer or None, not '${typeName(v)}'`);
  }
  return n;
}

/** Python `seq[start:stop:step]` on lists and strings. */
export function sliceValue(target: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  const t = strict(target);
  if (!Array.isArray(t) && typeof t !== "string") throw templateRuntimeError(`'${typeName(t)}' object is not subscriptable`);
  const items: readonly unknown[] = Array.isArray(t) ? t : chars(t);
  const len = items.length;
  const st = sliceBound(step, "step") ?? 1;
  if (st === 0) throw templateRuntimeError("slice step cannot be zero");
  const norm = (v: number | null, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    const x = v < 0 ? v + len : v;
    return Math.min(Math.max(x, lo), hi);
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = norm(sliceBound(start, "start"), 0, 0, len);
    const b = norm(sliceBound(stop, "stop"), len, 0, len);
    for (let i = a; i < b; i += st) out.push(items[i]);
  } else {
    const a = norm(sliceBound(start, "start"), len - 1, -1, len - 1);
    const b = norm(sliceBound(stop, "stop"), -1, -1, len - 1);
    for (let i = a; i > b; i += st) out.push(items[i]);
  }
  return Array.isArray(t) ? out : out.join("");
}
