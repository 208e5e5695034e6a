import type { ActionKind } from "./types.js";

/** ansible-rulebook `debug`: no args prints the rule context; `msg` prints lines; `var` prints one variable. */
export const debugAction: ActionKind = {
  name: "debug",
  external: false,
  async run(ctx) {
    const { args, templateVars, intent } = ctx;
    if (args.msg !== undefined) {
      const lines = Array.isArray(args.msg) ? args.msg : [args.msg];
      for (const line of lines) ctx.output.print(typeof line === "string" ? line : JSON.stringify(line));
      return { ok: true };
    }
    if (typeof args.var === "string") {
      const path = args.var.replace(/^\{\{\s*|\s*\}\}$/g, "").trim();
      let cur: unknown = templateVars;
      for (const part of path.split(".")) {
        if (cur === null || typeof cur !== "object" || !Object.prototype.hasOwnProperty.call(cur, part)) {
          return { ok: false, code: "HB_ERR_TEMPLATE_UNDEFINED", message: `debug var '${path}' is not defined` };
        }
        cur = (cur as Record<string, unknown>)[part];
      }
      ctx.output.print(`${path}: ${JSON.stringify(cur)}`);
      return { ok: true };
    }
    const { event, events } = templateVars as { event?: unknown; events?: unknown };
    ctx.output.print(JSON.stringify({ ruleset: intent.ruleset, rule: intent.rule, hosts: intent.hosts, ...(event !== undefined ? { event } : { events }) }, null, 2));
    return { ok: true };
  },
};
