import { resolve } from "node:path";
import type { Rulebook } from "../../rulebook/model.js";

export interface Coverage {
  /** Enabled rules of the tested rulebooks. */
  readonly total: number;
  readonly fired: number;
  /** `ruleset::rule` of every enabled rule no test fired, in rulebook order. */
  readonly notFired: readonly string[];
}

/**
 * Which enabled rules of the tested rulebooks some test fired (like promtool's rule coverage).
 * Rulebooks are identified by file, so a rulebook tested by several files counts once.
 */
export class CoverageTracker {
  private readonly rulebooks = new Map<string, Rulebook>();
  private readonly fired = new Set<string>();

  /** Note that tests ran against these rulebooks and fired these `ruleset::rule`s. */
  record(rulebooks: readonly Rulebook[], firedRules: Iterable<string>): void {
    for (const rb of rulebooks) if (!this.rulebooks.has(resolve(rb.file))) this.rulebooks.set(resolve(rb.file), rb);
    const fired = new Set(firedRules);
    for (const rb of rulebooks) {
      for (const rs of rb.rulesets) for (const rule of rs.rules) if (fired.has(`${rs.name}::${rule.name}`)) this.fired.add(ruleId(rb.file, rs.name, rule.name));
    }
  }

  result(): Coverage {
    let total = 0;
    let fired = 0;
    const notFired: string[] = [];
    for (const rb of this.rulebooks.values()) {
      for (const rs of rb.rulesets) {
        for (const rule of rs.rules) {
          total++;
          if (this.fired.has(ruleId(rb.file, rs.name, rule.name))) fired++;
          else notFired.push(`${rs.name}::${rule.name}`);
        }
      }
    }
    return { total, fired, notFired };
  }
}

function ruleId(file: string, ruleset: string, rule: string): string {
  return `${resolve(file)}\u0000${ruleset}\u0000${rule}`;
}

/** `coverage: 3/4 rules fired; not fired: rs::r1` (the part after `;` only when some did not fire). */
export function formatCoverage(c: Coverage): string {
  return `coverage: ${c.fired}/${c.total} rules fired${c.notFired.length > 0 ? `; not fired: ${c.notFired.join(", ")}` : ""}`;
}
