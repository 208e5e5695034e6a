import { join } from "node:path";
import { execa } from "execa";
import { EVENTS_FILE_ENV, JSON_CALLBACK_NAME } from "./callback-plugin.js";
import { isPlainObject } from "./eda-vars.js";
import { JsonLinesTail } from "./events-tail.js";
import { groupStopper, TailBuffer } from "./process-group.js";
import type { AnsibleSettings } from "./settings.js";

/** One ansible-playbook invocation, fully prepared (files already in the private dir). */
export interface AttemptSpec {
  readonly settings: AnsibleSettings;
  readonly privateDir: string;
  readonly pluginDir: string;
  /** Inventory sources (the configured ones or the generated localhost inventory). */
  readonly inventory: readonly string[];
  readonly extraVarsFile: string;
  /** Absolute path (or collection FQCN) of the playbook. */
  readonly playbook: string;
  readonly limit?: string;
  readonly verbosity: number;
  readonly jsonMode: boolean;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly attempt: number;
  /** Called for each finished task and host, in order, while the playbook runs. */
  readonly onTask: (task: { task: string; host: string; status: string; action?: string }) => Promise<void>;
}

export interface AttemptOutcome {
  readonly rc: number | null;
  readonly timedOut: boolean;
  readonly canceled: boolean;
  /** The program could not be started (not on PATH). */
  readonly notFound: boolean;
  readonly startError?: string;
  /** Recap per host (ok, changed, failures, unreachable, skipped, rescued, ignored). */
  readonly stats: Record<string, unknown>;
  /** set_stats data: `_run` (global) and per-host entries. */
  readonly custom: Record<string, unknown>;
  readonly stdout: string;
  readonly stderr: string;
  readonly argv: readonly string[];
}

const TAIL_POLL_MS = 100;
/** Bytes of stdout / stderr kept (the end: recap and failures); the result keeps less. */
const OUTPUT_KEEP = 256 * 1024;

/** Command-line arguments: options as `--name=value` so no value can be read as an option. */
export function ansibleArgv(spec: Pick<AttemptSpec, "inventory" | "extraVarsFile" | "limit" | "verbosity" | "playbook">): string[] {
  const argv = spec.inventory.map((i) => `--inventory=${i}`);
  argv.push(`--extra-vars=@${spec.extraVarsFile}`);
  if (spec.limit !== undefined) argv.push(`--limit=${spec.limit}`);
  const v = Math.min(Math.max(Math.floor(spec.verbosity), 0), 6);
  if (v > 0) argv.push(`-${"v".repeat(v)}`);
  argv.push(spec.playbook);
  return argv;
}

/** ansible's default callback plugin path, kept after ours (setting the variable replaces it). */
const DEFAULT_CALLBACK_PATH = "~/.ansible/plugins/callback:/usr/share/ansible/plugins/callback";

/**
 * Environment added to the inherited one: quiet output, our callback plugin first on the
 * callback path (it needs no enabling, so callbacks enabled in ansible.cfg stay as they are),
 * a private temp dir. `integrations.ansible.env` may set any of them except the events file.
 */
export function ansibleEnv(spec: Pick<AttemptSpec, "settings" | "privateDir" | "pluginDir" | "jsonMode">, eventsFile: string): Record<string, string> {
  const user = spec.settings.env;
  return {
    ANSIBLE_NOCOWS: "1",
    ANSIBLE_NOCOLOR: "1",
    ANSIBLE_FORCE_COLOR: "0",
    ANSIBLE_RETRY_FILES_ENABLED: "0",
    ANSIBLE_LOCAL_TEMP: join(spec.privateDir, "tmp"),
    ...user,
    ANSIBLE_CALLBACK_PLUGINS: `${spec.pluginDir}:${user.ANSIBLE_CALLBACK_PLUGINS || DEFAULT_CALLBACK_PATH}`,
    [EVENTS_FILE_ENV]: eventsFile,
    ...(spec.jsonMode ? { ANSIBLE_STDOUT_CALLBACK: JSON_CALLBACK_NAME } : {}),
  };
}

/** Runs ansible-playbook once (argv only, never a shell), reporting tasks as they finish. */
export async function runAttempt(spec: AttemptSpec): Promise<AttemptOutcome> {
  const eventsFile = join(spec.privateDir, `events-${spec.attempt}.jsonl`);
  const argv = ansibleArgv(spec);
  let stats: Record<string, unknown> = {};
  let custom: Record<string, unknown> = {};
  const tail = new JsonLinesTail(eventsFile, async (line) => {
    if (!isPlainObject(line)) return;
    if (line.type === "task") {
      await spec.onTask({
        task: String(line.task ?? ""),
        host: String(line.host ?? ""),
        status: String(line.status ?? ""),
        ...(typeof line.action === "string" ? { action: line.action } : {}),
      });
    } else if (line.type === "stats") {
      if (isPlainObject(line.stats)) stats = line.stats;
      if (isPlainObject(line.custom)) custom = line.custom;
    }
  });
  // Own process group: on timeout or cancel the whole group (ansible's forked workers and the
  // modules they run) is signalled, not only ansible-playbook, whose workers would keep running.
  const child = execa(spec.settings.program, argv, {
    shell: false,
    reject: false,
    stdin: "ignore",
    detached: true,
    env: ansibleEnv(spec, eventsFile),
    // Not buffered by execa (its maxBuffer would kill a chatty -vvvv run): we keep the tail.
    buffer: false,
  });
  const stdout = new TailBuffer(OUTPUT_KEEP);
  const stderr = new TailBuffer(OUTPUT_KEEP);
  child.stdout?.on("data", (c: Buffer) => stdout.push(c));
  child.stderr?.on("data", (c: Buffer) => stderr.push(c));
  const stopper = groupStopper(child.pid);
  const timeout = setTimeout(() => stopper.stop("timeout"), spec.timeoutMs);
  const onAbort = (): void => stopper.stop("cancel");
  if (spec.signal.aborted) onAbort();
  else spec.signal.addEventListener("abort", onAbort, { once: true });
  const timer = setInterval(() => void tail.poll().catch(() => undefined), TAIL_POLL_MS);
  let result;
  try {
    result = await child;
  } finally {
    clearInterval(timer);
    clearTimeout(timeout);
    spec.signal.removeEventListener("abort", onAbort);
    stopper.done();
  }
  await tail.poll();
  const notFound = result.failed && result.exitCode === undefined && (result.cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
  return {
    rc: result.exitCode ?? null,
    timedOut: stopper.reason === "timeout",
    canceled: stopper.reason === "cancel",
    notFound,
    ...(result.failed && result.exitCode === undefined && stopper.reason === undefined && !notFound ? { startError: result.shortMessage } : {}),
    stats,
    custom,
    stdout: stdout.text(),
    stderr: stderr.text(),
    argv,
  };
}
