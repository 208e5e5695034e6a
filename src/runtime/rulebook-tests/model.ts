import type { EventsLine } from "../../cli/events-file.js";
import type { SourcePos } from "../../rulebook/model.js";

/** Status of an ansible-rulebook `Action` audit record. */
export type ActionStatus = "successful" | "failed" | "dry_run";

export const ACTION_STATUSES: readonly ActionStatus[] = ["successful", "failed", "dry_run"];

/** Virtual clock start when a test file gives none: fixed, so output is reproducible. */
export const DEFAULT_START_TIME = "2026-01-01T00:00:00Z";

/** One item of `input` / `input_file`: an event or a `$advance`, with where it was written. */
export interface TestInputItem {
  readonly line: EventsLine;
  readonly pos: SourcePos;
  /** Short label for reports: `line 12` (inline) or `events.jsonl:3` (input_file). */
  readonly label: string;
}

/** One entry of `expect_actions`. */
export interface ExpectedAction {
  /** `ruleset::rule::action`. */
  readonly key: string;
  readonly status?: ActionStatus;
  /** Subset match against the record's matching_events (every key given must match). */
  readonly matchingEvents?: Readonly<Record<string, unknown>>;
  readonly pos: SourcePos;
}

/** A `ruleset::rule` reference (expect_fired, expect_not_fired). */
export interface RuleRef {
  readonly key: string;
  readonly pos: SourcePos;
}

export interface RulebookTestCase {
  readonly name: string;
  readonly pos: SourcePos;
  readonly input: readonly TestInputItem[];
  /** Virtual clock start, ms since epoch. */
  readonly startMs: number;
  /** Undefined when the test does not pin the action list. */
  readonly expectActions?: readonly ExpectedAction[];
  readonly expectFired: readonly RuleRef[];
  readonly expectNotFired: readonly RuleRef[];
  readonly expectShutdown?: boolean;
}

export interface RulebookRef {
  /** Path as used to load it (joined onto the test file's directory). */
  readonly path: string;
  readonly pos: SourcePos;
}

/** A parsed and validated `*.test.yml` file. */
export interface RulebookTestFile {
  readonly file: string;
  readonly rulebooks: readonly RulebookRef[];
  readonly vars: Readonly<Record<string, unknown>>;
  readonly dryRun: boolean;
  readonly tests: readonly RulebookTestCase[];
}
