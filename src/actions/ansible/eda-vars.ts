import type { EngineCommand } from "../../core/command.js";
import type { ActionContext } from "../types.js";
import { isJsonObject as isPlainObject } from "../../core/json.js";
export { isJsonObject as isPlainObject } from "../../core/json.js";

/**
 * `ansible_eda` as ansible-rulebook passes it to playbooks and job templates (reference §4.4):
 * `{ruleset, rule, event}` for a single match, `{ruleset, rule, events}` for a multi match, with
 * var_root already applied (the runner's template vars).
 */
export function ansibleEdaVars(ctx: ActionContext): Record<string, unknown> {
  const vars = ctx.templateVars as { event?: unknown; events?: unknown };
  const base: Record<string, unknown> = { ruleset: ctx.intent.ruleset, rule: ctx.intent.rule };
  if (vars.event !== undefined) return { ...base, event: vars.event };
  if (vars.events !== undefined) return { ...base, events: vars.events };
  const matching = ctx.intent.matchingEvents;
  const keys = Object.keys(matching);
  return keys.length === 1 && keys[0] === "m" ? { ...base, event: matching.m } : { ...base, events: matching };
}

/** The ruleset that set_facts / post_events target: `ruleset` argument, else the firing's. */
export function artifactRuleset(ctx: ActionContext): string {
  return typeof ctx.args.ruleset === "string" && ctx.args.ruleset !== "" ? ctx.args.ruleset : ctx.intent.ruleset;
}

/**
 * `set_facts: true` / `post_events: true`: each non-empty artifact (set_stats data, job
 * artifacts) becomes a set_fact and/or post_event command for the engine, in that order.
 */
export function artifactCommands(ctx: ActionContext, artifacts: readonly unknown[], source: string): EngineCommand[] {
  const setFacts = ctx.args.set_facts === true;
  const postEvents = ctx.args.post_events === true;
  if (!setFacts && !postEvents) return [];
  const ruleset = artifactRuleset(ctx);
  const out: EngineCommand[] = [];
  for (const artifact of artifacts) {
    if (!isPlainObject(artifact) || Object.keys(artifact).length === 0) continue;
    if (setFacts) out.push({ kind: "set_fact", ruleset, fact: structuredClone(artifact), source });
    if (postEvents) out.push({ kind: "post_event", ruleset, event: structuredClone(artifact), source });
  }
  return out;
}

/**
 * Host limit of the firing as a comma-separated pattern, or undefined for "all" (no limit).
 * A host starting with "@" would make ansible read the limit from a file; it is refused.
 */
export function hostLimit(hosts: readonly string[]): { limit?: string; error?: string } {
  const list = hosts.filter((h) => typeof h === "string" && h !== "");
  if (list.length === 0 || (list.length === 1 && list[0] === "all")) return {};
  const bad = list.find((h) => h.startsWith("@"));
  if (bad !== undefined) return { error: `host '${bad}' is not a valid limit pattern (a leading '@' reads a file)` };
  return { limit: list.join(",") };
}
