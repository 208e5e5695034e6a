import type { Clock } from "../core/clock.js";
import type { Rule, Ruleset } from "../rulebook/model.js";
import { eventUuid, isObject } from "./event-meta.js";
import type { EngineEvent } from "./event-meta.js";
import { firingKey } from "../core/intent.js";
import type { ActionIntent } from "../core/intent.js";
import { buildMatcher, parseItemId } from "./matcher.js";
import type { EvaluatorKind, RuleMatcher } from "./matcher.js";

export interface SessionOptions {
  readonly ruleset: Ruleset;
  readonly rulebookVersion: string;
  readonly clock: Clock;
  readonly evaluator: EvaluatorKind;
}

interface ThrottleState {
  /** once_within: end of the suppression window; accumulate_within: end of the counting window. */
  until: number;
  count: number;
}

/**
 * One ruleset's matching state. Single-event semantics of ansible-rulebook: an event fires the
 * first rule (file order) whose condition it satisfies, or every such rule with
 * match_multiple_rules; `any` binds the satisfied condition as m_<index>; throttles per group.
 */
export class RulesetSession {
  readonly ruleset: Ruleset;
  private readonly matcher: RuleMatcher;
  private readonly throttles = new Map<string, ThrottleState>();
  private stats = { eventsProcessed: 0, eventsMatched: 0, eventsSuppressed: 0, rulesTriggered: 0 };

  constructor(private readonly opts: SessionOptions) {
    this.ruleset = opts.ruleset;
    this.matcher = buildMatcher(opts.ruleset, opts.evaluator);
  }

  get counters(): Readonly<typeof this.stats> {
    return this.stats;
  }

  /** Evaluate one event; returns the firings in the order their actions must run. */
  async process(event: EngineEvent): Promise<ActionIntent[]> {
    this.stats.eventsProcessed++;
    const ids = await this.matcher.match({ event });
    const matchedItem = new Map<number, number>();
    for (const id of ids) {
      const { rule, item } = parseItemId(id);
      if (!matchedItem.has(rule)) matchedItem.set(rule, item);
    }
    const firings: ActionIntent[] = [];
    let matched = false;
    for (const [index, rule] of this.ruleset.rules.entries()) {
      let binding: string | undefined;
      if (rule.condition.always) binding = "m";
      else {
        const item = matchedItem.get(index);
        if (item === undefined) continue;
        binding = rule.condition.kind === "any" ? (rule.condition.items[item]?.alias ?? `m_${item}`) : "m";
      }
      matched = true;
      const annotated = this.throttle(rule, event);
      if (annotated === undefined) {
        this.stats.eventsSuppressed++;
      } else {
        firings.push(this.firing(rule, { [binding]: annotated }));
      }
      if (!this.ruleset.matchMultipleRules) break;
    }
    if (matched) this.stats.eventsMatched++;
    this.stats.rulesTriggered += firings.length;
    return firings;
  }

  private firing(rule: Rule, matchingEvents: Record<string, EngineEvent>): ActionIntent {
    const events = Object.values(matchingEvents);
    const eventIds = events.map(eventUuid);
    return {
      rulebookVersion: this.opts.rulebookVersion,
      ruleset: this.ruleset.name,
      rule: rule.name,
      ruleIndex: rule.index,
      matchingEvents,
      eventIds,
      hosts: hostsFor(this.ruleset.hosts, events),
      actions: rule.actions.map((a) => ({ name: a.name, args: a.args, index: a.index })),
      ruleRunAt: new Date(this.opts.clock.now()).toISOString(),
      key: firingKey(this.opts.rulebookVersion, this.ruleset.name, rule.name, eventIds),
    };
  }

  /** Apply the rule's throttle: the (annotated) event when it fires, undefined when suppressed. */
  private throttle(rule: Rule, event: EngineEvent): EngineEvent | undefined {
    const t = rule.throttle;
    if (!t) return event;
    const now = this.opts.clock.now();
    const group = `${rule.index}\u0000${JSON.stringify(t.groupBy.map((p) => resolveAttribute(event, p)))}`;
    const state = this.throttles.get(group);
    if (t.kind === "once_within") {
      if (state && now < state.until) return undefined;
      this.throttles.set(group, { until: now + t.windowMs, count: 1 });
      return annotate(event, { once_within_time_window: t.windowText });
    }
    if (t.kind === "accumulate_within") {
      const current = state && now < state.until ? state : { until: now + t.windowMs, count: 0 };
      current.count++;
      if (current.count >= (t.threshold ?? 1)) {
        this.throttles.delete(group);
        return annotate(event, { accumulate_within_time_window: t.windowText, threshold: t.threshold });
      }
      this.throttles.set(group, current);
      return undefined;
    }
    // once_after is rejected by unsupportedFeatures() before a session is built.
    return event;
  }
}

function annotate(event: EngineEvent, ruleEngine: Record<string, unknown>): EngineEvent {
  const meta = { ...event.meta, rule_engine: { ...(isObject(event.meta.rule_engine) ? event.meta.rule_engine : {}), ...ruleEngine } };
  return { ...event, meta };
}

/** Value of a group_by attribute such as `event.meta.hosts` (the `event.` prefix is optional). */
export function resolveAttribute(event: Record<string, unknown>, path: string): unknown {
  const parts = path.replace(/^(event|fact)\./, "").split(".");
  let cur: unknown = event;
  for (const part of parts) {
    if (!isObject(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Ruleset hosts, overridden by the union of meta.hosts (string, comma string or list) of matched events. */
export function hostsFor(rulesetHosts: readonly string[], events: readonly EngineEvent[]): string[] {
  const fromMeta = new Set<string>();
  for (const e of events) {
    const h = e.meta.hosts;
    if (typeof h === "string") h.split(",").map((s) => s.trim()).filter(Boolean).forEach((s) => fromMeta.add(s));
    else if (Array.isArray(h)) h.filter((s): s is string => typeof s === "string" && s !== "").forEach((s) => fromMeta.add(s));
  }
  return fromMeta.size > 0 ? [...fromMeta] : [...rulesetHosts];
}
