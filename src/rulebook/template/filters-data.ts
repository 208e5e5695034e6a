/**
 * Conversion and JSON filters: default/d int float bool abs round tojson to_json to_nice_json
 * from_json ternary.
 */
import { REQUIRED, bindArgs } from "./call-args.js";
import type { FilterFn } from "./filter-types.js";
import { parsePyFloat, parsePyInt, pyRound } from "./py-convert.js";
import { pyJsonDumps } from "./py-json.js";
import { templateRuntimeError } from "./template-error.js";
import { Undefined } from "./undefined.js";
import { numeric, truthy, typeName } from "./values.js";

function int(v: unknown, what: string): number {
  const n = numeric(v);
  if (n === undefined || !Number.isInteger(n)) throw templateRuntimeError(`${what} must be an integer, not ${typeName(v)}`);
  return n;
}

const defaultFilter: FilterFn = (value, args) => {
  const a = bindArgs("filter 'default'", args, { default_value: "", boolean: false }).values;
  if (value instanceof Undefined) return a.default_value;
  if (a.boolean === true && !truthy(value)) return a.default_value;
  return value;
};

function toInt(value: unknown, dflt: unknown, base: number): unknown {
  const n = numeric(value);
  if (n !== undefined) {
    if (!Number.isFinite(n)) {
      if (Number.isNaN(n)) return dflt;
      throw templateRuntimeError("cannot convert float infinity to integer");
    }
    return Math.trunc(n);
  }
  if (typeof value !== "string") return dflt;
  const parsed = parsePyInt(value, base);
  if (parsed !== undefined) return parsed;
  const f = parsePyFloat(value);
  if (f === undefined || Number.isNaN(f)) return dflt;
  if (!Number.isFinite(f)) throw templateRuntimeError("cannot convert float infinity to integer");
  return Math.trunc(f);
}

const TRUE_WORDS: ReadonlySet<string> = new Set(["true", "yes", "1", "on", "t", "y"]);
const FALSE_WORDS: ReadonlySet<string> = new Set(["false", "no", "0", "off", "f", "n", ""]);

/** ansible-rulebook's `bool` filter (ansible_rulebook/jinja/filters.py). */
function toBool(value: unknown): boolean {
  if (value === null) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const word = value.toLowerCase().trim();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw templateRuntimeError(`Cannot convert '${value}' to boolean. Expected: true/false, yes/no, 1/0, on/off, t/f, y/n`);
  }
  return truthy(value);
}

function htmlSafe(json: string): string {
  return json.replace(/[<>&']/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

function indentArg(v: unknown): number | string | null {
  if (v === null || typeof v === "string") return v;
  return int(v, "indent");
}

export const DATA_FILTERS: ReadonlyMap<string, FilterFn> = new Map<string, FilterFn>([
  ["default", defaultFilter],
  ["d", defaultFilter],
  ["int", (value, args) => {
    const a = bindArgs("filter 'int'", args, { default: 0, base: 10 }).values;
    return toInt(value, a.default, int(a.base, "base"));
  }],
  ["float", (value, args) => {
    const dflt = bindArgs("filter 'float'", args, { default: 0 }).values.default;
    const n = numeric(value);
    if (n !== undefined) return n;
    if (typeof value !== "string") return dflt;
    return parsePyFloat(value) ?? dflt;
  }],
  ["bool", (value, args) => {
    bindArgs("filter 'bool'", args, {});
    return toBool(value);
  }],
  ["abs", (value, args) => {
    bindArgs("filter 'abs'", args, {});
    const n = numeric(value);
    if (n === undefined) throw templateRuntimeError(`bad operand type for abs(): '${typeName(value)}'`);
    return Math.abs(n);
  }],
  ["round", (value, args) => {
    const a = bindArgs("filter 'round'", args, { precision: 0, method: "common" }).values;
    const n = numeric(value);
    if (n === undefined) throw templateRuntimeError(`round: a number is required, not ${typeName(value)}`);
    const precision = int(a.precision, "precision");
    if (a.method === "common") return pyRound(n, precision);
    if (a.method !== "ceil" && a.method !== "floor") throw templateRuntimeError("method must be common, ceil or floor");
    const m = 10 ** precision;
    return (a.method === "ceil" ? Math.ceil(n * m) : Math.floor(n * m)) / m;
  }],
  ["tojson", (value, args) => {
    const indent = indentArg(bindArgs("filter 'tojson'", args, { indent: null }).values.indent);
    return htmlSafe(pyJsonDumps(value, { indent, sortKeys: true }));
  }],
  ["to_json", (value, args) => {
    const a = bindArgs("filter 'to_json'", args, { indent: null, sort_keys: false, ensure_ascii: true }).values;
    return pyJsonDumps(value, { indent: indentArg(a.indent), sortKeys: a.sort_keys === true, ensureAscii: a.ensure_ascii !== false });
  }],
  ["to_nice_json", (value, args) => {
    const a = bindArgs("filter 'to_nice_json'", args, { indent: 4, sort_keys: true, ensure_ascii: true }).values;
    return pyJsonDumps(value, {
      indent: indentArg(a.indent),
      sortKeys: a.sort_keys === true,
      ensureAscii: a.ensure_ascii !== false,
      separators: [",", ": "],
    });
  }],
  ["from_json", (value, args) => {
    bindArgs("filter 'from_json'", args, {});
    if (typeof value !== "string") throw templateRuntimeError(`from_json expects a string, not ${typeName(value)}`);
    try {
      return JSON.parse(value) as unknown;
    } catch (err) {
      throw templateRuntimeError(`from_json: ${err instanceof Error ? err.message : String(err)}`);
    }
  }],
  ["ternary", (value, args) => {
    const a = bindArgs("filter 'ternary'", args, { true_val: REQUIRED, false_val: REQUIRED, none_val: null }).values;
    if (value === null && a.none_val !== null) return a.none_val;
    return truthy(value) ? a.true_val : a.false_val;
  }],
]);
