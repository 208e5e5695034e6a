import type { Clock } from "../core/clock.js";
import type { EngineCommand } from "../core/command.js";
import { randomIds } from "../core/ids.js";
import type { IdGen } from "../core/ids.js";
import type { ActionIntent } from "../core/intent.js";
import type { Rulebook, Ruleset, RulesetSource } from "../rulebook/model.js";
import { insertMetaInfo } from "./event-meta.js";
import { compileFilters } from "./filters/apply.js";
import type { FilterPipeline } from "./filters/apply.js";
import type { EvaluatorKind } from "./matcher.js";
import { RulesetSession } from "./session.js";

export interface EngineOptions {
  readonly rulebooks: readonly Rulebook[];
  readonly clock: Clock;
  readonly evaluator: EvaluatorKind;
  /** Firings that timers produce later (not_all, once_after). */
  readonly onDeferredFirings?: (firings: ActionIntent[]) => void;
  /** meta.uuid of events and facts that actions assert. */
  readonly ids?: IdGen;
  readonly warn?: (message: string) => void;
}

/** An incoming event before meta info: what ingest stored, or a line of an events file. */
export interface IncomingEvent {
  readonly data: Record<string, unknown>;
  /** Ingest source name; undefined = deliver to every ruleset (hookbook run --events). */
  readonly source?: string;
  readonly uuid: string;
  /** ms since epoch. */
  readonly receivedAt: number;
}

/** All ruleset sessions of the loaded rulebooks, the routing of events to them, and commands. */
export class Engine {
  readonly sessions: readonly RulesetSession[];
  private readonly byName = new Map<string, RulesetSession>();
  private readonly ids: IdGen;
  private readonly pipelines = new Map<RulesetSource, FilterPipeline>();

  constructor(private readonly opts: EngineOptions) {
    this.ids = opts.ids ?? randomIds;
    const sessions: RulesetSession[] = [];
    for (const rb of opts.rulebooks) {
      for (const rs of rb.rulesets) {
        const s = new RulesetSession({
          ruleset: rs,
          rulebookVersion: rb.version,
          clock: opts.clock,
          evaluator: opts.evaluator,
          onDeferred: (f) => opts.onDeferredFirings?.(f),
        });
        sessions.push(s);
        if (!this.byName.has(rs.name)) this.byName.set(rs.name, s);
      }
    }
    this.sessions = sessions;
  }

  /** Source names the rulesets listen to (ingest routes to create). */
  sourceNames(): Map<string, { plugin: string; args: Readonly<Record<string, unknown>>; ruleset: string }> {
    const out = new Map<string, { plugin: string; args: Readonly<Record<string, unknown>>; ruleset: string }>();
    for (const s of this.sessions) for (const src of s.ruleset.sources) if (!out.has(src.name)) out.set(src.name, { plugin: src.plugin, args: src.args, ruleset: s.ruleset.name });
    return out;
  }

  /** Evaluate one event in every ruleset it is routed to (after that source's filters); firings in ruleset order. */
  async process(incoming: IncomingEvent): Promise<ActionIntent[]> {
    const firings: ActionIntent[] = [];
    for (const session of this.sessions) {
      const source = routeSource(session.ruleset, incoming.source);
      if (!source) continue;
      const items = source.filters.length > 0 ? this.pipeline(source)(incoming.data) : [incoming.data];
      for (const [i, data] of items.entries()) {
        const event = insertMetaInfo(data, {
          sourceName: source.name,
          sourceType: source.plugin,
          receivedAt: incoming.receivedAt,
          uuid: items.length === 1 ? incoming.uuid : `${incoming.uuid}-${i}`,
        });
        firings.push(...(await session.processEvent(event)));
      }
    }
    return firings;
  }

  private pipeline(source: RulesetSource): FilterPipeline {
    let p = this.pipelines.get(source);
    if (!p) {
      p = compileFilters(source.filters, { warn: (m: string) => this.opts.warn?.(`source '${source.name}': ${m}`) });
      this.pipelines.set(source, p);
    }
    return p;
  }

  /** Apply an action's command (post_event, set_fact, retract_fact) to its target ruleset. */
  async apply(command: EngineCommand, currentRuleset: string): Promise<ActionIntent[]> {
    if (command.kind === "shutdown") return [];
    const target = this.byName.get(command.ruleset || currentRuleset);
    if (!target) {
      this.opts.warn?.(`${command.kind}: no ruleset named '${command.ruleset}'`);
      return [];
    }
    const meta = { sourceName: command.source, sourceType: "internal", receivedAt: this.opts.clock.now(), uuid: this.ids.uuid() };
    switch (command.kind) {
      case "post_event":
        return target.processEvent(insertMetaInfo(command.event, meta));
      case "set_fact":
        return target.assertFact(insertMetaInfo(command.fact, meta));
      case "retract_fact":
        return target.retractFact(command.fact, command.partial);
    }
  }
}

function routeSource(ruleset: Ruleset, source: string | undefined): RulesetSource | undefined {
  if (source === undefined) {
    return ruleset.sources[0] ?? { name: "events", plugin: "hookbook.events_file", args: {}, filters: [], pos: ruleset.pos };
  }
  return ruleset.sources.find((s) => s.name === source);
}
