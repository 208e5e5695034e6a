import type { EngineCommand } from "../core/command.js";
import type { ActionKind, ActionContext } from "./types.js";

function targetRuleset(ctx: ActionContext): string {
  return typeof ctx.args.ruleset === "string" && ctx.args.ruleset !== "" ? ctx.args.ruleset : ctx.intent.ruleset;
}

function objectArg(ctx: ActionContext, key: string): Record<string, unknown> | undefined {
  const v = ctx.args[key];
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** `post_event`: inserts an event into a ruleset (default: the current one). */
export const postEventAction: ActionKind = {
  name: "post_event",
  external: false,
  async run(ctx) {
    const event = objectArg(ctx, "event");
    if (!event) return { ok: false, code: "HB_ERR_ACTION_ARGS", message: "post_event 'event' must be a mapping" };
    const command: EngineCommand = { kind: "post_event", ruleset: targetRuleset(ctx), event, source: "post_event" };
    return { ok: true, commands: [command] };
  },
};

/** `set_fact`: asserts a fact into a ruleset (default: the current one). */
export const setFactAction: ActionKind = {
  name: "set_fact",
  external: false,
  async run(ctx) {
    const fact = objectArg(ctx, "fact");
    if (!fact) return { ok: false, code: "HB_ERR_ACTION_ARGS", message: "set_fact 'fact' must be a mapping" };
    return { ok: true, commands: [{ kind: "set_fact", ruleset: targetRuleset(ctx), fact, source: "set_fact" }] };
  },
};

/** `retract_fact`: removes facts containing `fact` (partial, default) or equal to it ignoring meta. */
export const retractFactAction: ActionKind = {
  name: "retract_fact",
  external: false,
  async run(ctx) {
    const fact = objectArg(ctx, "fact");
    if (!fact) return { ok: false, code: "HB_ERR_ACTION_ARGS", message: "retract_fact 'fact' must be a mapping" };
    const partial = ctx.args.partial !== false;
    return { ok: true, commands: [{ kind: "retract_fact", ruleset: targetRuleset(ctx), fact, partial, source: "retract_fact" }] };
  },
};

/** `shutdown`: ends the run (graceful waits up to `delay` seconds for running actions). */
export const shutdownAction: ActionKind = {
  name: "shutdown",
  external: false,
  async run(ctx) {
    const delay = typeof ctx.args.delay === "number" ? ctx.args.delay : 60;
    const message = typeof ctx.args.message === "string" ? ctx.args.message : "Default shutdown message";
    const mode = ctx.args.kind === "now" ? "now" : "graceful";
    return { ok: true, data: { delay, message, kind: mode }, commands: [{ kind: "shutdown", delay, message, mode }] };
  },
};
