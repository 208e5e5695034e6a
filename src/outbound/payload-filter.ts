import { isJsonObject as isPlainObject, jsonEqual } from "../core/json.js";

/**
 * Payload filters of a subscription, the operator family of Convoy and Outpost, evaluated
 * against the outcome JSON `{id, type, timestamp, data}`.
 *
 * A filter is an object; all of its entries must hold (implicit AND):
 * - `"<path>": <value>`: the value at the dotted path equals `<value>` (deep equality; when
 *   the value at the path is an array and `<value>` is not, any element may equal it);
 * - `"<path>": {"$op": operand, …}`: every operator holds: `$eq`, `$neq`, `$gt`, `$gte`,
 *   `$lt`, `$lte` (numbers with numbers, strings with strings, otherwise false), `$in`/`$nin`
 *   (operand is an array; an array value matches when any element is in it), `$exist`
 *   (true/false: whether the path is present; null counts as present), `$regex` (a string
 *   value matching the JavaScript regular expression);
 * - `"<path>": {<nested filter>}`: an object without `$` keys is a filter on that sub-object,
 *   its paths relative to `<path>`;
 * - `"$and": [filters]`, `"$or": [filters]`.
 * Paths are dot-separated keys; a numeric segment indexes an array (`data.event_ids.0`).
 * `compileFilter` validates once (unknown operator, wrong operand type, bad regex, too deep or
 * too large) and returns a predicate.
 */

export type FilterPredicate = (doc: unknown) => boolean;

export type CompiledFilter = { readonly ok: true; readonly test: FilterPredicate } | { readonly ok: false; readonly error: string };

const MAX_DEPTH = 8;
const MAX_NODES = 200;
const MAX_REGEX_LENGTH = 256;
const COMPARE_OPS = new Set(["$gt", "$gte", "$lt", "$lte"]);
const OPERATORS = new Set(["$eq", "$neq", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exist", "$regex"]);

class FilterError extends Error {}

function lookup(doc: unknown, path: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const seg of path) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else if (isPlainObject(cur)) {
      cur = Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    } else {
      return undefined;
    }
  }
  return cur;
}

function equalsOrContains(value: unknown, operand: unknown): boolean {
  if (jsonEqual(value, operand)) return true;
  return Array.isArray(value) && !Array.isArray(operand) && value.some((v) => jsonEqual(v, operand));
}

function inList(value: unknown, list: readonly unknown[]): boolean {
  if (Array.isArray(value)) return value.some((v) => list.some((x) => jsonEqual(v, x)));
  return list.some((x) => jsonEqual(value, x));
}

function compare(op: string, value: unknown, operand: number | string): boolean {
  if (typeof value !== typeof operand) return false;
  const a = value as number | string;
  if (op === "$gt") return a > operand;
  if (op === "$gte") return a >= operand;
  if (op === "$lt") return a < operand;
  return a <= operand;
}

interface Budget {
  nodes: number;
}

function splitPath(key: string, where: string): string[] {
  const segs = key.split(".");
  if (key.length === 0 || segs.some((s) => s.length === 0)) throw new FilterError(`${where}: path ${JSON.stringify(key)} has an empty segment`);
  return segs;
}

function compileOperators(path: readonly string[], ops: Record<string, unknown>, where: string): FilterPredicate[] {
  const out: FilterPredicate[] = [];
  for (const [op, operand] of Object.entries(ops)) {
    const at = `${where}.${op}`;
    if (!OPERATORS.has(op)) throw new FilterError(`${at}: unknown operator (use ${[...OPERATORS].join(" ")})`);
    if (op === "$eq") out.push((d) => equalsOrContains(lookup(d, path), operand));
    else if (op === "$neq") out.push((d) => !equalsOrContains(lookup(d, path), operand));
    else if (COMPARE_OPS.has(op)) {
      if (typeof operand !== "number" && typeof operand !== "string") throw new FilterError(`${at}: operand must be a number or a string`);
      out.push((d) => compare(op, lookup(d, path), operand));
    } else if (op === "$in" || op === "$nin") {
      if (!Array.isArray(operand)) throw new FilterError(`${at}: operand must be an array`);
      const list = operand as readonly unknown[];
      out.push(op === "$in" ? (d) => inList(lookup(d, path), list) : (d) => !inList(lookup(d, path), list));
    } else if (op === "$exist") {
      if (typeof operand !== "boolean") throw new FilterError(`${at}: operand must be true or false`);
      out.push((d) => (lookup(d, path) !== undefined) === operand);
    } else {
      if (typeof operand !== "string" || operand.length > MAX_REGEX_LENGTH) {
        throw new FilterError(`${at}: operand must be a regular expression string of at most ${MAX_REGEX_LENGTH} characters`);
      }
      let re: RegExp;
      try {
        re = new RegExp(operand);
      } catch (err) {
        throw new FilterError(`${at}: invalid regular expression: ${(err as Error).message}`);
      }
      out.push((d) => {
        const v = lookup(d, path);
        return typeof v === "string" && re.test(v);
      });
    }
  }
  if (out.length === 0) throw new FilterError(`${where}: empty operator object`);
  return out;
}

function compileNode(node: unknown, base: readonly string[], where: string, depth: number, budget: Budget): FilterPredicate {
  if (depth > MAX_DEPTH) throw new FilterError(`${where}: nested deeper than ${MAX_DEPTH} levels`);
  if (!isPlainObject(node)) throw new FilterError(`${where}: a filter must be an object`);
  const parts: FilterPredicate[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (++budget.nodes > MAX_NODES) throw new FilterError(`filter has more than ${MAX_NODES} conditions`);
    const at = `${where}.${key}`;
    if (key === "$and" || key === "$or") {
      if (!Array.isArray(value) || value.length === 0) throw new FilterError(`${at}: must be a non-empty array of filters`);
      const subs = value.map((v, i) => compileNode(v, base, `${at}[${i}]`, depth + 1, budget));
      parts.push(key === "$and" ? (d) => subs.every((p) => p(d)) : (d) => subs.some((p) => p(d)));
      continue;
    }
    if (key.startsWith("$")) throw new FilterError(`${at}: unknown top-level operator (only $and and $or combine filters)`);
    const path = [...base, ...splitPath(key, where)];
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      const ops = keys.filter((k) => k.startsWith("$"));
      if (ops.length > 0 && ops.length !== keys.length) throw new FilterError(`${at}: do not mix operators and nested keys`);
      if (ops.length > 0) parts.push(...compileOperators(path, value, at));
      else if (keys.length === 0) parts.push((d) => jsonEqual(lookup(d, path), {}));
      else parts.push(compileNode(value, path, at, depth + 1, budget));
      continue;
    }
    parts.push((d) => equalsOrContains(lookup(d, path), value));
  }
  return (d) => parts.every((p) => p(d));
}

/** Validate and compile a payload filter. */
export function compileFilter(filter: unknown): CompiledFilter {
  try {
    return { ok: true, test: compileNode(filter, [], "filter", 0, { nodes: 0 }) };
  } catch (err) {
    if (err instanceof FilterError) return { ok: false, error: err.message };
    throw err;
  }
}
