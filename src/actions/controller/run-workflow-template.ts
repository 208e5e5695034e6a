import type { ActionKind } from "../types.js";
import { runTemplateAction } from "./template-action.js";

/** `run_workflow_template` (ansible-rulebook): launches an AWX / AAP workflow job template and waits for it. */
export const runWorkflowTemplateAction: ActionKind = {
  name: "run_workflow_template",
  external: true,
  // ansible-rulebook retry/retries/delay semantics are implemented inside the action.
  handlesRetries: true,
  run: (ctx) => runTemplateAction(ctx, "workflow_job_template", "run_workflow_template"),
};
