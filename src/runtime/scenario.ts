import { ActionRunner } from "../actions/runner.js";
import { defaultActionRegistry } from "../actions/registry.js";
import type { EventsLine } from "../cli/events-file.js";
import type { ActionAuditRecord } from "../core/audit.js";
import { VirtualClock } from "../core/clock.js";
import type { IdGen } from "../core/ids.js";
import { randomIds } from "../core/ids.js";
import type { ActionIntent } from "../core/intent.js";
import { Engine } from "../engine/engine.js";
import { lanesFor } from "./lanes.js";
import type { EvaluatorKind } from "../engine/matcher.js";
import type { Rulebook } from "../rulebook/model.js";
import type { ActionOutput } from "../actions/types.js";

/** Every record a scenario run produces, in order: ansible-rulebook `Action` and `Shutdown` records. */
export type ScenarioRecord = ActionAuditRecord | ShutdownRecord;

export interface ShutdownRecord {
  readonly type: "Shutdown";
  readonly ruleset: string;
  readonly message: string;
  readonly delay: number;
  readonly kind: "graceful" | "now";
}

export interface ScenarioOptions {
  readonly rulebooks: readonly Rulebook[];
  readonly vars: Readonly<Record<string, unknown>>;
  /** Events and `$advance` lines, processed one at a time to quiescence. */
  readonly lines: AsyncIterable<EventsLine> | Iterable<EventsLine>;
  readonly dryRun: boolean;
  readonly evaluator: EvaluatorKind;
  readonly output: ActionOutput;
  readonly onRecord?: (record: ScenarioRecord) => void;
  readonly ids?: IdGen;
  /** Virtual clock start (ms since epoch); default now. */
  readonly startMs?: number;
  readonly limits?: { readonly commandTimeoutMs: number; readonly httpTimeoutMs: number };
  readonly warn?: (message: string) => void;
}

export interface ScenarioResult {
  readonly records: ScenarioRecord[];
  /** Virtual time at the end (after running every pending timer). */
  readonly endMs: number;
  /** `ruleset::rule` of every rule that fired at least once. */
  readonly firedRules: ReadonlySet<string>;
}

/**
 * The deterministic runner behind `hookbook run --events` and `hookbook test`: no bus, a virtual
 * clock; each line is processed to quiescence (its firings, their actions, and whatever those
 * assert) before the next; at the end the clock runs forward until no timer is pending.
 */
export async function runScenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const clock = new VirtualClock(opts.startMs ?? Date.now());
  const ids = opts.ids ?? randomIds;
  const records: ScenarioRecord[] = [];
  const firedRules = new Set<string>();
  const emit = (r: ScenarioRecord): void => {
    records.push(r);
    opts.onRecord?.(r);
  };
  const pending: ActionIntent[] = [];
  const engine = new Engine({
    rulebooks: opts.rulebooks,
    clock,
    evaluator: opts.evaluator,
    ids,
    onDeferredFirings: (f) => void pending.push(...f),
    ...(opts.warn ? { warn: opts.warn } : {}),
  });
  const lanes = lanesFor(opts.rulebooks);
  const runner = new ActionRunner({
    lanes,
    registry: defaultActionRegistry(),
    vars: opts.vars,
    clock,
    ids,
    output: opts.output,
    logger: { info: () => undefined, warn: (o, m) => opts.warn?.(`${m ?? ""} ${JSON.stringify(o)}`), error: (o, m) => opts.warn?.(`${m ?? ""} ${JSON.stringify(o)}`) },
    limits: opts.limits ?? { commandTimeoutMs: 300_000, httpTimeoutMs: 15_000 },
    dryRun: opts.dryRun,
  });
  let shutdown = false;

  // Runs every pending firing in its ruleset's lane (sequential: in order; parallel: at once,
  // records in completion order); the commands they return add firings for the next round.
  const settle = async (): Promise<void> => {
    while (pending.length > 0 && !shutdown) {
      const batch = pending.splice(0);
      await Promise.all(
        batch.map((intent) =>
          lanes.run(intent.ruleset, async () => {
            if (shutdown) return;
            firedRules.add(`${intent.ruleset}::${intent.rule}`);
            const outcome = await runner.runWithCommands(intent);
            for (const r of outcome.records) emit(r);
            for (const command of outcome.commands) {
              if (shutdown) break;
              if (command.kind === "shutdown") {
                shutdown = true;
                for (const s of engine.sessions) emit({ type: "Shutdown", ruleset: s.ruleset.name, message: command.message, delay: command.delay, kind: command.mode });
                break;
              }
              pending.push(...(await engine.apply(command, intent.ruleset)));
            }
          }),
        ),
      );
    }
  };

  for await (const line of opts.lines) {
    if (shutdown) break;
    if (line.kind === "advance") {
      await clock.advanceTo(clock.now() + line.ms, settle);
      continue;
    }
    pending.push(...(await engine.process({ data: line.event, uuid: ids.uuid(), receivedAt: clock.now() })));
    await settle();
  }
  // End of input: run the clock forward until no timer is pending.
  for (let due = clock.nextDue(); due !== undefined && !shutdown; due = clock.nextDue()) {
    await clock.advanceTo(due, settle);
  }
  return { records, endMs: clock.now(), firedRules };
}
