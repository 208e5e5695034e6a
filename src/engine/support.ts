import type { Diagnostic, Rulebook } from "../rulebook/model.js";

/**
 * Features the schema accepts but this engine does not run yet. Reported by `validate` and
 * refused by `run`/`serve`, so a rulebook never silently behaves differently than written.
 */
export function unsupportedFeatures(rulebook: Rulebook, supportedActions: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (pos: { file: string; line: number; col: number }, message: string): void => {
    out.push({ ...pos, severity: "error", code: "HB_ERR_RULEBOOK_UNSUPPORTED", message });
  };
  for (const rs of rulebook.rulesets) {
    for (const rule of rs.rules) {
      const c = rule.condition;
      if (c.kind === "all" && c.items.length > 1) add(rule.pos, `rule '${rule.name}': multi-event 'all' conditions are not supported yet`);
      if (c.kind === "not_all") add(rule.pos, `rule '${rule.name}': 'not_all' conditions are not supported yet`);
      if (rule.throttle?.kind === "once_after") add(rule.pos, `rule '${rule.name}': throttle once_after is not supported yet`);
      for (const a of rule.actions) {
        if (!supportedActions.has(a.name)) add(a.pos, `action '${a.name}' is not supported yet`);
      }
    }
    for (const s of rs.sources) {
      if (s.filters.length > 0) add(s.pos, `source '${s.name}': event filters are not supported yet`);
    }
  }
  return out;
}

