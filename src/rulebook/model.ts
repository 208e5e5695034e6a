/** The typed rulebook model produced by loadRulebook(). Everything the engine needs, nothing of YAML. */

export interface SourcePos {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

export interface Diagnostic extends SourcePos {
  readonly severity: "error" | "warning";
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export interface ConditionItem {
  readonly text: string;
  /** json-rules-engine condition JSON (the IR; see src/rulebook/condition/compile.ts). */
  readonly ir: Readonly<Record<string, unknown>>;
  /** `events.NAME << …` alias; otherwise the binding is m_<index>. */
  readonly alias?: string;
  readonly pos: SourcePos;
}

export interface RuleCondition {
  readonly kind: "all" | "any" | "not_all";
  /** `condition: true`: matches every event. */
  readonly always: boolean;
  readonly items: readonly ConditionItem[];
  readonly timeoutMs?: number;
}

export interface Throttle {
  readonly kind: "once_within" | "once_after" | "accumulate_within";
  readonly windowMs: number;
  readonly windowText: string;
  readonly threshold?: number;
  readonly groupBy: readonly string[];
}

export interface ActionSpec {
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly index: number;
  readonly pos: SourcePos;
}

export interface Rule {
  readonly name: string;
  readonly index: number;
  readonly enabled: boolean;
  readonly condition: RuleCondition;
  readonly actions: readonly ActionSpec[];
  readonly throttle?: Throttle;
  readonly pos: SourcePos;
}

export interface RulesetSource {
  /** Name used to route events: the ingest source `name`. Defaults to the plugin name. */
  readonly name: string;
  readonly plugin: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly filters: readonly { readonly name: string; readonly args: Readonly<Record<string, unknown>> }[];
  readonly pos: SourcePos;
}

export interface Ruleset {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly sources: readonly RulesetSource[];
  /** Enabled rules only, in file order. */
  readonly rules: readonly Rule[];
  readonly disabledRules: number;
  readonly defaultEventsTtlMs: number;
  readonly executionStrategy: "sequential" | "parallel";
  readonly matchMultipleRules: boolean;
  readonly gatherFacts: boolean;
  readonly precedence: "ansible" | "conventional";
  readonly pos: SourcePos;
}

export interface Rulebook {
  readonly file: string;
  /** sha256 of the file bytes (first 16 hex): part of every action idempotency key. */
  readonly version: string;
  readonly rulesets: readonly Ruleset[];
}

export const DEFAULT_EVENTS_TTL_MS = 2 * 3_600_000;
