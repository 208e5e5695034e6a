/**
 * The reference evaluator: json-rules-engine running the condition IR with hookbook's hb_*
 * operators (semantics.ts), the plain-path resolver and a dynamic `hb_expr` fact for computed
 * values. One Engine is built and reused; `allowUndefinedFacts` keeps a missing fact from
 * failing the whole run.
 */
import { Engine } from "json-rules-engine";
import type { Almanac, TopLevelCondition } from "json-rules-engine";
import { IR_OPERATORS } from "../../rulebook/condition/ir.js";
import type { IrExpr, IrRef } from "../../rulebook/condition/ir.js";
import { evalIrExpr } from "../../rulebook/condition/ir-expr.js";
import { OPERATOR_FNS } from "../../rulebook/condition/semantics.js";
import { parsedPath, resolvePath } from "./path-resolver.js";
import { resolveSegments } from "../../rulebook/condition/ir-path.js";
import { factRoot } from "./predicate.js";
import type { MatchFacts, MatchRule } from "./predicate.js";

export interface JreMatcher {
  /** Ids of the rules whose condition holds, in input order. */
  match(facts: MatchFacts): Promise<string[]>;
}

export function createJreEngine(): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
  for (const name of IR_OPERATORS) {
    const fn = OPERATOR_FNS[name];
    engine.addOperator(name, (a: unknown, b: unknown) => fn(a, b));
  }
  engine.addFact("hb_expr", async (params: Record<string, unknown>, almanac: Almanac) => {
    const roots: Record<string, unknown> = {
      event: await almanac.factValue("event"),
      events: await almanac.factValue("events"),
    };
    const expr = params.expr as IrExpr | undefined;
    if (expr === undefined) return undefined;
    return evalIrExpr(expr, (ref: IrRef) => {
      const root = roots[ref.fact];
      if (ref.path === "") return root;
      return typeof root === "object" && root !== null ? resolveSegments(root, parsedPath(ref.path)) : root;
    });
  });
  return engine;
}

export function createJreMatcher(rules: readonly MatchRule[]): JreMatcher {
  const engine = createJreEngine();
  const order = new Map<string, number>();
  rules.forEach((rule, i) => {
    const name = `r${i}`;
    order.set(name, i);
    engine.addRule({ name, conditions: rule.ir as TopLevelCondition, event: { type: name } });
  });
  return {
    async match(facts: MatchFacts): Promise<string[]> {
      const { results } = await engine.run({ event: factRoot(facts, "event"), events: factRoot(facts, "events") });
      const hits = results.map((r) => order.get(r.name) as number).sort((a, b) => a - b);
      return hits.map((i) => (rules[i] as MatchRule).id);
    },
  };
}
