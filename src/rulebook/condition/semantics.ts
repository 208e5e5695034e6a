/**
 * Value semantics of the condition operators (reference §2.3, Drools behaviour). One
 * implementation shared by the compiler (constant folding), the compiled-closure evaluator and
 * the json-rules-engine operators, so the evaluators cannot disagree on a leaf.
 *
 * `undefined` means "missing": every operator except hb_not_defined is false when a side is
 * undefined. Operator meanings are documented in ir.ts.
 */
import type { IrOperator, SelectOperator } from "./ir.js";
import { isJsonObject as isPlainObject } from "../../core/json.js";

export type OperatorFn = (left: unknown, right: unknown) => boolean;

/** Drools-style equality: null only equals null, numbers numerically, no cross-type coercion. */
export function valueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return a !== undefined;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  const ta = typeof a;
  if (ta !== typeof b) return false;
  if (ta !== "object") return false; // primitives of the same type already compared with ===
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const ob = b as Record<string, unknown>;
  if (ka.length !== Object.keys(ob).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(ob, k) || !valueEquals((a as Record<string, unknown>)[k], ob[k])) return false;
  }
  return true;
}

/** Ordering of two numbers or two strings; undefined for any other pair (a type clash is false). */
export function compareValues(a: unknown, b: unknown): number | undefined {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : a === b ? 0 : undefined;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** Python truthiness (used by `not event.x`). */
export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** How a non-string value is matched by a regular expression. */
export function stringifyForSearch(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

// ---- regular expressions ------------------------------------------------------------------

export type SearchKindName = "match" | "search" | "regex";

export interface SearchSpec {
  readonly kind: SearchKindName;
  readonly pattern: unknown;
  readonly ignorecase?: boolean;
  readonly multiline?: boolean;
}

const REGEX_CACHE = new Map<string, RegExp | null>();
const REGEX_CACHE_MAX = 10_000;
const INLINE_FLAGS = /^\(\?([imsx]+)\)/;

/**
 * Builds (and caches) the JS RegExp for a Java-style pattern; null when the pattern is invalid.
 * `match` is anchored at the start (of any line with multiline). A leading Java inline flag
 * group such as `(?i)` is turned into a flag.
 */
export function buildRegex(kind: SearchKindName, pattern: string, ignorecase: boolean, multiline: boolean): RegExp | null {
  const key = `${kind}\u0000${ignorecase ? 1 : 0}${multiline ? 1 : 0}\u0000${pattern}`;
  const hit = REGEX_CACHE.get(key);
  if (hit !== undefined) return hit;
  let source = pattern;
  let flags = "";
  const inline = INLINE_FLAGS.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    const f = inline[1] as string;
    if (f.includes("i")) ignorecase = true;
    if (f.includes("m")) multiline = true;
    if (f.includes("s")) flags += "s";
  }
  if (ignorecase) flags += "i";
  if (multiline) flags += "m";
  if (kind === "match") source = `^(?:${source})`;
  let re: RegExp | null;
  try {
    re = new RegExp(source, flags);
  } catch {
    re = null;
  }
  if (REGEX_CACHE.size >= REGEX_CACHE_MAX) REGEX_CACHE.clear();
  REGEX_CACHE.set(key, re);
  return re;
}

function searchTest(left: unknown, spec: unknown): boolean | undefined {
  if (left === undefined || left === null || !isPlainObject(spec)) return undefined;
  const s = spec as unknown as SearchSpec;
  if (s.pattern === undefined || s.pattern === null) return undefined;
  const re = buildRegex(s.kind, stringifyForSearch(s.pattern), s.ignorecase === true, s.multiline === true);
  if (re === null) return undefined;
  return re.test(stringifyForSearch(left));
}

// ---- select / selectattr ------------------------------------------------------------------

function listify(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** One element against `op value` as select/selectattr do it (regex ops are unanchored). */
export function selectTest(element: unknown, op: SelectOperator, value: unknown): boolean {
  if (element === undefined || value === undefined) return false;
  switch (op) {
    case "==":
      return valueEquals(element, value);
    case "!=":
      return !valueEquals(element, value);
    case ">":
    case ">=":
    case "<":
    case "<=": {
      const c = compareValues(element, value);
      if (c === undefined) return false;
      return op === ">" ? c > 0 : op === ">=" ? c >= 0 : op === "<" ? c < 0 : c <= 0;
    }
    case "regex":
    case "search":
    case "match": {
      if (element === null || value === null) return false;
      const re = buildRegex("search", stringifyForSearch(value), false, false);
      return re !== null && re.test(stringifyForSearch(element));
    }
    case "in":
      return listify(value).some((v) => valueEquals(element, v));
    case "not in":
      return !listify(value).some((v) => valueEquals(element, v));
    case "contains":
      return listify(element).some((e) => valueEquals(e, value));
    case "not contains":
      return !listify(element).some((e) => valueEquals(e, value));
    default:
      return false;
  }
}

type Quantifier = "any" | "notAll" | "all" | "none";

function quantify(list: readonly unknown[], test: (e: unknown) => boolean, q: Quantifier): boolean {
  switch (q) {
    case "any":
      return list.some(test);
    case "none":
      return !list.some(test);
    case "all":
      return list.every(test);
    case "notAll":
      return !list.every(test);
  }
}

const KEY_CACHE = new Map<string, string[]>();
function keySegments(key: string): string[] {
  let segs = KEY_CACHE.get(key);
  if (segs === undefined) {
    segs = key.split(".");
    if (KEY_CACHE.size < 10_000) KEY_CACHE.set(key, segs);
  }
  return segs;
}

function attrOf(element: unknown, segs: readonly string[]): unknown {
  let cur = element;
  for (const s of segs) {
    if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, s)) return undefined;
    cur = cur[s];
  }
  return cur;
}

function selectOp(q: Quantifier): OperatorFn {
  return (left, spec) => {
    if (left === undefined || left === null || !isPlainObject(spec)) return false;
    const op = spec.op as SelectOperator;
    const value = spec.value;
    if (value === undefined) return false;
    return quantify(listify(left), (e) => selectTest(e, op, value), q);
  };
}

function selectAttrOp(q: Quantifier): OperatorFn {
  return (left, spec) => {
    if (left === undefined || left === null || !isPlainObject(spec) || typeof spec.key !== "string") return false;
    const op = spec.op as SelectOperator;
    const value = spec.value;
    if (value === undefined) return false;
    const segs = keySegments(spec.key);
    return quantify(listify(left), (e) => selectTest(attrOf(e, segs), op, value), q);
  };
}

function ordered(test: (c: number) => boolean): OperatorFn {
  return (l, r) => {
    if (l === undefined || r === undefined) return false;
    const c = compareValues(l, r);
    return c !== undefined && test(c);
  };
}

/** The implementation of every IR operator. */
export const OPERATOR_FNS: Readonly<Record<IrOperator, OperatorFn>> = {
  hb_eq: (l, r) => l !== undefined && r !== undefined && valueEquals(l, r),
  hb_ne: (l, r) => l !== undefined && r !== undefined && !valueEquals(l, r),
  hb_gt: ordered((c) => c > 0),
  hb_ge: ordered((c) => c >= 0),
  hb_lt: ordered((c) => c < 0),
  hb_le: ordered((c) => c <= 0),
  hb_in: (l, r) => l !== undefined && r !== undefined && listify(r).some((e) => valueEquals(l, e)),
  hb_not_in: (l, r) => l !== undefined && r !== undefined && !listify(r).some((e) => valueEquals(l, e)),
  hb_contains: (l, r) => l !== undefined && r !== undefined && listify(l).some((e) => valueEquals(e, r)),
  hb_not_contains: (l, r) => l !== undefined && r !== undefined && !listify(l).some((e) => valueEquals(e, r)),
  hb_defined: (l) => l !== undefined,
  hb_not_defined: (l) => l === undefined,
  hb_is_true: (l) => l === true,
  hb_is_falsy: (l) => l !== undefined && !isTruthy(l),
  hb_search: (l, r) => searchTest(l, r) === true,
  hb_not_search: (l, r) => searchTest(l, r) === false,
  hb_select: selectOp("any"),
  hb_not_select: selectOp("notAll"),
  hb_select_all: selectOp("all"),
  hb_select_none: selectOp("none"),
  hb_selectattr: selectAttrOp("any"),
  hb_not_selectattr: selectAttrOp("notAll"),
  hb_selectattr_all: selectAttrOp("all"),
  hb_selectattr_none: selectAttrOp("none"),
};

// ---- arithmetic ---------------------------------------------------------------------------

/** `+ - * /` on numbers (`+` also joins strings); undefined for anything else or a division by zero. */
export function arithmetic(op: "+" | "-" | "*" | "/", a: unknown, b: unknown): unknown {
  if (typeof a === "number" && typeof b === "number") {
    let r: number;
    if (op === "+") r = a + b;
    else if (op === "-") r = a - b;
    else if (op === "*") r = a * b;
    else {
      if (b === 0) return undefined;
      r = a / b;
    }
    return Number.isFinite(r) ? r : undefined;
  }
  if (op === "+" && typeof a === "string" && typeof b === "string") return a + b;
  return undefined;
}
