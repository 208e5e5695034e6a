import type { ActionKind } from "./types.js";

/** ansible-rulebook `print_event`: prints the matched event (or events); `pretty` indents. */
export const printEventAction: ActionKind = {
  name: "print_event",
  external: false,
  async run(ctx) {
    const { event, events } = ctx.templateVars as { event?: unknown; events?: unknown };
    const value = event !== undefined ? event : events;
    ctx.output.print(ctx.args.pretty === true ? JSON.stringify(value, null, 2) : JSON.stringify(value));
    return { ok: true };
  },
};

/** ansible-rulebook `none`: records a successful action and does nothing. */
export const noneAction: ActionKind = {
  name: "none",
  external: false,
  async run() {
    return { ok: true };
  },
};
