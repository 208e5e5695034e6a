import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ActionKind } from "../types.js";
import { runAnsibleAction } from "./ansible-action.js";
import { isPlainObject } from "./eda-vars.js";
import { markUnsafe } from "./unsafe.js";

/** A module name (`ping`, `ansible.builtin.debug`, `ns.coll.module`): nothing else may become a task key. */
const MODULE_NAME = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

/**
 * The one-task playbook ansible-rulebook generates for run_module: hosts = the limit (or all),
 * no fact gathering, the module's result registered and kept per host as `module_result` with
 * set_stats. Written as JSON with every argument string marked unsafe, so module arguments
 * carrying event data are never templated by ansible.
 */
export function modulePlaybook(module: string, moduleArgs: unknown, limit: string | undefined): unknown[] {
  return [
    {
      name: `hookbook run_module ${module}`,
      hosts: markUnsafe(limit ?? "all"),
      gather_facts: false,
      tasks: [
        { name: module, [module]: markUnsafe(moduleArgs ?? {}), register: "module_result" },
        { name: "hookbook module_result", "ansible.builtin.set_stats": { data: { module_result: "{{ module_result }}" }, per_host: true } },
      ],
    },
  ];
}

/** Per host `module_result` (set_stats per_host), hosts in name order. */
export function moduleArtifacts(custom: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const host of Object.keys(custom).sort()) {
    const entry = custom[host];
    if (host !== "_run" && isPlainObject(entry) && entry.module_result !== undefined) out.push(entry.module_result);
  }
  return out;
}

/** `run_module` (ansible-rulebook): runs one module through a generated playbook. */
export const runModuleAction: ActionKind = {
  name: "run_module",
  external: true,
  // ansible-rulebook retry/retries/delay semantics are implemented inside the action.
  handlesRetries: true,
  async run(ctx) {
    const module = typeof ctx.args.name === "string" ? ctx.args.name : "";
    const moduleArgs = ctx.args.module_args;
    return runAnsibleAction(ctx, {
      source: "run_module",
      data: { module },
      playbook: async (privateDir, limit) => {
        if (!MODULE_NAME.test(module)) return { error: `run_module 'name' is not a module name: ${JSON.stringify(module)}` };
        if (moduleArgs !== undefined && typeof moduleArgs !== "string" && !isPlainObject(moduleArgs)) return { error: "run_module 'module_args' must be a mapping or a string" };
        const file = join(privateDir, "module-playbook.json");
        await writeFile(file, JSON.stringify(modulePlaybook(module, moduleArgs, limit)), { mode: 0o600 });
        return file;
      },
      artifacts: moduleArtifacts,
    });
  },
};
