import { ActionRunner } from "../../src/actions/runner.js";
import type { ActionRunnerOptions } from "../../src/actions/runner.js";
import { defaultActionRegistry } from "../../src/actions/registry.js";
import { systemClock } from "../../src/core/clock.js";
import { sequentialIds } from "../../src/core/ids.js";
import type { OutcomeMessage } from "../../src/core/outcome.js";

export interface TestRunner {
  readonly runner: ActionRunner;
  /** Every outcome the runner emitted, in order. */
  readonly outcomes: OutcomeMessage[];
  /** What debug / print_event printed. */
  readonly printed: string[];
}

/** An ActionRunner with the real registry, quiet logs and collected outcomes; `extra` overrides. */
export function testRunner(extra: Partial<ActionRunnerOptions> = {}): TestRunner {
  const outcomes: OutcomeMessage[] = [];
  const printed: string[] = [];
  const runner = new ActionRunner({
    registry: defaultActionRegistry(),
    vars: {},
    clock: systemClock,
    ids: sequentialIds(),
    output: { print: (t) => void printed.push(t) },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    limits: { commandTimeoutMs: 60_000, httpTimeoutMs: 5_000 },
    dryRun: false,
    emitOutcome: async (o) => void outcomes.push(o),
    ...extra,
  });
  return { runner, outcomes, printed };
}
