/**
 * What fact-changing actions return (DESIGN.md §2: the engine never imports an action; an
 * action returns a command and the engine applies it). `ruleset` is the target ruleset; the
 * runner fills in the current one when the action did not name one.
 */
export type EngineCommand =
  | { readonly kind: "post_event"; readonly ruleset: string; readonly event: Record<string, unknown>; readonly source: string }
  | { readonly kind: "set_fact"; readonly ruleset: string; readonly fact: Record<string, unknown>; readonly source: string }
  | { readonly kind: "retract_fact"; readonly ruleset: string; readonly fact: Record<string, unknown>; readonly partial: boolean; readonly source: string }
  | { readonly kind: "shutdown"; readonly delay: number; readonly message: string; readonly mode: "graceful" | "now" };
