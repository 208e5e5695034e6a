import type { EngineCommand } from "../core/command.js";
import type { ActionIntent, IntentAction } from "../core/intent.js";

/** Where debug/print_event write (stderr in `hookbook run`, the log in `serve`). */
export interface ActionOutput {
  print(text: string): void;
}

export interface ActionContext {
  readonly intent: ActionIntent;
  readonly action: IntentAction;
  /** Arguments after template rendering. */
  readonly args: Readonly<Record<string, unknown>>;
  /** What templates saw: user vars plus `event` (single match) or `events` (multi match). */
  readonly templateVars: Readonly<Record<string, unknown>>;
  readonly signal: AbortSignal;
  readonly output: ActionOutput;
  readonly limits: { readonly commandTimeoutMs: number; readonly httpTimeoutMs: number };
}

export interface ActionResult {
  readonly ok: boolean;
  readonly timedOut?: boolean;
  /** Error code from the catalog when !ok. */
  readonly code?: string;
  readonly message?: string;
  /** Result data for the outcome and the audit record (rc, stdout, status, …). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** State changes for the engine to apply (post_event, set_fact, retract_fact, shutdown). */
  readonly commands?: readonly EngineCommand[];
}

export interface ActionKind {
  readonly name: string;
  /** True when the action has effects outside hookbook (skipped by --dry-run). */
  readonly external: boolean;
  run(ctx: ActionContext): Promise<ActionResult>;
}
