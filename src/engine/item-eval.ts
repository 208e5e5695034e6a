import type { ConditionItem } from "../rulebook/model.js";
import { createJreMatcher } from "./match/jre-evaluator.js";
import { compilePredicate } from "./match/predicate.js";
import type { MatchFacts } from "./match/predicate.js";
import type { EvaluatorKind } from "./matcher.js";

/** One condition item of a multi-condition rule, evaluated against an object plus the bindings so far. */
export type ItemEvaluator = (facts: MatchFacts) => boolean | Promise<boolean>;

export function itemEvaluator(item: ConditionItem, evaluator: EvaluatorKind): ItemEvaluator {
  if (evaluator === "json-rules-engine") {
    const m = createJreMatcher([{ id: "x", ir: item.ir }]);
    return async (facts) => (await m.match(facts)).length > 0;
  }
  return compilePredicate(item.ir);
}

/** True when the item's IR refers to other bindings (events.* / facts.*), i.e. it is a join. */
export function isJoin(item: ConditionItem): boolean {
  return refersToBindings(item.ir);
}

const refersToBindings = (node: unknown): boolean => JSON.stringify(node).includes('"fact":"events"');

/**
 * The part of an item that needs no bindings, used to pre-filter candidates: the item itself
 * when it is not a join; for a join whose top level is `all`, the conjunction of its leaves that
 * do not refer to other bindings; otherwise undefined (every object is a candidate).
 */
export function localFilter(item: ConditionItem, evaluator: EvaluatorKind): ItemEvaluator | undefined {
  if (!isJoin(item)) return itemEvaluator(item, evaluator);
  const all = (item.ir as { all?: unknown[] }).all;
  if (!Array.isArray(all)) return undefined;
  const local = all.filter((leaf) => !refersToBindings(leaf));
  if (local.length === 0) return undefined;
  return itemEvaluator({ ...item, ir: { all: local } }, evaluator);
}
