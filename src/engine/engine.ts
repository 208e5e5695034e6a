import type { Clock } from "../core/clock.js";
import type { ActionIntent } from "../core/intent.js";
import type { Rulebook, Ruleset } from "../rulebook/model.js";
import { insertMetaInfo } from "./event-meta.js";
import type { EngineEvent } from "./event-meta.js";
import type { EvaluatorKind } from "./matcher.js";
import { RulesetSession } from "./session.js";

export interface EngineOptions {
  readonly rulebooks: readonly Rulebook[];
  readonly clock: Clock;
  readonly evaluator: EvaluatorKind;
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

/** All ruleset sessions of the loaded rulebooks, and the routing of events to them. */
export class Engine {
  readonly sessions: readonly RulesetSession[];
  private readonly byRuleset = new Map<RulesetSession, Rulebook>();

  constructor(opts: EngineOptions) {
    const sessions: RulesetSession[] = [];
    for (const rb of opts.rulebooks) {
      for (const rs of rb.rulesets) {
        const s = new RulesetSession({ ruleset: rs, rulebookVersion: rb.version, clock: opts.clock, evaluator: opts.evaluator });
        sessions.push(s);
        this.byRuleset.set(s, rb);
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

  /** Evaluate one event in every ruleset it is routed to; firings in ruleset order. */
  async process(incoming: IncomingEvent): Promise<ActionIntent[]> {
    const firings: ActionIntent[] = [];
    for (const session of this.sessions) {
      const source = routeSource(session.ruleset, incoming.source);
      if (!source) continue;
      const event: EngineEvent = insertMetaInfo(incoming.data, {
        sourceName: source.name,
        sourceType: source.plugin,
        receivedAt: incoming.receivedAt,
        uuid: incoming.uuid,
      });
      firings.push(...(await session.process(event)));
    }
    return firings;
  }
}

function routeSource(ruleset: Ruleset, source: string | undefined): { name: string; plugin: string } | undefined {
  if (source === undefined) {
    const first = ruleset.sources[0];
    return first ? { name: first.name, plugin: first.plugin } : { name: "events", plugin: "hookbook.events_file" };
  }
  const match = ruleset.sources.find((s) => s.name === source);
  return match ? { name: match.name, plugin: match.plugin } : undefined;
}
