import { ActionRunner } from "../actions/runner.js";
import { defaultActionRegistry } from "../actions/registry.js";
import { readEventsFile } from "../cli/events-file.js";
import { VirtualClock } from "../core/clock.js";
import { isHookbookError } from "../core/errors.js";
import { randomIds } from "../core/ids.js";
import type { IdGen } from "../core/ids.js";
import { Engine } from "../engine/engine.js";
import type { EvaluatorKind } from "../engine/matcher.js";
import { formatDiagnostic } from "../rulebook/load.js";
import { loadVarsFile } from "../rulebook/vars.js";
import { loadRulebooks } from "./load-rulebooks.js";

export interface RunEventsOptions {
  readonly rulebook: string;
  readonly events: string;
  readonly vars?: string;
  readonly dryRun: boolean;
  readonly evaluator: EvaluatorKind;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly ids?: IdGen;
  /** Virtual clock start (ms); default: now. */
  readonly startMs?: number;
}

/**
 * `hookbook run RULEBOOK --events FILE`: no server, no bus; each line is processed to
 * quiescence (its firings and their actions) before the next is read; one JSON `Action`
 * audit record per action on `out`, everything else on `err`. Returns the exit code.
 */
export async function runEvents(opts: RunEventsOptions): Promise<number> {
  let vars: Record<string, unknown>;
  try {
    vars = await loadVarsFile(opts.vars);
  } catch (err) {
    opts.err(isHookbookError(err) ? `${err.code} ${err.message}` : String(err));
    return 2;
  }
  const loaded = await loadRulebooks([opts.rulebook], vars);
  for (const d of loaded.diagnostics) opts.err(formatDiagnostic(d));
  if (loaded.diagnostics.some((d) => d.severity === "error") || loaded.rulebooks.length === 0) return 2;

  const clock = new VirtualClock(opts.startMs ?? Date.now());
  const ids = opts.ids ?? randomIds;
  const engine = new Engine({ rulebooks: loaded.rulebooks, clock, evaluator: opts.evaluator });
  const runner = new ActionRunner({
    registry: defaultActionRegistry(),
    vars,
    clock,
    ids,
    output: { print: (text) => opts.err(text) },
    logger: {
      info: () => undefined,
      warn: (o, m) => opts.err(`warning: ${m ?? ""} ${JSON.stringify(o)}`),
      error: (o, m) => opts.err(`error: ${m ?? ""} ${JSON.stringify(o)}`),
    },
    limits: { commandTimeoutMs: 300_000, httpTimeoutMs: 15_000 },
    dryRun: opts.dryRun,
  });
  try {
    for await (const line of readEventsFile(opts.events)) {
      if (line.kind === "advance") {
        await clock.advanceTo(clock.now() + line.ms);
        continue;
      }
      const firings = await engine.process({ data: line.event, uuid: ids.uuid(), receivedAt: clock.now() });
      for (const intent of firings) {
        for (const record of await runner.run(intent)) opts.out(JSON.stringify(record));
      }
    }
  } catch (err) {
    opts.err(isHookbookError(err) ? `${err.code} ${err.message}` : String(err));
    return 2;
  }
  return 0;
}
