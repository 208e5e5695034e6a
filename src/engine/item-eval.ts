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
  return JSON.stringify(item.ir).includes('"fact":"events"');
}
