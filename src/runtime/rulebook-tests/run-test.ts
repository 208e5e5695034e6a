import type { EventsLine } from "../../cli/events-file.js";
import { isHookbookError } from "../../core/errors.js";
import { sequentialIds } from "../../core/ids.js";
import type { EvaluatorKind } from "../../engine/matcher.js";
import type { Rulebook } from "../../rulebook/model.js";
import { runScenario } from "../scenario.js";
import type { ScenarioRecord, ShutdownRecord } from "../scenario.js";
import type { ActualAction, TestRun } from "./compare.js";
import type { RulebookTestCase } from "./model.js";

export interface RunTestOptions {
  readonly rulebooks: readonly Rulebook[];
  readonly vars: Readonly<Record<string, unknown>>;
  readonly dryRun: boolean;
  readonly evaluator: EvaluatorKind;
  readonly limits?: { readonly commandTimeoutMs: number; readonly httpTimeoutMs: number };
}

/**
 * Run one test in a fresh engine (fresh state, sequential ids, the test's start time) and record
 * which input item each action came from.
 */
export async function runTestCase(test: RulebookTestCase, opts: RunTestOptions): Promise<TestRun> {
  const actions: ActualAction[] = [];
  const shutdowns: ShutdownRecord[] = [];
  const output: { text: string; action: number }[] = [];
  const warnings: string[] = [];
  let current: number | undefined;
  let firing = -1;
  let lastFiring = "";
  function* lines(): Generator<EventsLine> {
    for (const [i, item] of test.input.entries()) {
      current = i;
      yield item.line;
    }
    // runScenario asked for the next line: the input is over; what runs now are pending timers.
    current = undefined;
  }
  const onRecord = (r: ScenarioRecord): void => {
    if (r.type === "Shutdown") {
      shutdowns.push(r);
      return;
    }
    const firingKey = JSON.stringify([r.ruleset, r.rule, r.rule_run_at, Object.values(r.matching_events).map((e) => (e as { meta?: { uuid?: unknown } }).meta?.uuid)]);
    if (firingKey !== lastFiring) firing++;
    lastFiring = firingKey;
    actions.push({
      firing,
      key: `${r.ruleset}::${r.rule}::${r.action}`,
      rule: `${r.ruleset}::${r.rule}`,
      status: r.status,
      matchingEvents: r.matching_events,
      inputIndex: current,
      offsetMs: Date.parse(r.run_at) - test.startMs,
      ...(r.status === "failed" ? { message: failureMessage(r.message, r.reason) } : {}),
    });
  };
  try {
    const result = await runScenario({
      rulebooks: opts.rulebooks,
      vars: opts.vars,
      lines: lines(),
      dryRun: opts.dryRun,
      evaluator: opts.evaluator,
      // An action prints before its record is emitted: it belongs to the next record.
      output: { print: (text) => void output.push({ text, action: actions.length }) },
      onRecord,
      ids: sequentialIds(),
      startMs: test.startMs,
      ...(opts.limits ? { limits: opts.limits } : {}),
      warn: (message) => void warnings.push(message.trim()),
    });
    const firedRules = new Set(result.firedRules);
    for (const a of actions) firedRules.add(a.rule);
    return { actions, shutdowns, firedRules, output, warnings };
  } catch (err) {
    const message = isHookbookError(err) ? `${err.code} ${err.message}` : err instanceof Error ? (err.stack ?? err.message) : String(err);
    return { actions, shutdowns, firedRules: new Set(actions.map((a) => a.rule)), output, warnings, error: message };
  }
}

function failureMessage(message: unknown, reason: unknown): string {
  const code = reason && typeof reason === "object" && "code" in reason ? String((reason as { code: unknown }).code) : undefined;
  const text = typeof message === "string" ? message : "action failed";
  return code ? `${code} ${text}` : text;
}
