import type { Diagnostic, Rulebook } from "../rulebook/model.js";
import { checkFilterArgs, resolveFilterName } from "./filters/apply.js";

/**
 * What the schema accepts but this build cannot run: actions without a runner, unknown source
 * filters. Reported by `validate` and refused by `run`/`serve`, so a rulebook never silently
 * behaves differently than written.
 */
export function unsupportedFeatures(rulebook: Rulebook, supportedActions: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (pos: { file: string; line: number; col: number }, message: string, code = "HB_ERR_RULEBOOK_UNSUPPORTED"): void => {
    out.push({ ...pos, severity: "error", code, message });
  };
  for (const rs of rulebook.rulesets) {
    for (const rule of rs.rules) {
      for (const a of rule.actions) {
        if (!supportedActions.has(a.name)) add(a.pos, `action '${a.name}' is not supported yet`);
      }
    }
    for (const s of rs.sources) {
      for (const f of s.filters) {
        const name = resolveFilterName(f.name);
        if (!name) add(s.pos, `source '${s.name}': unknown event filter '${f.name}'`, "HB_ERR_RULEBOOK_SCHEMA");
        else {
          const problem = checkFilterArgs(name, f.args);
          if (problem) add(s.pos, `source '${s.name}': filter '${f.name}': ${problem}`, "HB_ERR_RULEBOOK_SCHEMA");
        }
      }
    }
  }
  return out;
}
