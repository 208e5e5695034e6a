import type { EngineCommand } from "../core/command.js";
import type { ActionIntent, IntentAction } from "../core/intent.js";

/** Where debug/print_event write (stderr in `hookbook run`, the log in `serve`). */
export interface ActionOutput {
  print(text: string): void;
}

/** Small JSON state an action keeps across runs (ticket ids per dedup key, budget windows). */
export interface ActionStateStore {
  get<T = unknown>(key: string): Promise<{ value: T; revision: number } | undefined>;
  /** Store only if absent; false when the key exists. */
  create(key: string, value: unknown): Promise<boolean>;
  /** Store only if the revision is still `revision`; false otherwise. */
  update(key: string, value: unknown, revision: number): Promise<boolean>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
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
  /** Emit an `action.progress` outcome (playbook task done, provisioning phase …). */
  readonly progress: (data: Readonly<Record<string, unknown>>) => Promise<void>;
  /** Durable state (JetStream KV in serve, memory in run/test). */
  readonly state: ActionStateStore;
  /** Settings of external systems from config `integrations` (secrets resolved), e.g. integrations.jira.url. */
  readonly integrations: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Time source (virtual in run/test). */
  readonly nowMs: () => number;
}

export interface ActionResult {
  readonly ok: boolean;
  readonly timedOut?: boolean;
  /** Error code from the catalog when !ok. */
  readonly code?: string;
  readonly message?: string;
  /** Result data for the outcome and the audit record (rc, stdout, status, …). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** For a rate-limited failure: how long the remote asked us to wait. */
  readonly retryAfterMs?: number;
  /** State changes for the engine to apply (post_event, set_fact, retract_fact, shutdown). */
  readonly commands?: readonly EngineCommand[];
}

export interface ActionKind {
  readonly name: string;
  /** True when the action has effects outside hookbook (skipped by --dry-run). */
  readonly external: boolean;
  /** The kind retries by itself (run_playbook's ansible-rulebook semantics); the runner must not. */
  readonly handlesRetries?: boolean;
  run(ctx: ActionContext): Promise<ActionResult>;
}
