import { debugAction } from "./debug.js";
import { postEventAction, retractFactAction, setFactAction, shutdownAction } from "./internal.js";
import { noneAction, printEventAction } from "./print-event.js";
import { httpAction, postAction } from "./post.js";
import { runCommandAction } from "./run-command.js";
import { openTicketAction } from "./tickets/open-ticket.js";
import { resolveTicketAction } from "./tickets/resolve-ticket.js";
import { notifyAction } from "./notify/notify.js";
import { provisionGpusAction } from "./provision/provision-gpus.js";
import { drainNodeAction } from "./provision/drain-node.js";
import { runPlaybookAction } from "./ansible/run-playbook.js";
import { runModuleAction } from "./ansible/run-module.js";
import { runJobTemplateAction } from "./controller/run-job-template.js";
import { runWorkflowTemplateAction } from "./controller/run-workflow-template.js";
import type { ActionKind } from "./types.js";

export type ActionRegistry = ReadonlyMap<string, ActionKind>;

/** Every action kind this build runs, one per line (add new kinds on their own line). */
const KINDS: readonly ActionKind[] = [
  debugAction,
  printEventAction,
  noneAction,
  runCommandAction,
  postAction,
  httpAction,
  postEventAction,
  setFactAction,
  retractFactAction,
  shutdownAction,
  openTicketAction,
  resolveTicketAction,
  notifyAction,
  provisionGpusAction,
  drainNodeAction,
  runPlaybookAction,
  runModuleAction,
  runJobTemplateAction,
  runWorkflowTemplateAction,
];

export function defaultActionRegistry(): ActionRegistry {
  return new Map(KINDS.map((k) => [k.name, k]));
}
