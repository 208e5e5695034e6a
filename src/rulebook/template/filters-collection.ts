/**
 * Sequence filters: length/count first last join list sort unique min max sum reverse dictsort
 * items dict2items items2dict map select reject selectattr rejectattr batch.
 * Attribute arguments accept dotted paths with list indexes (`attribute='labels.0'`).
 */
import { type CallArgs, NO_ARGS, REQUIRED, bindArgs } from "./call-args.js";
import type { FilterFn } from "./filter-types.js";
import { runTest } from "./jinja-tests.js";
import { pyAdd } from "./operators.js";
import { pyStr } from "./py-format.js";
import { checkSize, templateRuntimeError } from "./template-error.js";
import { Undefined, strict } from "./undefined.js";
import { chars, getItem, isBlockedName, isMapping, iterate, pyCompare, pyEquals, setOwn, truthy, typeName } from "./values.js";

type Getter = (item: unknown) => unknown;

function attrGetter(attribute: unknown, opts: { lower?: boolean; default?: unknown } = {}): Getter {
  const parts =
    attribute === null
      ? []
      : typeof attribute === "number"
        ? [attribute]
        : pyStr(attribute)
            .split(".")
            .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (item) => {
    let v = item;
    let path = "item";
    for (const part of parts) {
      const here = path;
      v = getItem(v, part, () => here);
      path += typeof part === "number" ? `[${part}]` : `.${part}`;
    }
    if (v instanceof Undefined && opts.default !== undefined) return opts.default;
    if (opts.lower === true && typeof v === "string") return v.toLowerCase();
    return v;
  };
}

function keyGetter(attribute: unknown, caseSensitive: boolean): Getter {
  if (typeof attribute === "string" && attribute.includes(",")) {
    const getters = attribute.split(",").map((a) => attrGetter(a.trim(), { lower: !caseSensitive }));
    return (item) => getters.map((g) => strict(g(item)));
  }
  const g = attrGetter(attribute, { lower: !caseSensitive });
  return (item) => strict(g(item));
}

function dedupe(items: readonly unknown[], key: Getter): unknown[] {
  const seenPrimitive = new Set<unknown>();
  const seenOther: unknown[] = [];
  const out: unknown[] = [];
  for (const item of items) {
    const k = key(item);
    const primitive = typeof k === "string" || typeof k === "number" || typeof k === "boolean" || k === null;
    const norm = typeof k === "boolean" ? Number(k) : k;
    if (primitive ? seenPrimitive.has(norm) : seenOther.some((s) => pyEquals(s, k))) continue;
    if (primitive) seenPrimitive.add(norm);
    else seenOther.push(k);
    out.push(item);
  }
  return out;
}

function extreme(name: "min" | "max"): FilterFn {
  return (value, args) => {
    const a = bindArgs(`filter '${name}'`, args, { case_sensitive: false, attribute: null }).values;
    const items = iterate(value);
    if (items.length === 0) return new Undefined(`${name}: no aggregated item, sequence was empty`);
    const key = keyGetter(a.attribute, a.case_sensitive === true);
    let best = items[0];
    let bestKey = key(best);
    for (const item of items.slice(1)) {
      const k = key(item);
      const c = pyCompare(k, bestKey);
      if (name === "min" ? c < 0 : c > 0) {
        best = item;
        bestKey = k;
      }
    }
    return best;
  };
}

/** Splits `(test_name, *test_args)` for select/reject and runs it (no name: truthiness). */
function predicate(name: string, rest: readonly unknown[], kwargs: ReadonlyMap<string, unknown>): (v: unknown) => boolean {
  if (rest.length === 0) return (v) => truthy(v);
  const testName = rest[0];
  if (typeof testName !== "string") throw templateRuntimeError(`${name}: the test name must be a string`);
  const testArgs: CallArgs = { positional: rest.slice(1), keyword: kwargs };
  return (v) => runTest(testName, v, testArgs);
}

function selectLike(name: string, keep: boolean, byAttr: boolean): FilterFn {
  return (value, args) => {
    const items = iterate(value);
    const positional = args.positional;
    if (byAttr && positional.length === 0) throw templateRuntimeError(`${name}: missing the attribute argument`);
    const getter = byAttr ? attrGetter(positional[0]) : (v: unknown) => v;
    const test = predicate(name, byAttr ? positional.slice(1) : positional, args.keyword);
    return items.filter((item) => test(getter(item)) === keep);
  };
}

function sortFilter(value: unknown, args: CallArgs): unknown[] {
  const a = bindArgs("filter 'sort'", args, { reverse: false, case_sensitive: false, attribute: null }).values;
  const key = keyGetter(a.attribute, a.case_sensitive === true);
  const decorated = iterate(value).map((item) => ({ item, k: key(item) }));
  decorated.sort((x, y) => pyCompare(x.k, y.k));
  if (a.reverse === true) decorated.reverse();
  return decorated.map((d) => d.item);
}

function mapFilter(value: unknown, args: CallArgs, ctx: Parameters<FilterFn>[2]): unknown[] {
  const items = iterate(value);
  if (args.positional.length === 0 && args.keyword.has("attribute")) {
    const a = bindArgs("filter 'map'", args, { attribute: REQUIRED, default: undefined }).values;
    const getter = attrGetter(a.attribute, { default: a.default });
    return items.map(getter);
  }
  const [filterName, ...rest] = args.positional;
  if (typeof filterName !== "string") throw templateRuntimeError("map: give a filter name or attribute='…'");
  const filterArgs: CallArgs = { positional: rest, keyword: args.keyword };
  return items.map((item) => ctx.applyFilter(filterName, item, filterArgs));
}

function pairsOf(value: unknown, what: string): [string, unknown][] {
  if (!isMapping(value)) throw templateRuntimeError(`${what} requires a dictionary, got ${typeName(value)}`);
  return Object.keys(value)
    .filter((k) => !isBlockedName(k))
    .map((k) => [k, value[k]]);
}

export const COLLECTION_FILTERS: ReadonlyMap<string, FilterFn> = new Map<string, FilterFn>([
  ["length", lengthFilter],
  ["count", lengthFilter],
  ["first", (value, args) => {
    bindArgs("filter 'first'", args, {});
    const items = iterate(value);
    return items.length > 0 ? items[0] : new Undefined("first: no first item, sequence was empty");
  }],
  ["last", (value, args) => {
    bindArgs("filter 'last'", args, {});
    const items = iterate(value);
    return items.length > 0 ? items[items.length - 1] : new Undefined("last: no last item, sequence was empty");
  }],
  ["join", (value, args) => {
    const a = bindArgs("filter 'join'", args, { d: "", attribute: null }).values;
    const getter = a.attribute === null ? (v: unknown) => v : attrGetter(a.attribute);
    return iterate(value)
      .map((item) => pyStr(getter(item)))
      .join(pyStr(a.d));
  }],
  ["list", (value, args) => {
    bindArgs("filter 'list'", args, {});
    return [...iterate(value)];
  }],
  ["sort", sortFilter],
  ["unique", (value, args) => {
    const a = bindArgs("filter 'unique'", args, { case_sensitive: false, attribute: null }).values;
    return dedupe(iterate(value), keyGetter(a.attribute, a.case_sensitive === true));
  }],
  ["min", extreme("min")],
  ["max", extreme("max")],
  ["sum", (value, args) => {
    const a = bindArgs("filter 'sum'", args, { attribute: null, start: 0 }).values;
    const getter = a.attribute === null ? (v: unknown) => v : attrGetter(a.attribute);
    return iterate(value).reduce((acc: unknown, item) => pyAdd(acc, strict(getter(item))), a.start);
  }],
  ["reverse", (value, args) => {
    bindArgs("filter 'reverse'", args, {});
    if (typeof value === "string") return chars(value).reverse().join("");
    return [...iterate(value)].reverse();
  }],
  ["dictsort", (value, args) => {
    const a = bindArgs("filter 'dictsort'", args, { case_sensitive: false, by: "key", reverse: false }).values;
    if (a.by !== "key" && a.by !== "value") throw templateRuntimeError("dictsort: you can only sort by either 'key' or 'value'");
    const pos = a.by === "key" ? 0 : 1;
    const lower = (v: unknown): unknown => (a.case_sensitive !== true && typeof v === "string" ? v.toLowerCase() : v);
    const pairs = pairsOf(value, "dictsort").sort((x, y) => pyCompare(lower(x[pos]), lower(y[pos])));
    return a.reverse === true ? pairs.reverse() : pairs;
  }],
  ["items", (value, args) => {
    bindArgs("filter 'items'", args, {});
    return value instanceof Undefined ? [] : pairsOf(value, "items");
  }],
  ["dict2items", (value, args) => {
    const a = bindArgs("filter 'dict2items'", args, { key_name: "key", value_name: "value" }).values;
    return pairsOf(value, "dict2items").map(([k, v]) => {
      const entry: Record<string, unknown> = {};
      setOwn(entry, pyStr(a.key_name), k);
      setOwn(entry, pyStr(a.value_name), v);
      return entry;
    });
  }],
  ["items2dict", (value, args) => {
    const a = bindArgs("filter 'items2dict'", args, { key_name: "key", value_name: "value" }).values;
    const out: Record<string, unknown> = {};
    for (const item of iterate(value)) {
      if (!isMapping(item)) throw templateRuntimeError("items2dict requires a list of dictionaries");
      const k = strict(attrGetter(a.key_name)(item));
      setOwn(out, typeof k === "string" ? k : pyStr(k), strict(attrGetter(a.value_name)(item)));
    }
    return out;
  }],
  ["map", mapFilter],
  ["select", selectLike("select", true, false)],
  ["reject", selectLike("reject", false, false)],
  ["selectattr", selectLike("selectattr", true, true)],
  ["rejectattr", selectLike("rejectattr", false, true)],
  ["batch", (value, args) => {
    const a = bindArgs("filter 'batch'", args, { linecount: REQUIRED, fill_with: null }).values;
    const size = typeof a.linecount === "number" && Number.isInteger(a.linecount) && a.linecount > 0 ? a.linecount : 0;
    if (size === 0) throw templateRuntimeError("batch: linecount must be a positive integer");
    checkSize(size, "batch");
    const items = iterate(value);
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    const lastBatch = out[out.length - 1];
    if (a.fill_with !== null && lastBatch !== undefined) while (lastBatch.length < size) lastBatch.push(a.fill_with);
    return out;
  }],
]);

function lengthFilter(value: unknown, args: CallArgs = NO_ARGS): number {
  bindArgs("filter 'length'", args, {});
  if (typeof value === "string") return chars(value).length;
  if (Array.isArray(value)) return value.length;
  if (isMapping(value)) return Object.keys(value).length;
  throw templateRuntimeError(`object of type '${typeName(value)}' has no len()`);
}
