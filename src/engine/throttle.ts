import type { Clock, TimerHandle } from "../core/clock.js";
import type { Rule } from "../rulebook/model.js";
import { isObject } from "./event-meta.js";
import type { EngineEvent } from "./event-meta.js";

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

export function annotate(event: EngineEvent, ruleEngine: Record<string, unknown>): EngineEvent {
  const meta = { ...event.meta, rule_engine: { ...(isObject(event.meta.rule_engine) ? event.meta.rule_engine : {}), ...ruleEngine } };
  return { ...event, meta };
}

interface Window {
  until: number;
  count: number;
}

interface OnceAfterWindow {
  readonly groups: Map<string, { event: EngineEvent; count: number }>;
  readonly timer: TimerHandle;
}

/**
 * Throttle state of one ruleset (reference §3.1): once_within and accumulate_within decide at
 * arrival; once_after collects one event per group and fires once when its window closes.
 */
export class Throttles {
  private readonly windows = new Map<string, Window>();
  private readonly onceAfter = new Map<number, OnceAfterWindow>();

  constructor(
    private readonly clock: Clock,
    private readonly fireLater: (rule: Rule, matching: Record<string, EngineEvent>) => void,
  ) {}

  /** The (annotated) event when the rule fires now; undefined when suppressed or deferred. */
  admit(rule: Rule, event: EngineEvent): EngineEvent | undefined {
    const t = rule.throttle;
    if (!t) return event;
    const now = this.clock.now();
    const groupKey = JSON.stringify(t.groupBy.map((p) => resolveAttribute(event, p)) ?? null);
    const key = `${rule.index}\u0000${groupKey}`;
    if (t.kind === "once_within") {
      const w = this.windows.get(key);
      if (w && now < w.until) return undefined;
      this.windows.set(key, { until: now + t.windowMs, count: 1 });
      return annotate(event, { once_within_time_window: t.windowText });
    }
    if (t.kind === "accumulate_within") {
      const live = this.windows.get(key);
      const w = live && now < live.until ? live : { until: now + t.windowMs, count: 0 };
      w.count++;
      if (w.count >= (t.threshold ?? 1)) {
        this.windows.delete(key);
        return annotate(event, { accumulate_within_time_window: t.windowText, threshold: t.threshold });
      }
      this.windows.set(key, w);
      return undefined;
    }
    // once_after: the first matching event opens the rule's window; one event kept per group.
    let win = this.onceAfter.get(rule.index);
    if (!win) {
      const groups = new Map<string, { event: EngineEvent; count: number }>();
      const timer = this.clock.setTimer(t.windowMs, () => {
        this.onceAfter.delete(rule.index);
        const events = [...groups.values()].map((g) => annotate(g.event, { once_after_time_window: t.windowText, events_in_window: g.count }));
        const matching: Record<string, EngineEvent> = events.length === 1 ? { m: events[0]! } : Object.fromEntries(events.map((e, i) => [`m_${i}`, e]));
        this.fireLater(rule, matching);
      });
      win = { groups, timer };
      this.onceAfter.set(rule.index, win);
    }
    const g = win.groups.get(groupKey);
    if (g) g.count++;
    else win.groups.set(groupKey, { event, count: 1 });
    return undefined;
  }

  /** Windows currently held (for stats). */
  get size(): number {
    return this.windows.size + this.onceAfter.size;
  }
}
