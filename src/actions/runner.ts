import type { ActionAuditRecord } from "../core/audit.js";
import { nameUuid } from "../core/audit.js";
import type { KvBucket } from "../bus/port.js";
import { decodeJson, encodeJson } from "../bus/port.js";
import type { Clock } from "../core/clock.js";
import { ERROR_CATALOG, isHookbookError } from "../core/errors.js";
import type { ErrorCode } from "../core/errors.js";
import type { IdGen } from "../core/ids.js";
import type { LogSink } from "../core/log.js";
import { actionKey } from "../core/intent.js";
import type { EngineCommand } from "../core/command.js";
import type { ActionIntent, IntentAction, IntentEvent } from "../core/intent.js";
import type { OutcomeMessage } from "../core/outcome.js";
import { renderValue } from "../rulebook/template/render.js";
import type { ExecutionLanes } from "../core/lanes.js";
import type { ActionRegistry } from "./registry.js";
import { memoryStateStore } from "./memory-state.js";
import type { ActionKind, ActionOutput, ActionResult, ActionStateStore } from "./types.js";

export interface ActionRunnerOptions {
  readonly registry: ActionRegistry;
  /** User vars (ansible-rulebook --vars), visible to templates. */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly clock: Clock;
  readonly ids: IdGen;
  readonly output: ActionOutput;
  readonly logger: LogSink;
  readonly limits: { readonly commandTimeoutMs: number; readonly httpTimeoutMs: number };
  /** Record external actions instead of running them. */
  readonly dryRun: boolean;
  /** Effectively-once ledger (compare-and-set per action key). Absent in `hookbook run`. */
  readonly ledger?: KvBucket;
  /** Lifecycle outcomes; awaited, so a failing store fails the intent (and it is redelivered). */
  readonly emitOutcome?: (outcome: OutcomeMessage, msgId: string) => Promise<void>;
  /**
   * Engine commands of a finished action (post_event, set_fact, …), stored before the ledger
   * marks the action done so a crash in between re-runs the action rather than losing them.
   * Without it, runWithCommands() returns them to the caller.
   */
  readonly emitCommands?: (commands: readonly EngineCommand[], actionKey: string) => Promise<void>;
  readonly activationId?: string;
  /** Durable state for actions (ticket ids, budgets); default: in-memory. */
  readonly state?: ActionStateStore;
  /** Settings of external systems (config `integrations`, secrets resolved). */
  readonly integrations?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Lanes of the rulesets: actions with a `lock` argument hold it while they run (parallel rulesets). */
  readonly lanes?: ExecutionLanes;
}

interface LedgerEntry {
  readonly state: "running" | "done";
  readonly status?: ActionAuditRecord["status"];
  readonly at: number;
}

/** Runs the actions of one firing in order, once each, emitting outcomes and audit records. */
export class ActionRunner {
  private readonly state: ActionStateStore;

  constructor(private readonly opts: ActionRunnerOptions) {
    this.state = opts.state ?? memoryStateStore();
  }

  /** Run every action of the intent in order; returns the audit records of the actions that ran now. */
  async run(intent: ActionIntent, signal: AbortSignal = new AbortController().signal): Promise<ActionAuditRecord[]> {
    return (await this.runWithCommands(intent, signal)).records;
  }

  /** Like run(), also returning the engine commands of the actions (when no emitCommands is set). */
  async runWithCommands(intent: ActionIntent, signal: AbortSignal = new AbortController().signal): Promise<{ records: ActionAuditRecord[]; commands: EngineCommand[] }> {
    const records: ActionAuditRecord[] = [];
    const commands: EngineCommand[] = [];
    for (const action of intent.actions) {
      const done = await this.runOne(intent, action, signal);
      if (!done) continue;
      records.push(done.record);
      commands.push(...done.commands);
      if (done.commands.some((c) => c.kind === "shutdown")) break;
    }
    return { records, commands };
  }

  private async runOne(intent: ActionIntent, action: IntentAction, signal: AbortSignal): Promise<{ record: ActionAuditRecord; commands: EngineCommand[] } | undefined> {
    const { clock, ledger } = this.opts;
    const key = actionKey(intent, action.index);
    if (ledger) {
      const existing = await ledger.get(key);
      if (existing && decodeJson<LedgerEntry>(existing.value).state === "done") {
        this.opts.logger.info({ actionKey: key, ruleset: intent.ruleset, rule: intent.rule, action: action.name }, "action already ran; skipping duplicate");
        return undefined;
      }
      // Absent: claim it. Present but "running": an earlier attempt died mid-run; run again (at-least-once for that case).
      if (!existing) await ledger.create(key, encodeJson({ state: "running", at: clock.now() } satisfies LedgerEntry));
    }
    const startedAt = clock.now();
    const runAt = new Date(startedAt).toISOString();
    const base = {
      ruleset: intent.ruleset,
      rule: intent.rule,
      action: action.name,
      action_index: action.index,
      action_key: key,
      rulebook_version: intent.rulebookVersion,
      event_ids: intent.eventIds,
    };
    await this.emit("action.started", `${key}-started`, { ...base, started_at: runAt });

    let progressCount = 0;
    const progress = async (data: Readonly<Record<string, unknown>>): Promise<void> => {
      await this.emit("action.progress", `${key}-progress-${++progressCount}`, { ...base, progress: data, elapsed_ms: clock.now() - startedAt });
    };
    const result = await this.execute(intent, action, signal, progress);
    const elapsed = clock.now() - startedAt;
    const status: ActionAuditRecord["status"] = result.dryRun ? "dry_run" : result.ok ? "successful" : "failed";
    const terminal = result.ok ? "action.succeeded" : result.timedOut ? "action.timeout" : "action.failed";
    await this.emit(terminal, `${key}-end`, {
      ...base,
      status,
      elapsed_ms: elapsed,
      attempt: result.attempt ?? (typeof result.data?.attempts === "number" ? result.data.attempts : 1),
      ...(result.data ? { result: result.data } : {}),
      ...(result.ok ? {} : { error: { code: result.code ?? "HB_ERR_ACTION_FAILED", message: result.message ?? "action failed" } }),
    });
    const commands = result.ok ? [...(result.commands ?? [])] : [];
    if (commands.length > 0 && this.opts.emitCommands) {
      await this.opts.emitCommands(commands, key);
      commands.length = 0;
    }
    if (ledger) await ledger.put(key, encodeJson({ state: "done", status, at: clock.now() } satisfies LedgerEntry));
    if (!result.ok) this.opts.logger.warn({ actionKey: key, ruleset: intent.ruleset, rule: intent.rule, action: action.name, code: result.code }, result.message ?? "action failed");

    const record: ActionAuditRecord = {
      type: "Action",
      action: action.name,
      action_uuid: this.opts.ids.uuid(),
      activation_id: this.opts.activationId ?? "",
      activation_instance_id: this.opts.activationId ?? "",
      ruleset: intent.ruleset,
      ruleset_uuid: nameUuid(intent.rulebookVersion, intent.ruleset),
      rule: intent.rule,
      rule_uuid: nameUuid(intent.rulebookVersion, intent.ruleset, intent.rule),
      run_at: runAt,
      rule_run_at: intent.ruleRunAt,
      status,
      matching_events: applyVarRoot(intent.matchingEvents, action.args.var_root),
      ...(result.ok ? {} : { message: result.message ?? "action failed", reason: { code: result.code ?? "HB_ERR_ACTION_FAILED" } }),
      ...edaRecordFields(action.name, result.data),
      ...(action.name === "shutdown" && result.data ? result.data : {}),
    };
    return { record, commands };
  }

  private async execute(
    intent: ActionIntent,
    action: IntentAction,
    signal: AbortSignal,
    progress: (data: Readonly<Record<string, unknown>>) => Promise<void>,
  ): Promise<ActionResult & { dryRun?: boolean; attempt?: number }> {
    const kind = this.opts.registry.get(action.name);
    if (!kind) return { ok: false, code: "HB_ERR_RULEBOOK_UNKNOWN_ACTION", message: `action '${action.name}' is not supported` };
    const templateVars = this.templateVars(intent, action);
    let args: Record<string, unknown>;
    try {
      args = (renderValue(action.args ?? {}, templateVars) ?? {}) as Record<string, unknown>;
    } catch (err) {
      if (isHookbookError(err)) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
    if (kind.external && this.opts.dryRun) {
      this.opts.output.print(`[dry-run] ${intent.ruleset}::${intent.rule}::${action.name} ${JSON.stringify(args)}`);
      return { ok: true, dryRun: true, data: { dry_run: true, args } };
    }
    const attempts = kind.handlesRetries ? 1 : 1 + retriesOf(args);
    let result: ActionResult = { ok: false };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      result = await this.attempt(kind, intent, action, args, templateVars, signal, progress);
      if (result.ok || attempt === attempts || signal.aborted) return { ...result, attempt };
      const wait = retryDelayMs(result, args, attempt);
      if (wait === undefined) return { ...result, attempt };
      this.opts.logger.warn({ ruleset: intent.ruleset, rule: intent.rule, action: action.name, attempt, code: result.code, retryInMs: wait }, "action failed; retrying");
      await sleep(wait, signal);
    }
    return result;
  }

  private async attempt(
    kind: ActionKind,
    intent: ActionIntent,
    action: IntentAction,
    args: Record<string, unknown>,
    templateVars: Record<string, unknown>,
    signal: AbortSignal,
    progress: (data: Readonly<Record<string, unknown>>) => Promise<void>,
  ): Promise<ActionResult> {
    try {
      const run = () =>
        kind.run({
          intent,
          action,
          args,
          templateVars,
          signal,
          output: this.opts.output,
          limits: this.opts.limits,
          progress,
          state: this.state,
          integrations: this.opts.integrations ?? {},
          nowMs: () => this.opts.clock.now(),
        });
      const lock = typeof args.lock === "string" && args.lock !== "" ? args.lock : undefined;
      return await (this.opts.lanes ? this.opts.lanes.withLock(intent.ruleset, lock, run) : run());
    } catch (err) {
      const e = isHookbookError(err) ? err : undefined;
      return { ok: false, code: e?.code ?? "HB_ERR_ACTION_FAILED", message: err instanceof Error ? err.message : String(err) };
    }
  }

  private templateVars(intent: ActionIntent, action: IntentAction): Record<string, unknown> {
    const matching = applyVarRoot(intent.matchingEvents, action.args.var_root);
    const keys = Object.keys(matching);
    const bound = keys.length === 1 && keys[0] === "m" ? { event: matching.m } : { events: matching };
    return { ...this.opts.vars, ...bound };
  }

  private async emit(type: string, id: string, data: Record<string, unknown>): Promise<void> {
    if (!this.opts.emitOutcome) return;
    const outcome: OutcomeMessage = { id, type, timestamp: new Date(this.opts.clock.now()).toISOString(), data };
    await this.opts.emitOutcome(outcome, id);
  }
}

function lookup(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * ansible-rulebook `var_root` (reference §4.3): a string replaces the single matched event with
 * the value at that path (when present and truthy); a mapping `{path: newKey}` rewrites each
 * bound event of a multi match as `newKey` using the first listed path found in it.
 */
export function applyVarRoot(matching: Readonly<Record<string, IntentEvent>>, varRoot: unknown): Readonly<Record<string, IntentEvent>> {
  if (typeof varRoot === "string" && varRoot !== "") {
    const out: Record<string, IntentEvent> = {};
    for (const [k, ev] of Object.entries(matching)) {
      const v = lookup(ev, varRoot);
      out[k] = v && typeof v === "object" ? (v as IntentEvent) : ev;
    }
    return out;
  }
  if (varRoot && typeof varRoot === "object" && !Array.isArray(varRoot)) {
    const out: Record<string, IntentEvent> = {};
    for (const [k, ev] of Object.entries(matching)) {
      let placed = false;
      for (const [path, newKey] of Object.entries(varRoot as Record<string, unknown>)) {
        const v = lookup(ev, path);
        if (v !== undefined && typeof newKey === "string") {
          out[newKey] = v as IntentEvent;
          placed = true;
          break;
        }
      }
      if (!placed) out[k] = ev;
    }
    return out;
  }
  return matching;
}

const MAX_RETRY_DELAY_MS = 300_000;

/** `retries` (or ansible's `retry: true` = at least 1) from the rendered arguments. */
function retriesOf(args: Readonly<Record<string, unknown>>): number {
  const n = typeof args.retries === "number" && Number.isInteger(args.retries) && args.retries > 0 ? args.retries : 0;
  return args.retry === true ? Math.max(1, n) : n;
}

/**
 * How long to wait before the next attempt, or undefined when retrying cannot help: a permanent
 * error code stops at once; a rate limit waits what the remote asked; anything else backs off
 * from `delay` seconds (default 1), doubling each attempt, capped at 5 minutes.
 */
export function retryDelayMs(result: ActionResult, args: Readonly<Record<string, unknown>>, attempt: number): number | undefined {
  const entry = result.code && result.code in ERROR_CATALOG ? ERROR_CATALOG[result.code as ErrorCode] : undefined;
  if (entry?.retry === "permanent") return undefined;
  if (entry?.retry === "retry-after" && result.retryAfterMs !== undefined) return Math.min(result.retryAfterMs, MAX_RETRY_DELAY_MS);
  const base = typeof args.delay === "number" && args.delay >= 0 ? args.delay * 1000 : 1000;
  return Math.min(base * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

/**
 * The per-action fields ansible-rulebook puts in an Action record (reference §4.6): `rc` for
 * commands and playbooks, `playbook_name`, and the controller job fields.
 */
function edaRecordFields(action: string, data: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  if (!data) return {};
  const out: Record<string, unknown> = {};
  const rc = "rc" in data ? data.rc : "exit_code" in data ? data.exit_code : undefined;
  if (rc !== undefined) out.rc = rc;
  if (action === "run_playbook" && typeof data.playbook === "string") out.playbook_name = data.playbook;
  if (action === "run_job_template" || action === "run_workflow_template") {
    for (const k of ["job_id", "url", "job_template_name", "organization"]) if (data[k] !== undefined) out[k] = data[k];
    if (data.job_id !== undefined) out.controller_job_id = data.job_id;
  }
  return out;
}
