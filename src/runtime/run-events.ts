import { readEventsFile } from "../cli/events-file.js";
import { isHookbookError } from "../core/errors.js";
import type { IdGen } from "../core/ids.js";
import type { EvaluatorKind } from "../engine/matcher.js";
import { formatDiagnostic } from "../rulebook/load.js";
import { loadVarsFile } from "../rulebook/vars.js";
import { loadRulebooks } from "./load-rulebooks.js";
import { runScenario } from "./scenario.js";

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
 * `hookbook run RULEBOOK --events FILE`: no server, no bus, a virtual clock; each line is
 * processed to quiescence before the next; one JSON audit record per action (and one
 * `Shutdown` per ruleset after a shutdown action) on `out`, everything else on `err`.
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
  try {
    await runScenario({
      rulebooks: loaded.rulebooks,
      vars,
      lines: readEventsFile(opts.events),
      dryRun: opts.dryRun,
      evaluator: opts.evaluator,
      output: { print: (text) => opts.err(text) },
      onRecord: (r) => opts.out(JSON.stringify(r)),
      warn: (m) => opts.err(`warning: ${m}`),
      ...(opts.ids ? { ids: opts.ids } : {}),
      ...(opts.startMs !== undefined ? { startMs: opts.startMs } : {}),
    });
  } catch (err) {
    opts.err(isHookbookError(err) ? `${err.code} ${err.message}` : String(err));
    return 2;
  }
  return 0;
}
