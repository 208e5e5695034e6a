/**
 * The builtin event filters (ansible-rulebook `ansible_rulebook/event_filter/*.py` and the
 * `ansible.eda` collection). Each step OWNS the event it is given (apply.ts deep-copies the input
 * once) and may change it in place, like the Python originals; every event a step returns is a
 * separate tree that shares nothing with any other returned event.
 *
 * Arguments are assumed valid (checked by checkFilterArgs before a step is built).
 */
import { HookbookError } from "../../core/errors.js";
import { matchesAny } from "./fnmatch.js";
import { cloneJson, hasOwn, isPlainObject, setOwn, type JsonObject } from "./json-value.js";
import type { BuiltinFilter } from "./names.js";
import { getPath } from "./path.js";

export type FilterStep = (event: JsonObject) => JsonObject | JsonObject[];
export type Warn = (message: string) => void;

type Args = Readonly<Record<string, unknown>>;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const boolOr = (v: unknown, dflt: boolean): boolean => (typeof v === "boolean" ? v : dflt);
const strOr = (v: unknown, dflt: string): string => (typeof v === "string" ? v : dflt);

function show(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * json_filter: at every dict level, a key matching an include pattern is kept and descended into;
 * otherwise a key matching an exclude pattern is deleted; otherwise kept and descended into.
 * include overrides exclude; it is not a whitelist. Like ansible-rulebook's code (and its test
 * test_json_filter_nested_lists_with_dicts), dicts inside lists are NOT walked: the reference
 * text says "all dict levels", and where docs and code differ we follow the code.
 */
export function jsonFilter(excludeKeys: readonly string[], includeKeys: readonly string[]): FilterStep {
  return (event) => {
    if (excludeKeys.length === 0) return event;
    const stack: unknown[] = [event];
    while (stack.length > 0) {
      const node = stack.pop();
      if (isPlainObject(node)) {
        for (const key of Object.keys(node)) {
          if (matchesAny(key, includeKeys)) stack.push(node[key]);
          else if (matchesAny(key, excludeKeys)) delete node[key];
          else stack.push(node[key]);
        }
      }
    }
    return event;
  };
}

/**
 * Calls `visit` on every dict of the event — the event itself, nested dicts and dicts inside
 * lists — before descending into the values it leaves (so keys it renames are walked once).
 */
function forEachDict(root: unknown, visit: (dict: Record<string, unknown>) => void): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
    } else if (isPlainObject(node)) {
      visit(node);
      for (const key of Object.keys(node)) stack.push(node[key]);
    }
  }
}

/**
 * dashes_to_underscores: renames `a-b` to `a_b` at every dict level (dicts inside lists too).
 * On a collision with a key already present, overwrite=true lets the renamed key's value win;
 * overwrite=false keeps the existing key and drops the dashed one. A renamed key moves to the end
 * of its dict (Python `del` + insert).
 */
export function dashesToUnderscores(overwrite: boolean): FilterStep {
  return (event) => {
    forEachDict(event, (node) => {
      for (const key of Object.keys(node)) {
        if (!key.includes("-")) continue;
        const value = node[key];
        const newKey = key.replaceAll("-", "_");
        delete node[key];
        if (overwrite || !hasOwn(node, newKey)) setOwn(node, newKey, value);
      }
    });
    return event;
  };
}

// Python 3's `\W` on str is Unicode-aware: letters and digits of any script are word characters.
const NON_WORD_RUN = /[^\p{L}\p{N}_]+/gu;

/** normalize_keys' key transformation: every run of characters outside [0-9a-zA-Z_] → one `_`. */
export function normalizeKey(key: string): string {
  return key.replace(NON_WORD_RUN, "_");
}

/**
 * normalize_keys: `server.com/&abc` → `server_com_abc` at every dict level (dicts inside lists
 * too). When the normalized name is also an original key of the same dict, overwrite=true lets
 * the renamed key's value win and overwrite=false keeps the original key's value. Two renamed
 * keys that normalize alike and collide with no original key: the later one wins (as upstream).
 * Key order: each key takes the position where its name first appears.
 */
export function normalizeKeys(overwrite: boolean): FilterStep {
  return (event) => {
    forEachDict(event, (node) => {
      const keys = Object.keys(node);
      const renamed = keys.map(normalizeKey);
      if (renamed.every((k, i) => k === keys[i])) return;
      const originals = new Set(keys);
      const result = new Map<string, unknown>();
      const overwrittenByRename = new Set<string>();
      keys.forEach((key, i) => {
        const newKey = renamed[i] as string;
        const value = node[key];
        if (newKey === key) {
          // overwrite=true: a renamed key that already took this name keeps it
          if (!(overwrite && overwrittenByRename.has(newKey))) result.set(newKey, value);
        } else if (!originals.has(newKey)) {
          result.set(newKey, value);
        } else if (overwrite) {
          result.set(newKey, value);
          overwrittenByRename.add(newKey);
        }
      });
      for (const k of keys) delete node[k];
      for (const [k, v] of result) setOwn(node, k, v);
    });
    return event;
  };
}

/**
 * insert_hosts_to_meta: the value at `host_path` (a string, split on `host_separator` when one is
 * given, or a list of strings) becomes `meta.hosts`. Missing path: warn when log_error, throw when
 * raise_error, else leave the event unchanged. Non-string hosts throw.
 */
export function insertHostsToMeta(args: Args, warn: Warn | undefined): FilterStep {
  const hostPath = strOr(args.host_path, "");
  const hostSeparator = strOr(args.host_separator, "");
  const pathSeparator = strOr(args.path_separator, ".");
  const raiseError = boolOr(args.raise_error, false);
  const logError = boolOr(args.log_error, true);
  return (event) => {
    if (hostPath === "") return event;
    const found = getPath(event, hostPath, pathSeparator);
    if (!found.found) {
      const msg = `insert_hosts_to_meta: event does not contain '${hostPath}'`;
      if (logError) warn?.(msg);
      if (raiseError) throw new HookbookError("HB_ERR_INVALID_PAYLOAD", msg);
      return event;
    }
    const value = found.value;
    let hosts: string[];
    if (typeof value === "string") {
      hosts = hostSeparator !== "" ? value.split(hostSeparator) : [value];
    } else if (Array.isArray(value)) {
      for (const h of value) {
        if (typeof h !== "string") throw new HookbookError("HB_ERR_INVALID_PAYLOAD", `insert_hosts_to_meta: ${show(h)} is not a valid hostname`);
      }
      hosts = [...(value as string[])];
    } else {
      throw new HookbookError("HB_ERR_INVALID_PAYLOAD", `insert_hosts_to_meta: ${show(value)} is not a valid hostname`);
    }
    if (!hasOwn(event, "meta") || event.meta === null) setOwn(event, "meta", {});
    const meta = event.meta;
    if (!isPlainObject(meta)) throw new HookbookError("HB_ERR_INVALID_PAYLOAD", "insert_hosts_to_meta: the event's meta is not a mapping");
    setOwn(meta, "hosts", hosts);
    return event;
  };
}

/**
 * event_splitter: one event per element of the list at `splitter_key` (a deep copy of the
 * element), each updated with `attributes_key_map` (new key → dotted path in the parent event;
 * missing paths are skipped with a warning) and then the static `extras`. Missing splitter_key:
 * throw when raise_error, else the event passes unchanged (with a warning). An empty list yields
 * no events. A value that is not a list, or an element that is not a mapping, throws.
 */
export function eventSplitter(args: Args, warn: Warn | undefined): FilterStep {
  const splitterKey = strOr(args.splitter_key, "");
  const keyMapArg = args.attributes_key_map ?? args.attribute_key_map;
  const keyMap = isPlainObject(keyMapArg) ? Object.entries(keyMapArg) : [];
  const extras = isPlainObject(args.extras) ? Object.entries(args.extras) : [];
  const raiseError = boolOr(args.raise_error, false);
  return (event) => {
    const found = getPath(event, splitterKey, ".");
    if (!found.found) {
      const msg = `event_splitter: event does not contain '${splitterKey}'`;
      if (raiseError) throw new HookbookError("HB_ERR_INVALID_PAYLOAD", msg);
      warn?.(`${msg}; leaving the event intact`);
      return event;
    }
    const list = found.value;
    if (!Array.isArray(list)) {
      throw new HookbookError("HB_ERR_INVALID_PAYLOAD", `event_splitter: '${splitterKey}' is not a list (got ${show(list)})`);
    }
    const additional: [string, unknown][] = [];
    for (const [key, path] of keyMap) {
      const attr = getPath(event, String(path), ".");
      if (attr.found) additional.push([key, attr.value]);
      else warn?.(`event_splitter: attributes_key_map path '${String(path)}' missing, skipping`);
    }
    for (const [key, value] of extras) additional.push([key, value]);
    return list.map((item, i) => {
      if (!isPlainObject(item)) {
        throw new HookbookError("HB_ERR_INVALID_PAYLOAD", `event_splitter: element ${i} of '${splitterKey}' is not a mapping (got ${show(item)})`);
      }
      const single = cloneJson(item);
      for (const [key, value] of additional) setOwn(single, key, cloneJson(value));
      return single;
    });
  };
}

/** The step for a builtin filter, or undefined for the identity (noop, insert_meta_info). */
export function buildStep(filter: BuiltinFilter, args: Args, warn: Warn | undefined): FilterStep | undefined {
  switch (filter) {
    case "json_filter":
      return jsonFilter(strings(args.exclude_keys), strings(args.include_keys));
    case "dashes_to_underscores":
      return dashesToUnderscores(boolOr(args.overwrite, true));
    case "normalize_keys":
      return normalizeKeys(boolOr(args.overwrite, true));
    case "insert_hosts_to_meta":
      return insertHostsToMeta(args, warn);
    case "event_splitter":
      return eventSplitter(args, warn);
    case "noop":
    case "insert_meta_info":
      return undefined;
  }
}
