import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ActionContext, ActionResult } from "../types.js";
import { writeCallbackPlugin } from "./callback-plugin.js";
import { ansibleEdaVars, artifactCommands, hostLimit, isPlainObject } from "./eda-vars.js";
import { attemptPolicy, pause } from "./retry-policy.js";
import type { AttemptOutcome } from "./run-attempt.js";
import { runAttempt } from "./run-attempt.js";
import { ansibleSettings } from "./settings.js";
import { markUnsafe } from "./unsafe.js";

const MAX_OUTPUT = 65_536;

/** What run_playbook / run_module contribute to the shared flow. */
export interface AnsibleActionSpec {
  readonly source: "run_playbook" | "run_module";
  /** Playbook to run: an existing path or FQCN, or one generated into the private dir. */
  readonly playbook: (privateDir: string, limit: string | undefined) => Promise<string | { error: string }>;
  /** Artifacts for set_facts / post_events from the custom stats of the successful run. */
  readonly artifacts: (custom: Record<string, unknown>) => unknown[];
  /** Extra result data (playbook or module name). */
  readonly data: Readonly<Record<string, unknown>>;
}

/** Keep the last `max` bytes of a text (the recap and the failure are at the end). */
export function tailText(text: string, max = MAX_OUTPUT): string {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= max) return text;
  return `…[truncated ${buf.length - max} bytes]${buf.subarray(buf.length - max).toString("utf8")}`;
}

/** extra_vars of the run: the user's `extra_vars` plus `ansible_eda` (reference §4.4). */
export function playbookExtraVars(ctx: ActionContext): Record<string, unknown> {
  const user = isPlainObject(ctx.args.extra_vars) ? ctx.args.extra_vars : {};
  return { ...user, ansible_eda: ansibleEdaVars(ctx) };
}

function localhostInventory(): unknown {
  return { all: { hosts: { localhost: { ansible_connection: "local", ansible_python_interpreter: "{{ ansible_playbook_python }}" } } } };
}

/**
 * The shared flow of run_playbook and run_module: private temp dir, extra vars file (every
 * string marked unsafe), inventory, limit, attempts with delay, progress per task, result data
 * `{rc, status, stats, …}` and set_fact / post_event commands from set_stats.
 */
export async function runAnsibleAction(ctx: ActionContext, spec: AnsibleActionSpec): Promise<ActionResult> {
  const cwd = process.cwd();
  const settings = ansibleSettings(ctx.integrations, cwd);
  const missing = settings.inventory.find((p) => !existsSync(p));
  if (missing !== undefined) return { ok: false, code: "HB_ERR_CONFIG_INVALID", message: `integrations.ansible.inventory: ${missing} does not exist` };
  const { limit, error: limitError } = hostLimit(ctx.intent.hosts);
  if (limitError !== undefined) return { ok: false, code: "HB_ERR_ACTION_ARGS", message: limitError };
  const policy = attemptPolicy(ctx.args);
  const verbosity = typeof ctx.args.verbosity === "number" ? ctx.args.verbosity : 0;
  const jsonMode = ctx.args.json_mode === true;

  const privateDir = await mkdtemp(join(tmpdir(), "hookbook-ansible-"));
  try {
    await mkdir(join(privateDir, "tmp"), { mode: 0o700 });
    const pluginDir = await writeCallbackPlugin(privateDir);
    const extraVarsFile = join(privateDir, "extravars.json");
    await writeFile(extraVarsFile, JSON.stringify(markUnsafe(playbookExtraVars(ctx))), { mode: 0o600 });
    let inventory = settings.inventory;
    if (inventory.length === 0) {
      const file = join(privateDir, "inventory.json");
      await writeFile(file, JSON.stringify(localhostInventory()), { mode: 0o600 });
      inventory = [file];
    }
    const playbook = await spec.playbook(privateDir, limit);
    if (typeof playbook !== "string") return { ok: false, code: "HB_ERR_ACTION_ARGS", message: playbook.error, data: { ...spec.data } };

    const started = ctx.nowMs();
    let outcome: AttemptOutcome | undefined;
    let attempt = 0;
    while (attempt < policy.attempts) {
      if (attempt > 0 && !(await pause(policy.delayMs, ctx.signal))) break;
      attempt += 1;
      const current = attempt;
      outcome = await runAttempt({
        settings,
        privateDir,
        pluginDir,
        inventory,
        extraVarsFile,
        playbook,
        ...(limit !== undefined ? { limit } : {}),
        verbosity,
        jsonMode,
        timeoutMs: ctx.limits.commandTimeoutMs,
        signal: ctx.signal,
        attempt: current,
        onTask: (t) => ctx.progress({ ...t, attempt: current }),
      });
      if (outcome.rc === 0 || outcome.notFound || outcome.timedOut || outcome.canceled || outcome.startError !== undefined) break;
    }
    if (!outcome) return { ok: false, code: "HB_ERR_ACTION_FAILED", message: `${spec.source} canceled before it started`, data: { ...spec.data } };

    const status = outcome.rc === 0 ? "successful" : "failed";
    const data = {
      ...spec.data,
      rc: outcome.rc,
      // Same value under run_command's name, so the Action audit record carries `rc`.
      exit_code: outcome.rc,
      status,
      stats: outcome.stats,
      attempts: attempt,
      ...(limit !== undefined ? { limit } : {}),
      stdout: tailText(outcome.stdout),
      stderr: tailText(outcome.stderr),
      duration_ms: ctx.nowMs() - started,
    };
    if (outcome.notFound) return { ok: false, code: "HB_ERR_COMMAND_NOT_FOUND", message: `command not found: ${settings.program}`, data };
    if (outcome.timedOut) return { ok: false, timedOut: true, code: "HB_ERR_ACTION_TIMEOUT", message: `${spec.source} timed out after ${ctx.limits.commandTimeoutMs} ms`, data };
    if (outcome.canceled) return { ok: false, code: "HB_ERR_ACTION_FAILED", message: `${spec.source} canceled`, data };
    if (outcome.startError !== undefined) return { ok: false, code: "HB_ERR_ACTION_FAILED", message: outcome.startError, data };
    if (outcome.rc !== 0) return { ok: false, code: "HB_ERR_ACTION_FAILED", message: `ansible-playbook exited with code ${outcome.rc} after ${attempt} attempt(s)`, data };
    const commands = artifactCommands(ctx, spec.artifacts(outcome.custom), spec.source);
    return { ok: true, data, ...(commands.length > 0 ? { commands } : {}) };
  } finally {
    if (!settings.keepPrivateDir) await rm(privateDir, { recursive: true, force: true });
  }
}
