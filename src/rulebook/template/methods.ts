/**
 * The allow-list of Python methods callable from templates, and the global functions.
 *  - str: split rsplit lower upper capitalize title strip lstrip rstrip startswith endswith replace
 *    join count find splitlines isdigit isalpha isalnum isspace islower isupper zfill
 *  - mapping: get keys values items
 *  - list: count index
 *  - the loop object: cycle
 *  - globals: range(…) (at most 100 000 items), dict(k=v, …)
 * Calling anything else is a syntax error at compile time. Calling an allowed method on a value
 * that does not have it (`event.count.split()` with a number) raises HB_ERR_TEMPLATE_UNDEFINED,
 * as Jinja does (the attribute is undefined).
 */
import { type CallArgs, REQUIRED, bindArgs } from "./call-args.js";
import { pyCapitalize, pyCount, pyReplace, pyRsplit, pySplit, pySplitlines, pyStrip, pyTitle } from "./py-string.js";
import { checkSize, templateRuntimeError, templateUndefinedError } from "./template-error.js";
import { strict } from "./undefined.js";
import { hasOwnKey, isBlockedName, isMapping, iterate, numeric, pyEquals, setOwn, typeName } from "./values.js";

/** Marks the `loop` object of a for loop (holds its 0-based index). */
export const LOOP_INDEX: unique symbol = Symbol("loop.index0");

export const METHOD_NAMES: ReadonlySet<string> = new Set([
  "split", "rsplit", "lower", "upper", "capitalize", "title", "strip", "lstrip", "rstrip",
  "startswith", "endswith", "replace", "join", "count", "find", "splitlines",
  "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper", "zfill",
  "get", "keys", "values", "items", "index", "cycle",
]);

export const GLOBAL_FUNCTIONS: ReadonlySet<string> = new Set(["range", "dict"]);

const MAX_RANGE = 100_000;

function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw templateRuntimeError(`${what} must be str, not ${typeName(v)}`);
  return v;
}

function optStr(v: unknown, what: string): string | null {
  return v === null ? null : str(v, what);
}

function int(v: unknown, what: string): number {
  const n = numeric(v);
  if (n === undefined || !Number.isInteger(n)) throw templateRuntimeError(`${what} must be an integer, not ${typeName(v)}`);
  return n;
}

function affix(s: string, args: CallArgs, name: "startswith" | "endswith"): boolean {
  const a = bindArgs(`str.${name}()`, args, { affix: REQUIRED, start: null, end: null }).values;
  const start = a.start === null ? 0 : int(a.start, "start");
  const end = a.end === null ? undefined : int(a.end, "end");
  const part = s.slice(start, end);
  const options = Array.isArray(a.affix) ? a.affix : [a.affix];
  return options.some((o) => (name === "startswith" ? part.startsWith(str(o, name + " arg")) : part.endsWith(str(o, name + " arg"))));
}

type Method = (self: never, args: CallArgs) => unknown;

function noArgs<T>(what: string, fn: (self: T) => unknown): (self: T, args: CallArgs) => unknown {
  return (self, args) => {
    bindArgs(what, args, {});
    return fn(self);
  };
}

const STRING_METHODS: ReadonlyMap<string, (s: string, args: CallArgs) => unknown> = new Map<string, (s: string, args: CallArgs) => unknown>([
  ["split", (s, args) => {
    const a = bindArgs("str.split()", args, { sep: null, maxsplit: -1 }).values;
    return pySplit(s, optStr(a.sep, "sep"), int(a.maxsplit, "maxsplit"));
  }],
  ["rsplit", (s, args) => {
    const a = bindArgs("str.rsplit()", args, { sep: null, maxsplit: -1 }).values;
    return pyRsplit(s, optStr(a.sep, "sep"), int(a.maxsplit, "maxsplit"));
  }],
  ["lower", noArgs("str.lower()", (s: string) => s.toLowerCase())],
  ["upper", noArgs("str.upper()", (s: string) => s.toUpperCase())],
  ["capitalize", noArgs("str.capitalize()", pyCapitalize)],
  ["title", noArgs("str.title()", pyTitle)],
  ["strip", (s, args) => pyStrip(s, optStr(bindArgs("str.strip()", args, { chars: null }).values.chars, "chars"), "both")],
  ["lstrip", (s, args) => pyStrip(s, optStr(bindArgs("str.lstrip()", args, { chars: null }).values.chars, "chars"), "left")],
  ["rstrip", (s, args) => pyStrip(s, optStr(bindArgs("str.rstrip()", args, { chars: null }).values.chars, "chars"), "right")],
  ["startswith", (s, args) => affix(s, args, "startswith")],
  ["endswith", (s, args) => affix(s, args, "endswith")],
  ["replace", (s, args) => {
    const a = bindArgs("str.replace()", args, { old: REQUIRED, new: REQUIRED, count: -1 }).values;
    return pyReplace(s, str(a.old, "old"), str(a.new, "new"), int(a.count, "count"));
  }],
  ["join", (s, args) => {
    const items = iterate(bindArgs("str.join()", args, { iterable: REQUIRED }).values.iterable);
    return items.map((x, i) => str(strict(x), `sequence item ${i}`)).join(s);
  }],
  ["count", (s, args) => pyCount(s, str(bindArgs("str.count()", args, { sub: REQUIRED }).values.sub, "sub"))],
  ["find", (s, args) => {
    const i = s.indexOf(str(bindArgs("str.find()", args, { sub: REQUIRED }).values.sub, "sub"));
    return i < 0 ? -1 : [...s.slice(0, i)].length;
  }],
  ["splitlines", (s, args) => pySplitlines(s, bindArgs("str.splitlines()", args, { keepends: false }).values.keepends === true)],
  ["isdigit", noArgs("str.isdigit()", (s: string) => /^\p{Nd}+$/u.test(s))],
  ["isalpha", noArgs("str.isalpha()", (s: string) => /^\p{L}+$/u.test(s))],
  ["isalnum", noArgs("str.isalnum()", (s: string) => /^[\p{L}\p{N}]+$/u.test(s))],
  ["isspace", noArgs("str.isspace()", (s: string) => /^\s+$/.test(s))],
  ["islower", noArgs("str.islower()", (s: string) => s === s.toLowerCase() && s !== s.toUpperCase())],
  ["isupper", noArgs("str.isupper()", (s: string) => s === s.toUpperCase() && s !== s.toLowerCase())],
  ["zfill", (s, args) => {
    const width = checkSize(int(bindArgs("str.zfill()", args, { width: REQUIRED }).values.width, "width"), "zfill");
    const sign = /^[-+]/.test(s) ? (s[0] as string) : "";
    return sign + s.slice(sign.length).padStart(width - sign.length, "0");
  }],
]);

const MAPPING_METHODS: ReadonlyMap<string, (m: Record<string, unknown>, args: CallArgs) => unknown> = new Map<
  string,
  (m: Record<string, unknown>, args: CallArgs) => unknown
>([
  ["get", (m, args) => {
    const a = bindArgs("dict.get()", args, { key: REQUIRED, default: null }).values;
    const key = typeof a.key === "number" ? String(a.key) : a.key;
    return typeof key === "string" && hasOwnKey(m, key) ? m[key] : a.default;
  }],
  ["keys", noArgs("dict.keys()", (m: Record<string, unknown>) => Object.keys(m).filter((k) => !isBlockedName(k)))],
  ["values", noArgs("dict.values()", (m: Record<string, unknown>) => Object.keys(m).filter((k) => !isBlockedName(k)).map((k) => m[k]))],
  ["items", noArgs("dict.items()", (m: Record<string, unknown>) => Object.keys(m).filter((k) => !isBlockedName(k)).map((k) => [k, m[k]]))],
]);

const LIST_METHODS: ReadonlyMap<string, (l: readonly unknown[], args: CallArgs) => unknown> = new Map<
  string,
  (l: readonly unknown[], args: CallArgs) => unknown
>([
  ["count", (l, args) => {
    const x = bindArgs("list.count()", args, { value: REQUIRED }).values.value;
    return l.filter((item) => pyEquals(item, x)).length;
  }],
  ["index", (l, args) => {
    const x = bindArgs("list.index()", args, { value: REQUIRED }).values.value;
    const i = l.findIndex((item) => pyEquals(item, x));
    if (i < 0) throw templateRuntimeError("list.index(x): x not in list");
    return i;
  }],
]);

export function callMethod(name: string, target: unknown, args: CallArgs, describe: () => string): unknown {
  const self = strict(target);
  let method: Method | undefined;
  if (typeof self === "string") method = STRING_METHODS.get(name) as Method | undefined;
  else if (Array.isArray(self)) method = LIST_METHODS.get(name) as Method | undefined;
  else if (isMapping(self)) {
    const loopIndex = (self as { [LOOP_INDEX]?: number })[LOOP_INDEX];
    if (name === "cycle" && loopIndex !== undefined) {
      if (args.positional.length === 0) throw templateRuntimeError("no items for cycling given");
      return args.positional[loopIndex % args.positional.length];
    }
    method = MAPPING_METHODS.get(name) as Method | undefined;
  }
  if (method === undefined) {
    throw templateUndefinedError(`'${describe()}' (${typeName(self)}) has no method '${name}'`);
  }
  return method(self as never, args);
}

export function callGlobal(name: string, args: CallArgs): unknown {
  if (name === "dict") {
    if (args.positional.length > 0) throw templateRuntimeError("dict() takes keyword arguments only");
    const out: Record<string, unknown> = {};
    for (const [k, v] of args.keyword) setOwn(out, k, v);
    return out;
  }
  if (args.keyword.size > 0) throw templateRuntimeError("range() takes no keyword arguments");
  const nums = args.positional.map((v) => int(v, "range() argument"));
  if (nums.length < 1 || nums.length > 3) throw templateRuntimeError(`range expected 1 to 3 arguments, got ${nums.length}`);
  const [start, stop, step] = nums.length === 1 ? [0, nums[0] as number, 1] : [nums[0] as number, nums[1] as number, nums[2] ?? 1];
  if (step === 0) throw templateRuntimeError("range() arg 3 must not be zero");
  const length = Math.max(0, Math.ceil((stop - start) / step));
  if (length > MAX_RANGE) throw templateRuntimeError(`range() is limited to ${MAX_RANGE} items`);
  return Array.from({ length }, (_, i) => start + i * step);
}
