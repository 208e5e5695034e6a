/**
 * The fast matcher: compiled predicates (predicate.ts) behind a hash index.
 *
 * A rule is indexable when its top-level conjunction holds an `event` leaf `hb_eq` with a scalar
 * literal (or `hb_in` with a list of scalars): the event can only match when that attribute
 * equals the literal. Rules are filed under path → value → [rule]; per event we look up each
 * indexed path once and evaluate only the rules in the hit buckets plus the unindexable rules,
 * then report matches in input order. When a rule has several candidate leaves, the one whose
 * path has the most distinct values across all rules (the most selective) is used.
 */
import { compilePredicate, factGetter } from "./predicate.js";
import type { MatchFacts, MatchRule, Predicate } from "./predicate.js";
import { PathMemo } from "./path-resolver.js";

export interface CompiledMatcher {
  /** Ids of the rules whose condition holds, in input order. */
  match(facts: MatchFacts): string[];
  /** For diagnostics and tests: how many rules are filed in the index vs always evaluated. */
  readonly stats: { readonly indexed: number; readonly unindexed: number; readonly paths: number };
}

type Scalar = string | number | boolean | null;

interface Candidate {
  readonly path: string;
  readonly values: readonly Scalar[];
}

interface PathIndex {
  readonly get: (facts: MatchFacts) => unknown;
  readonly buckets: Map<Scalar, number[]>;
}

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

/** Top-level conjuncts of an IR condition (flattening nested `all`s and one-element `any`s). */
function conjuncts(node: unknown, out: Record<string, unknown>[]): void {
  if (typeof node !== "object" || node === null) return;
  const n = node as Record<string, unknown>;
  if (Array.isArray(n.all)) {
    for (const c of n.all) conjuncts(c, out);
  } else if (Array.isArray(n.any) && n.any.length === 1) {
    conjuncts(n.any[0], out);
  } else if (typeof n.operator === "string") {
    out.push(n);
  }
}

function candidatesOf(ir: object): Candidate[] {
  const leaves: Record<string, unknown>[] = [];
  conjuncts(ir, leaves);
  const out: Candidate[] = [];
  for (const leaf of leaves) {
    if (leaf.fact !== "event" || typeof leaf.path !== "string" || leaf.path === "") continue;
    if (leaf.operator === "hb_eq" && isScalar(leaf.value)) out.push({ path: leaf.path, values: [leaf.value] });
    else if (leaf.operator === "hb_in" && Array.isArray(leaf.value) && leaf.value.length > 0 && leaf.value.every(isScalar)) {
      out.push({ path: leaf.path, values: [...new Set(leaf.value as Scalar[])] });
    }
  }
  return out;
}

export function createCompiledMatcher(rules: readonly MatchRule[]): CompiledMatcher {
  const ids = rules.map((r) => r.id);
  const memo = new PathMemo();
  const preds: Predicate[] = rules.map((r) => compilePredicate(r.ir, { memo }));
  const cands = rules.map((r) => candidatesOf(r.ir));

  const distinct = new Map<string, Set<Scalar>>();
  for (const list of cands) {
    for (const c of list) {
      let set = distinct.get(c.path);
      if (!set) distinct.set(c.path, (set = new Set()));
      for (const v of c.values) set.add(v);
    }
  }

  const index = new Map<string, PathIndex>();
  const unindexed: number[] = [];
  cands.forEach((list, i) => {
    let best: Candidate | undefined;
    for (const c of list) {
      if (best === undefined || (distinct.get(c.path)?.size ?? 0) > (distinct.get(best.path)?.size ?? 0)) best = c;
    }
    if (best === undefined) {
      unindexed.push(i);
      return;
    }
    let pi = index.get(best.path);
    if (!pi) {
      pi = { get: factGetter("event", best.path, undefined, memo), buckets: new Map() };
      index.set(best.path, pi);
    }
    for (const v of best.values) {
      let bucket = pi.buckets.get(v);
      if (!bucket) pi.buckets.set(v, (bucket = []));
      bucket.push(i);
    }
  });

  const paths = [...index.values()];
  const lists: number[][] = [];

  function evaluate(list: readonly number[], facts: MatchFacts, out: string[]): void {
    for (let k = 0; k < list.length; k++) {
      const i = list[k] as number;
      if ((preds[i] as Predicate)(facts)) out.push(ids[i] as string);
    }
  }

  return {
    stats: { indexed: rules.length - unindexed.length, unindexed: unindexed.length, paths: paths.length },
    match(facts: MatchFacts): string[] {
      memo.next();
      lists.length = 0;
      if (unindexed.length > 0) lists.push(unindexed);
      if (typeof facts.event === "object" && facts.event !== null) {
        for (let p = 0; p < paths.length; p++) {
          const pi = paths[p] as PathIndex;
          const v = pi.get(facts);
          if (v === undefined || (typeof v === "object" && v !== null)) continue;
          const bucket = pi.buckets.get(v as Scalar);
          if (bucket !== undefined) lists.push(bucket);
        }
      }
      const out: string[] = [];
      if (lists.length === 0) return out;
      if (lists.length === 1) {
        evaluate(lists[0] as number[], facts, out);
        return out;
      }
      // A rule is filed under one path, and under distinct values of it: the lists are disjoint.
      const merged = ([] as number[]).concat(...lists).sort((a, b) => a - b);
      evaluate(merged, facts, out);
      return out;
    },
  };
}
