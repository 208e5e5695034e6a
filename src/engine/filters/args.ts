/**
 * Load-time validation of event filter arguments. Upstream filters are Python functions called
 * with `**args`, so an unknown argument is a TypeError at the first event; here it is reported by
 * `hookbook validate` instead. A YAML null (`overwrite:` with no value) counts as "not given"
 * only where the upstream default is None; booleans must be real booleans.
 */
import { didYouMean } from "../../core/suggest.js";
import { isPlainObject } from "./json-value.js";
import { FILTER_NAMES, resolveFilterName, shortFilterName, type BuiltinFilter } from "./names.js";

type Check = (value: unknown) => string | undefined;

const optional =
  (check: Check): Check =>
  (v) =>
    v === null || v === undefined ? undefined : check(v);

const bool: Check = (v) => (typeof v === "boolean" ? undefined : "must be true or false");
const str: Check = (v) => (typeof v === "string" ? undefined : "must be a string");
const nonEmptyStr: Check = (v) => (typeof v === "string" && v.length > 0 ? undefined : "must be a non-empty string");
const stringList: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === "string") ? undefined : "must be a list of strings";
const mapping: Check = (v) => (isPlainObject(v) ? undefined : "must be a mapping");
const pathMap: Check = (v) => {
  if (!isPlainObject(v)) return "must be a mapping of new key → dotted path";
  for (const [k, p] of Object.entries(v)) {
    if (typeof p !== "string" || p.length === 0) return `entry '${k}' must be a non-empty dotted path string`;
  }
  return undefined;
};

interface ArgSpec {
  readonly args: Readonly<Record<string, Check>>;
  readonly required?: readonly string[];
}

const SPECS: Readonly<Record<BuiltinFilter, ArgSpec>> = {
  json_filter: { args: { exclude_keys: optional(stringList), include_keys: optional(stringList) } },
  dashes_to_underscores: { args: { overwrite: bool } },
  normalize_keys: { args: { overwrite: bool } },
  insert_hosts_to_meta: {
    args: {
      host_path: optional(str),
      host_separator: optional(str),
      path_separator: nonEmptyStr,
      raise_error: bool,
      log_error: bool,
    },
  },
  event_splitter: {
    args: {
      splitter_key: nonEmptyStr,
      attributes_key_map: optional(pathMap),
      attribute_key_map: optional(pathMap),
      extras: optional(mapping),
      raise_error: bool,
    },
    required: ["splitter_key"],
  },
  noop: { args: {} },
  insert_meta_info: { args: { source_name: str, source_type: str } },
};

/** The argument names a filter accepts (canonical or any accepted spelling); undefined if unknown. */
export function filterArgNames(name: string): readonly string[] | undefined {
  const canonical = resolveFilterName(name);
  return canonical === undefined ? undefined : Object.keys(SPECS[shortFilterName(canonical)].args);
}

/**
 * A human message describing what is wrong with a filter's arguments, or undefined when they are
 * valid. `name` may be any accepted spelling.
 */
export function checkFilterArgs(name: string, args: unknown): string | undefined {
  const canonical = resolveFilterName(name);
  if (canonical === undefined) {
    const hint = didYouMean(name, FILTER_NAMES);
    return `unknown event filter '${name}'${hint ? ` (${hint})` : ""}`;
  }
  if (args === null || args === undefined) args = {};
  if (!isPlainObject(args)) return "arguments must be a mapping of argument name → value";
  const spec = SPECS[shortFilterName(canonical)];
  const known = Object.keys(spec.args);
  for (const [key, value] of Object.entries(args)) {
    const check = Object.prototype.hasOwnProperty.call(spec.args, key) ? spec.args[key] : undefined;
    if (check === undefined) {
      if (known.length === 0) return `unknown argument '${key}' (this filter takes no arguments)`;
      const hint = didYouMean(key, known);
      return `unknown argument '${key}' (${hint ?? `accepted: ${known.join(", ")}`})`;
    }
    const problem = check(value);
    if (problem !== undefined) return `argument '${key}' ${problem}`;
  }
  for (const key of spec.required ?? []) {
    if (args[key] === undefined || args[key] === null) return `missing required argument '${key}'`;
  }
  if (args.attributes_key_map != null && args.attribute_key_map != null) {
    return "give either 'attributes_key_map' or its alias 'attribute_key_map', not both";
  }
  return undefined;
}
