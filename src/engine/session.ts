import type { Clock } from "../core/clock.js";
import { jsonEqual } from "../core/json.js";
import { firingKey } from "../core/intent.js";
import type { ActionIntent } from "../core/intent.js";
import type { Rule, Ruleset } from "../rulebook/model.js";
import { eventUuid } from "./event-meta.js";
import type { EngineEvent } from "./event-meta.js";
import { itemEvaluator, localFilter } from "./item-eval.js";
import type { ItemEvaluator } from "./item-eval.js";
import { buildMatcher, parseItemId } from "./matcher.js";
import type { EvaluatorKind, RuleMatcher } from "./matcher.js";
import { Throttles } from "./throttle.js";
import type { TimerHandle } from "../core/clock.js";

export interface SessionOptions {
  readonly ruleset: Ruleset;
  readonly rulebookVersion: string;
  readonly clock: Clock;
  readonly evaluator: EvaluatorKind;
  /** Firings produced later by timers (not_all windows, once_after throttles). */
  readonly onDeferred?: (firings: ActionIntent[]) => void;
}

/** An event or fact held in working memory. */
interface Held {
  readonly obj: EngineEvent;
  readonly fact: boolean;
  readonly at: number;
  gone: boolean;
}

interface MultiRule {
  readonly rule: Rule;
  /** How long a partial match waits: the rule's timeout, else the ruleset's default_events_ttl. */
  readonly retentionMs: number;
  readonly evals: readonly ItemEvaluator[];
  /** Per item, what an object must satisfy without bindings (undefined: nothing known). */
  readonly local: readonly (ItemEvaluator | undefined)[];
  /** Per condition item: held objects that pass its local filter (candidates to fill it). */
  readonly lists: Held[][];
}

interface NotAllWindow {
  readonly opener: EngineEvent;
  readonly openerItem: number;
  readonly satisfied: Set<number>;
  /** Bindings so far (m_<i> → object), for joins against this window's events. */
  readonly bindings: Record<string, EngineEvent>;
  readonly timer: TimerHandle;
}

interface NotAllRule {
  readonly rule: Rule;
  readonly evals: readonly ItemEvaluator[];
  /** Open windows, oldest first: each opener gets its own (two interruptions → two windows). */
  windows: NotAllWindow[];
}

interface Candidate {
  readonly rule: Rule;
  readonly matching: Record<string, EngineEvent>;
  readonly uses: readonly Held[];
}

/**
 * One ruleset's working memory and matching, with ansible-rulebook (Drools) semantics:
 * single-event rules (first match per event unless match_multiple_rules), multi-event `all`
 * (distinct objects, any order, joins on earlier bindings, consumed on match, partial matches
 * kept until the rule's timeout or default_events_ttl), `any`, `not_all` with timeout, facts
 * (asserted facts fire every matching rule and stay until retracted) and throttles.
 */
export class RulesetSession {
  readonly ruleset: Ruleset;
  private readonly matcher: RuleMatcher;
  private readonly multi = new Map<number, MultiRule>();
  private readonly notAll = new Map<number, NotAllRule>();
  private readonly throttles: Throttles;
  private facts: Held[] = [];
  private arrivals = 0;
  private readonly stats = { eventsProcessed: 0, eventsMatched: 0, eventsSuppressed: 0, rulesTriggered: 0 };

  constructor(private readonly opts: SessionOptions) {
    this.ruleset = opts.ruleset;
    const singles = opts.ruleset.rules.map((r) => (isSingle(r) ? r : { ...r, condition: { ...r.condition, items: [] } }));
    this.matcher = buildMatcher({ ...opts.ruleset, rules: singles }, opts.evaluator);
    for (const [i, rule] of opts.ruleset.rules.entries()) {
      const c = rule.condition;
      const evals = c.items.map((item) => itemEvaluator(item, opts.evaluator));
      if (c.kind === "all" && c.items.length > 1) {
        this.multi.set(i, {
          rule,
          retentionMs: c.timeoutMs ?? opts.ruleset.defaultEventsTtlMs,
          evals,
          local: c.items.map((item) => localFilter(item, opts.evaluator)),
          lists: c.items.map(() => []),
        });
      } else if (c.kind === "not_all") {
        this.notAll.set(i, { rule, evals, windows: [] });
      }
    }
    this.throttles = new Throttles(opts.clock, (rule, matching) => this.opts.onDeferred?.([this.firing(rule, matching)]));
  }

  get counters(): Readonly<{ eventsProcessed: number; eventsMatched: number; eventsSuppressed: number; rulesTriggered: number; facts: number }> {
    return { ...this.stats, facts: this.facts.length };
  }

  /** Distinct objects held for multi-event rules (partial matches), for stats and memory figures. */
  get retained(): number {
    const held = new Set<Held>();
    for (const m of this.multi.values()) for (const list of m.lists) for (const h of list) if (!h.gone) held.add(h);
    return held.size;
  }

  /** An event arrives: returns the firings to run now, in order. */
  async processEvent(event: EngineEvent): Promise<ActionIntent[]> {
    this.stats.eventsProcessed++;
    const now = this.opts.clock.now();
    const held: Held = { obj: event, fact: false, at: now, gone: false };
    const firings = await this.evaluate(held, this.ruleset.matchMultipleRules);
    if (!held.gone) await this.retain(held);
    this.maybeCompact();
    return firings;
  }

  /** set_fact: a fact fires every rule it matches and stays until retracted. */
  async assertFact(fact: EngineEvent): Promise<ActionIntent[]> {
    this.stats.eventsProcessed++;
    const held: Held = { obj: fact, fact: true, at: this.opts.clock.now(), gone: false };
    const firings = await this.evaluate(held, true);
    this.facts.push(held);
    await this.retain(held);
    return firings;
  }

  /**
   * retract_fact: removes facts containing `pattern` (partial) or equal to it ignoring meta.
   * As observed in ansible-rulebook, a single-condition rule using `is not defined` fires with the
   * retracted fact when it matches the fact without the retracted keys.
   */
  async retractFact(pattern: Record<string, unknown>, partial: boolean): Promise<ActionIntent[]> {
    const firings: ActionIntent[] = [];
    const keep: Held[] = [];
    for (const f of this.facts) {
      if (!factMatches(f.obj, pattern, partial)) {
        keep.push(f);
        continue;
      }
      f.gone = true;
      const without = withoutKeys(f.obj, pattern);
      const beforeIds = new Set((await this.matcher.match({ event: f.obj })).map((id) => parseItemId(id).rule));
      const afterIds = (await this.matcher.match({ event: without })).map((id) => parseItemId(id).rule);
      for (const r of new Set(afterIds)) {
        const rule = this.ruleset.rules[r];
        if (!rule || beforeIds.has(r) || !JSON.stringify(rule.condition.items[0]?.ir ?? {}).includes("hb_not_defined")) continue;
        firings.push(this.firing(rule, { m: f.obj }));
      }
    }
    this.facts = keep;
    this.stats.rulesTriggered += firings.length;
    return firings;
  }

  private async evaluate(x: Held, everyRule: boolean): Promise<ActionIntent[]> {
    const matchedItem = new Map<number, number>();
    for (const id of await this.matcher.match({ event: x.obj })) {
      const { rule, item } = parseItemId(id);
      if (!matchedItem.has(rule)) matchedItem.set(rule, item);
    }
    const firings: ActionIntent[] = [];
    let matched = false;
    for (const [index, rule] of this.ruleset.rules.entries()) {
      const notAll = this.notAll.get(index);
      if (notAll) {
        await this.notAllArrival(notAll, x);
        continue;
      }
      let candidate: Candidate | undefined;
      const multi = this.multi.get(index);
      if (multi) candidate = await this.findCombination(multi, x);
      else if (rule.condition.always) candidate = { rule, matching: { m: x.obj }, uses: [x] };
      else {
        const item = matchedItem.get(index);
        if (item !== undefined) {
          const binding = rule.condition.kind === "any" ? (rule.condition.items[item]?.alias ?? `m_${item}`) : "m";
          candidate = { rule, matching: { [binding]: x.obj }, uses: [x] };
        }
      }
      if (!candidate) continue;
      matched = true;
      if (rule.throttle) {
        const admitted = this.throttles.admit(rule, x.obj);
        if (admitted) firings.push(this.firing(rule, { [Object.keys(candidate.matching)[0] ?? "m"]: admitted }));
        else this.stats.eventsSuppressed++;
      } else {
        firings.push(this.firing(rule, candidate.matching));
      }
      if (!everyRule) {
        for (const h of candidate.uses) if (!h.fact) h.gone = true;
        break;
      }
    }
    if (matched) this.stats.eventsMatched++;
    this.stats.rulesTriggered += firings.length;
    return firings;
  }

  /** A complete combination for a multi-event rule that includes `x`, or undefined. */
  private async findCombination(m: MultiRule, x: Held): Promise<Candidate | undefined> {
    const n = m.evals.length;
    const items = m.rule.condition.items;
    const timeout = m.rule.condition.timeoutMs;
    const now = this.opts.clock.now();
    const names = items.map((item, j) => item.alias ?? `m_${j}`);
    const assign = async (j: number, place: number, bindings: Record<string, EngineEvent>, used: Held[]): Promise<Held[] | undefined> => {
      if (j === n) {
        if (timeout !== undefined) {
          const times = used.filter((h) => !h.fact).map((h) => h.at);
          if (times.length > 0 && Math.max(...times) - Math.min(...times) > timeout) return undefined;
        }
        return used;
      }
      const pool = j === place ? [x] : m.lists[j]!;
      for (const c of pool) {
        if (c.gone || c === x && j !== place || used.includes(c)) continue;
        if (!c.fact && c.at + m.retentionMs <= now) continue;
        if (timeout !== undefined && !c.fact && Math.abs(c.at - x.at) > timeout) continue;
        if (!(await m.evals[j]!({ event: c.obj, events: bindings }))) continue;
        const found = await assign(j + 1, place, { ...bindings, [names[j]!]: c.obj }, [...used, c]);
        if (found) return found;
      }
      return undefined;
    };
    for (let place = 0; place < n; place++) {
      const local = m.local[place];
      if (local && !(await local({ event: x.obj, events: {} }))) continue;
      const used = await assign(0, place, {}, []);
      if (used) return { rule: m.rule, matching: Object.fromEntries(used.map((h, j) => [names[j]!, h.obj])), uses: used };
    }
    return undefined;
  }

  /** Keep `x` as a partial match for every multi-event rule it can take part in. */
  private async retain(x: Held): Promise<void> {
    for (const m of this.multi.values()) {
      for (let j = 0; j < m.evals.length; j++) {
        const local = m.local[j];
        if (!local || (await local({ event: x.obj, events: {} }))) m.lists[j]!.push(x);
      }
    }
  }

  /**
   * not_all: an arrival first completes an item of the oldest open window it fits (joins see that
   * window's bindings); a window whose items are all satisfied closes without firing. Otherwise an
   * arrival satisfying some item opens a window of its own, which fires at its timeout with the
   * opener bound as m_<item> unless it was completed in time.
   */
  private async notAllArrival(r: NotAllRule, x: Held): Promise<void> {
    const name = (j: number): string => r.rule.condition.items[j]?.alias ?? `m_${j}`;
    for (const w of r.windows) {
      for (let j = 0; j < r.evals.length; j++) {
        if (w.satisfied.has(j) || !(await r.evals[j]!({ event: x.obj, events: w.bindings }))) continue;
        w.satisfied.add(j);
        w.bindings[name(j)] = x.obj;
        if (w.satisfied.size === r.evals.length) {
          w.timer.cancel();
          r.windows = r.windows.filter((o) => o !== w);
        }
        return;
      }
    }
    for (let j = 0; j < r.evals.length; j++) {
      if (!(await r.evals[j]!({ event: x.obj, events: {} }))) continue;
      const opener = x.obj;
      const timer = this.opts.clock.setTimer(r.rule.condition.timeoutMs ?? 0, () => {
        r.windows = r.windows.filter((o) => o !== win);
        this.stats.rulesTriggered++;
        this.opts.onDeferred?.([this.firing(r.rule, { [name(j)]: opener })]);
      });
      const win: NotAllWindow = { opener, openerItem: j, satisfied: new Set([j]), bindings: { [name(j)]: opener }, timer };
      r.windows.push(win);
      return;
    }
  }

  private maybeCompact(): void {
    if (++this.arrivals % 1024 !== 0) return;
    const now = this.opts.clock.now();
    for (const m of this.multi.values()) {
      for (let j = 0; j < m.lists.length; j++) m.lists[j] = m.lists[j]!.filter((h) => !h.gone && (h.fact || h.at + m.retentionMs > now));
    }
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
}

/** Rules decided by the indexed single-object matcher. */
function isSingle(rule: Rule): boolean {
  const c = rule.condition;
  return c.kind === "any" || (c.kind === "all" && c.items.length <= 1);
}

function stripMeta(obj: Record<string, unknown>): Record<string, unknown> {
  const { meta: _meta, ...rest } = obj;
  return rest;
}

function factMatches(fact: Record<string, unknown>, pattern: Record<string, unknown>, partial: boolean): boolean {
  const p = stripMeta(pattern);
  if (!partial) return jsonEqual(stripMeta(fact), p);
  return Object.entries(p).every(([k, v]) => Object.prototype.hasOwnProperty.call(fact, k) && jsonEqual(fact[k], v));
}

function withoutKeys(fact: EngineEvent, pattern: Record<string, unknown>): EngineEvent {
  const out: Record<string, unknown> = { ...fact };
  for (const k of Object.keys(stripMeta(pattern))) delete out[k];
  return out as EngineEvent;
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
