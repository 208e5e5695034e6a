import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { ActionKind } from "../types.js";
import { runAnsibleAction } from "./ansible-action.js";
import { isPlainObject } from "./eda-vars.js";

/** `namespace.collection.playbook` (ansible-playbook runs collection playbooks by name). */
const FQCN = /^[A-Za-z_]\w*\.[A-Za-z_]\w*\.[A-Za-z_][\w.]*$/;

/** A playbook path (relative to the working directory) or a collection FQCN; error when neither. */
export function resolvePlaybook(name: string, cwd: string): string | { error: string } {
  if (name === "") return { error: "run_playbook 'name' is empty" };
  const path = isAbsolute(name) ? name : resolve(cwd, name);
  try {
    if (statSync(path).isFile()) return path;
  } catch {
    // not a file: maybe a collection playbook
  }
  if (FQCN.test(name) && !/\.ya?ml$/.test(name)) return name;
  return { error: `playbook not found: ${name}` };
}

/** set_stats data: the global (`_run`) data first, then each host's (per_host: true). */
export function playbookArtifacts(custom: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  if (isPlainObject(custom._run)) out.push(custom._run);
  for (const host of Object.keys(custom).sort()) if (host !== "_run") out.push(custom[host]);
  return out;
}

/**
 * `run_playbook` (ansible-rulebook): runs the playbook with the real ansible-playbook. The
 * playbook runs in place (`copy_files` is accepted and ignored: nothing needs copying).
 */
export const runPlaybookAction: ActionKind = {
  name: "run_playbook",
  external: true,
  // ansible-rulebook retry/retries/delay semantics are implemented inside the action.
  handlesRetries: true,
  async run(ctx) {
    const name = typeof ctx.args.name === "string" ? ctx.args.name : "";
    return runAnsibleAction(ctx, {
      source: "run_playbook",
      data: { playbook: name },
      playbook: async () => resolvePlaybook(name, process.cwd()),
      artifacts: playbookArtifacts,
    });
  },
};
