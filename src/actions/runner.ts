import type { ActionAuditRecord } from "../core/audit.js";
import { nameUuid } from "../core/audit.js";
import type { KvBucket } from "../bus/port.js";
import { decodeJson, encodeJson } from "../bus/port.js";
import type { Clock } from "../core/clock.js";
import { isHookbookError } from "../core/errors.js";
import type { IdGen } from "../core/ids.js";
import { actionKey } from "../core/intent.js";
import type { ActionIntent, IntentAction } from "../core/intent.js";
import type { OutcomeMessage } from "../core/outcome.js";
import { renderValue } from "../rulebook/template/render.js";
import type { ActionRegistry } from "./registry.js";
import type { ActionOutput, ActionResult } from "./types.js";

export interface RunnerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ActionRunnerOptions {
  readonly registry: ActionRegistry;
  /** User vars (ansible-rulebook --vars), visible to templates. */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly clock: Clock;
  readonly ids: IdGen;
  readonly output: ActionOutput;
  readonly logger: RunnerLogger;
  readonly limits: { readonly commandTimeoutMs: number; readonly httpTimeoutMs: number };
  /** Record external actions instead of running them. */
  readonly dryRun: boolean;
  /** Effectively-once ledger (compare-and-set per action key). Absent in `hookbook run`. */
  readonly ledger?: KvBucket;
  /** Lifecycle outcomes; awaited, so a failing store fails the intent (and it is redelivered). */
  readonly emitOutcome?: (outcome: OutcomeMessage, msgId: string) => Promise<void>;
  readonly activationId?: string;
}

interface LedgerEntry {
  readonly state: "running" | "done";
  readonly status?: ActionAuditRecord["status"];
  readonly at: number;
}

/** Runs the actions of one firing in order, once each, emitting outcomes and audit records. */
export class ActionRunner {
  constructor(private readonly opts: ActionRunnerOptions) {}

  /** Run every action of the intent in order; returns the audit records of the actions that ran now. */
  async run(intent: ActionIntent, signal: AbortSignal = new AbortController().signal): Promise<ActionAuditRecord[]> {
    const records: ActionAuditRecord[] = [];
    for (const action of intent.actions) {
      const record = await this.runOne(intent, action, signal);
      if (record) records.push(record);
    }
    return records;
  }

  private async runOne(intent: ActionIntent, action: IntentAction, signal: AbortSignal): Promise<ActionAuditRecord | undefined> {
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

    const result = await this.execute(intent, action, signal);
    const elapsed = clock.now() - startedAt;
    const status: ActionAuditRecord["status"] = result.dryRun ? "dry_run" : result.ok ? "successful" : "failed";
    const terminal = result.ok ? "action.succeeded" : result.timedOut ? "action.timeout" : "action.failed";
    await this.emit(terminal, `${key}-end`, {
      ...base,
      status,
      elapsed_ms: elapsed,
      attempt: 1,
      ...(result.data ? { result: result.data } : {}),
      ...(result.ok ? {} : { error: { code: result.code ?? "HB_ERR_ACTION_FAILED", message: result.message ?? "action failed" } }),
    });
    if (ledger) await ledger.put(key, encodeJson({ state: "done", status, at: clock.now() } satisfies LedgerEntry));
    if (!result.ok) this.opts.logger.warn({ actionKey: key, ruleset: intent.ruleset, rule: intent.rule, action: action.name, code: result.code }, result.message ?? "action failed");

    return {
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
      matching_events: intent.matchingEvents,
      ...(result.ok ? {} : { message: result.message ?? "action failed", reason: { code: result.code ?? "HB_ERR_ACTION_FAILED" } }),
      ...(result.data && "exit_code" in result.data ? { rc: result.data.exit_code } : {}),
    };
  }

  private async execute(intent: ActionIntent, action: IntentAction, signal: AbortSignal): Promise<ActionResult & { dryRun?: boolean }> {
    const kind = this.opts.registry.get(action.name);
    if (!kind) return { ok: false, code: "HB_ERR_RULEBOOK_UNKNOWN_ACTION", message: `action '${action.name}' is not supported` };
    const templateVars = this.templateVars(intent);
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
    try {
      return await kind.run({ intent, action, args, templateVars, signal, output: this.opts.output, limits: this.opts.limits });
    } catch (err) {
      const e = isHookbookError(err) ? err : undefined;
      return { ok: false, code: e?.code ?? "HB_ERR_ACTION_FAILED", message: err instanceof Error ? err.message : String(err) };
    }
  }

  private templateVars(intent: ActionIntent): Record<string, unknown> {
    const keys = Object.keys(intent.matchingEvents);
    const bound = keys.length === 1 && keys[0] === "m" ? { event: intent.matchingEvents.m } : { events: intent.matchingEvents };
    return { ...this.opts.vars, ...bound };
  }

  private async emit(type: string, id: string, data: Record<string, unknown>): Promise<void> {
    if (!this.opts.emitOutcome) return;
    const outcome: OutcomeMessage = { id, type, timestamp: new Date(this.opts.clock.now()).toISOString(), data };
    await this.opts.emitOutcome(outcome, id);
  }
}
