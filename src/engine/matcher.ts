import type { Ruleset } from "../rulebook/model.js";
import { createJreMatcher } from "./match/jre-evaluator.js";
import { createCompiledMatcher } from "./match/rule-index.js";
import type { MatchFacts } from "./match/predicate.js";

export type EvaluatorKind = "compiled" | "json-rules-engine";

/** Which condition items of a ruleset an object satisfies, as `<ruleIndex>:<itemIndex>` ids in rule order. */
export interface RuleMatcher {
  match(facts: MatchFacts): string[] | Promise<string[]>;
}

export function itemId(ruleIndex: number, itemIndex: number): string {
  return `${ruleIndex}:${itemIndex}`;
}

export function parseItemId(id: string): { rule: number; item: number } {
  const [r, i] = id.split(":");
  return { rule: Number(r), item: Number(i) };
}

/** One matcher over every condition item of every enabled rule of the ruleset. */
export function buildMatcher(ruleset: Ruleset, evaluator: EvaluatorKind): RuleMatcher {
  const entries = ruleset.rules.flatMap((rule, r) => rule.condition.items.map((item, i) => ({ id: itemId(r, i), ir: item.ir })));
  return evaluator === "json-rules-engine" ? createJreMatcher(entries) : createCompiledMatcher(entries);
}
