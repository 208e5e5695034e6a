import type { ShutdownRecord } from "../scenario.js";
import { diffLists } from "./diff.js";
import type { DiffOp } from "./diff.js";
import type { ActionStatus, ExpectedAction, RuleRef, RulebookTestCase } from "./model.js";
import { subsetMismatches } from "./subset-match.js";
import type { Mismatch } from "./subset-match.js";

/** One `Action` record of a test run, reduced to what expectations look at. */
export interface ActualAction {
  /** `ruleset::rule::action`. */
  readonly key: string;
  /** `ruleset::rule`. */
  readonly rule: string;
  readonly status: ActionStatus;
  readonly matchingEvents: Readonly<Record<string, unknown>>;
  /** Index in the test's input of the item being processed; undefined after the input ended (timers). */
  readonly inputIndex: number | undefined;
  /** Virtual time of the action relative to the test's start_time. */
  readonly offsetMs: number;
  /** Sequence number of the rule firing the action belongs to (the actions of one firing share it). */
  readonly firing: number;
  /** Why the action failed (status "failed"). */
  readonly message?: string;
}

/** What a test run produced. */
export interface TestRun {
  readonly actions: readonly ActualAction[];
  readonly shutdowns: readonly ShutdownRecord[];
  /** `ruleset::rule` of every rule that fired. */
  readonly firedRules: ReadonlySet<string>;
  /**
   * What debug / print_event / dry runs printed. The runner emits a firing's records after all its
   * actions ran, so `action` is the index in `actions` of the first record of the printing firing.
   */
  readonly output: readonly { readonly text: string; readonly action: number }[];
  readonly warnings: readonly string[];
  /** Set when the run itself threw. */
  readonly error?: string;
}

export type TestFailure =
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "actions"; readonly ops: readonly DiffOp[]; readonly expected: readonly ExpectedAction[]; readonly actual: readonly ActualAction[] }
  | { readonly kind: "action-detail"; readonly index: number; readonly expected: ExpectedAction; readonly actual: ActualAction; readonly mismatches: readonly Mismatch[] }
  | { readonly kind: "fired"; readonly rule: RuleRef }
  | { readonly kind: "not-fired"; readonly rule: RuleRef; readonly firings: readonly ActualAction[] }
  | { readonly kind: "shutdown"; readonly expected: boolean; readonly actual: readonly ShutdownRecord[] };

/** Mismatches of status and matching_events of one expected action against the actual one. */
export function actionMismatches(expected: ExpectedAction, actual: ActualAction): Mismatch[] {
  const out: Mismatch[] = [];
  if (expected.status !== undefined && expected.status !== actual.status) out.push({ path: "status", expected: expected.status, actual: actual.status, missing: false });
  if (expected.matchingEvents !== undefined) out.push(...subsetMismatches(expected.matchingEvents, actual.matchingEvents, "matching_events"));
  return out;
}

/** Every expectation of the test that the run does not meet; empty = the test passed. */
export function compareTest(test: RulebookTestCase, run: TestRun): TestFailure[] {
  if (run.error !== undefined) return [{ kind: "error", message: run.error }];
  const failures: TestFailure[] = [];
  if (test.expectActions) {
    const expected = test.expectActions;
    const ops = diffLists(expected.map((e) => e.key), run.actions.map((a) => a.key));
    if (ops.some((op) => op.kind !== "equal")) failures.push({ kind: "actions", ops, expected, actual: run.actions });
    for (const op of ops) {
      if (op.kind !== "equal") continue;
      const e = expected[op.a]!;
      const a = run.actions[op.b]!;
      const mismatches = actionMismatches(e, a);
      if (mismatches.length > 0) failures.push({ kind: "action-detail", index: op.a, expected: e, actual: a, mismatches });
    }
  }
  for (const rule of test.expectFired) {
    if (!run.firedRules.has(rule.key)) failures.push({ kind: "fired", rule });
  }
  for (const rule of test.expectNotFired) {
    if (run.firedRules.has(rule.key)) failures.push({ kind: "not-fired", rule, firings: run.actions.filter((a) => a.rule === rule.key) });
  }
  if (test.expectShutdown !== undefined && test.expectShutdown !== run.shutdowns.length > 0) {
    failures.push({ kind: "shutdown", expected: test.expectShutdown, actual: run.shutdowns });
  }
  return failures;
}
