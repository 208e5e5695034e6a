import { sha256Hex } from "./ids.js";

/** An event as bound in a match: any object with a `meta` object (meta.uuid identifies it). */
export type IntentEvent = Record<string, unknown> & { meta: Record<string, unknown> };

export interface IntentAction {
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly index: number;
}

/**
 * One rule firing as it travels on the ACTIONS stream: self-contained, so a runner needs nothing
 * but this (and the user vars) to run the actions in order.
 */
export interface ActionIntent {
  readonly rulebookVersion: string;
  readonly ruleset: string;
  readonly rule: string;
  readonly ruleIndex: number;
  /** `{m: event}` for single-condition rules, `{m_0: …, m_1: …}` (or aliases) otherwise. */
  readonly matchingEvents: Readonly<Record<string, IntentEvent>>;
  /** meta.uuid of every matched event, in binding order. */
  readonly eventIds: readonly string[];
  /** Host limit: ruleset hosts, overridden by meta.hosts of the matched events. */
  readonly hosts: readonly string[];
  readonly actions: readonly IntentAction[];
  /** ISO time of the firing. */
  readonly ruleRunAt: string;
  /** Deterministic: rulebook version + ruleset + rule + matched event ids. */
  readonly key: string;
}

/** Idempotency key of a firing (DESIGN.md §1): the same inputs always give the same key. */
export function firingKey(rulebookVersion: string, ruleset: string, rule: string, eventIds: readonly string[]): string {
  return sha256Hex(JSON.stringify([rulebookVersion, ruleset, rule, eventIds])).slice(0, 40);
}

/** Idempotency key of one action of a firing: firing key + action index. */
export function actionKey(intent: Pick<ActionIntent, "key">, actionIndex: number): string {
  return `${intent.key}-${actionIndex}`;
}
