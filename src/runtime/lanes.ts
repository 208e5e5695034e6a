import { ExecutionLanes } from "../core/lanes.js";
import type { Rulebook } from "../rulebook/model.js";

/** Lanes keyed by ruleset name, with each ruleset's execution_strategy. */
export function lanesFor(rulebooks: readonly Rulebook[], maxConcurrent = 25): ExecutionLanes {
  const strategies = new Map(rulebooks.flatMap((rb) => rb.rulesets.map((rs) => [rs.name, rs.executionStrategy] as const)));
  return new ExecutionLanes((name) => strategies.get(name) ?? "sequential", maxConcurrent);
}
