/**
 * Compiles condition IR (json-rules-engine JSON with hb_* operators, see
 * src/rulebook/condition/ir.ts) into a synchronous JS closure. Verdicts are identical to
 * json-rules-engine running the same IR through createJreMatcher(): the operators are the same
 * functions (semantics.ts), paths resolve through the same resolver, and json-rules-engine's own
 * quirks are mirrored (an empty `any` is true; an unknown fact reads as undefined; a reference
 * without a path yields the whole fact).
 */
import type { IrExpr, IrOperator } from "../../rulebook/condition/ir.js";
import { arithmetic, OPERATOR_FNS } from "../../rulebook/condition/semantics.js";
import { parsedPath, pathGetter } from "./path-resolver.js";
import type { PathMemo } from "./path-resolver.js";

/** What a condition sees: the current object and, in multi-condition rules, the earlier bindings. */
export interface MatchFacts {
  readonly event: unknown;
  readonly events?: Readonly<Record<string, unknown>>;
}

/** A rule as the matchers take it: an id and its condition IR. */
export interface MatchRule {
  readonly id: string;
  readonly ir: object;
}

export type Predicate = (facts: MatchFacts) => boolean;
type Getter = (facts: MatchFacts) => unknown;

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** The object json-rules-engine sees for a fact (non-objects are normalised to {}). */
export function factRoot(facts: MatchFacts, fact: string): unknown {
  if (fact === "event") return isObject(facts.event) ? facts.event : EMPTY;
  if (fact === "events") return isObject(facts.events) ? facts.events : EMPTY;
  return undefined;
}

function isObject(v: unknown): v is object {
  return typeof v === "object" && v !== null;
}

export interface PredicateOptions {
  /**
   * Share resolved paths between predicates (and between leaves of one predicate) for the same
   * facts. The caller MUST call `memo.next()` before evaluating a new facts object.
   */
  readonly memo?: PathMemo;
}

export function compilePredicate(ir: object, opts: PredicateOptions = {}): Predicate {
  return compileNode(ir, opts.memo);
}

function compileNode(node: object, memo: PathMemo | undefined): Predicate {
  const n = node as Record<string, unknown>;
  if (Array.isArray(n.all)) return compileList(n.all as object[], true, memo);
  if (Array.isArray(n.any)) return compileList(n.any as object[], false, memo);
  if (n.not !== undefined && typeof n.not === "object" && n.not !== null) {
    const inner = compileNode(n.not, memo);
    return (f) => !inner(f);
  }
  if (typeof n.condition === "string") throw new Error(`condition references are not supported: ${n.condition}`);
  return compileLeaf(n, memo);
}

function compileList(items: readonly object[], conj: boolean, memo: PathMemo | undefined): Predicate {
  const preds = items.map((item) => compileNode(item, memo));
  // json-rules-engine: an empty all/any is true.
  if (preds.length === 0) return () => true;
  if (preds.length === 1) return preds[0] as Predicate;
  if (preds.length === 2) {
    const a = preds[0] as Predicate;
    const b = preds[1] as Predicate;
    return conj ? (f) => a(f) && b(f) : (f) => a(f) || b(f);
  }
  if (conj) {
    return (f) => {
      for (let i = 0; i < preds.length; i++) if (!(preds[i] as Predicate)(f)) return false;
      return true;
    };
  }
  return (f) => {
    for (let i = 0; i < preds.length; i++) if ((preds[i] as Predicate)(f)) return true;
    return false;
  };
}

function compileLeaf(n: Record<string, unknown>, memo: PathMemo | undefined): Predicate {
  const operator = n.operator as IrOperator;
  const fn = OPERATOR_FNS[operator];
  if (typeof fn !== "function") throw new Error(`Unknown operator: ${String(n.operator)}`);
  const left = factGetter(String(n.fact), n.path, n.params, memo);
  const value = n.value;
  const valueIsFact = typeof value === "object" && value !== null && Object.prototype.hasOwnProperty.call(value, "fact");
  if (!valueIsFact) {
    const special = specialise(operator, left, value);
    if (special) return special;
    return (f) => fn(left(f), value);
  }
  const v = value as Record<string, unknown>;
  const right = factGetter(String(v.fact), v.path, v.params, memo);
  return (f) => fn(left(f), right(f));
}

/** Fast paths for the hottest leaf shapes; same verdicts as OPERATOR_FNS. */
function specialise(op: IrOperator, left: Getter, value: unknown): Predicate | undefined {
  const scalar = value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean";
  switch (op) {
    case "hb_eq":
      // valueEquals(v, scalar) ⇔ v === scalar (no coercion; objects never equal a scalar)
      return scalar ? (f) => left(f) === value : undefined;
    case "hb_ne":
      return scalar
        ? (f) => {
            const v = left(f);
            return v !== undefined && v !== value;
          }
        : undefined;
    case "hb_gt":
    case "hb_ge":
    case "hb_lt":
    case "hb_le": {
      if (typeof value !== "number") return undefined;
      const lit = value;
      if (op === "hb_gt") return (f) => { const v = left(f); return typeof v === "number" && v > lit; };
      if (op === "hb_ge") return (f) => { const v = left(f); return typeof v === "number" && v >= lit; };
      if (op === "hb_lt") return (f) => { const v = left(f); return typeof v === "number" && v < lit; };
      return (f) => { const v = left(f); return typeof v === "number" && v <= lit; };
    }
    case "hb_defined":
      return (f) => left(f) !== undefined;
    case "hb_not_defined":
      return (f) => left(f) === undefined;
    case "hb_is_true":
      return (f) => left(f) === true;
    default:
      return undefined;
  }
}

/** Reads a fact (with optional path) as json-rules-engine's almanac would. */
export function factGetter(fact: string, path: unknown, params: unknown, memo?: PathMemo): Getter {
  if (fact === "hb_expr") {
    const expr = (params as { expr?: IrExpr } | undefined)?.expr;
    if (expr === undefined) return () => undefined;
    return compileExpr(expr, memo);
  }
  if (fact !== "event" && fact !== "events") return () => undefined;
  if (typeof path !== "string" || path === "") return (f) => factRoot(f, fact);
  const get = pathGetter(parsedPath(path));
  const raw: Getter =
    fact === "event"
      ? (f) => {
          const e = f.event;
          return typeof e === "object" && e !== null ? get(e) : undefined;
        }
      : (f) => {
          const e = f.events;
          return typeof e === "object" && e !== null ? get(e) : undefined;
        };
  if (memo === undefined) return raw;
  const slot = memo.slot(`${fact}\u0000${path}`);
  const { values, stamps } = memo;
  return (f) => {
    if (stamps[slot] === memo.gen) return values[slot];
    const v = raw(f);
    values[slot] = v;
    stamps[slot] = memo.gen;
    return v;
  };
}

function compileExpr(expr: IrExpr, memo: PathMemo | undefined): Getter {
  if ("const" in expr) {
    const c = expr.const;
    return () => c;
  }
  if ("fact" in expr) return factGetter(expr.fact, expr.path, undefined, memo);
  if ("op" in expr) {
    const a = compileExpr(expr.args[0], memo);
    const b = compileExpr(expr.args[1], memo);
    const op = expr.op;
    return (f) => {
      const x = a(f);
      if (x === undefined) return undefined;
      const y = b(f);
      if (y === undefined) return undefined;
      return arithmetic(op, x, y);
    };
  }
  if ("list" in expr) {
    const items = expr.list.map((e) => compileExpr(e, memo));
    return (f) => {
      const out: unknown[] = [];
      for (const g of items) {
        const v = g(f);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    };
  }
  const entries = Object.entries(expr.object).map(([k, e]) => [k, compileExpr(e, memo)] as const);
  return (f) => {
    const obj: Record<string, unknown> = {};
    for (const [k, g] of entries) {
      const v = g(f);
      if (v === undefined) return undefined;
      obj[k] = v;
    }
    return obj;
  };
}
