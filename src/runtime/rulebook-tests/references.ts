import { closest } from "../../core/suggest.js";
import type { Diagnostic, Rulebook, SourcePos } from "../../rulebook/model.js";
import type { RulebookTestFile } from "./model.js";
import { TEST_FILE_ERROR } from "./test-file-parser.js";

/** `ruleset::rule` of every enabled rule, and `ruleset::rule::action` of each of its actions. */
export function ruleKeys(rulebooks: readonly Rulebook[]): { rules: string[]; actions: string[] } {
  const rules: string[] = [];
  const actions = new Set<string>();
  for (const rb of rulebooks) {
    for (const rs of rb.rulesets) {
      for (const rule of rs.rules) {
        rules.push(`${rs.name}::${rule.name}`);
        for (const a of rule.actions) actions.add(`${rs.name}::${rule.name}::${a.name}`);
      }
    }
  }
  return { rules, actions: [...actions] };
}

/**
 * Every rule and action a test names must exist in the tested rulebooks: a typo in an
 * expectation is a broken test file (exit 2), not a test that passes because nothing matched.
 */
export function checkReferences(testFile: RulebookTestFile, rulebooks: readonly Rulebook[]): Diagnostic[] {
  const { rules, actions } = ruleKeys(rulebooks);
  const ruleSet = new Set(rules);
  const actionSet = new Set(actions);
  const out: Diagnostic[] = [];
  const unknown = (pos: SourcePos, what: string, key: string, candidates: readonly string[]): void => {
    const near = closest(key, candidates);
    out.push({ ...pos, severity: "error", code: TEST_FILE_ERROR, message: `${what} '${key}' is not in the tested rulebook(s)`, hint: near !== undefined ? `did you mean '${near}'?` : `known: ${candidates.slice(0, 5).join(", ")}${candidates.length > 5 ? ", …" : ""}` });
  };
  for (const test of testFile.tests) {
    for (const e of test.expectActions ?? []) if (!actionSet.has(e.key)) unknown(e.pos, "action", e.key, actions);
    for (const r of [...test.expectFired, ...test.expectNotFired]) if (!ruleSet.has(r.key)) unknown(r.pos, "enabled rule", r.key, rules);
  }
  return out;
}
