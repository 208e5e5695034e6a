import type { ActionKind } from "../types.js";
import { runTemplateAction } from "./template-action.js";

/** `run_job_template` (ansible-rulebook): launches an AWX / AAP job template and waits for the job. */
export const runJobTemplateAction: ActionKind = {
  name: "run_job_template",
  external: true,
  // ansible-rulebook retry/retries/delay semantics are implemented inside the action.
  handlesRetries: true,
  run: (ctx) => runTemplateAction(ctx, "job_template", "run_job_template"),
};
