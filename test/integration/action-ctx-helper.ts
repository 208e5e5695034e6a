import { memoryStateStore } from "../../src/actions/memory-state.js";
import type { ActionContext } from "../../src/actions/types.js";
import type { ActionIntent, IntentEvent } from "../../src/core/intent.js";

export interface CtxOptions {
  readonly name: string;
  readonly args: Record<string, unknown>;
  /** `{m: …}` for a single match (default `{m: {i: 1}}`), `{m_0: …, m_1: …}` for a multi match. */
  readonly matching?: Record<string, Record<string, unknown>>;
  readonly hosts?: string[];
  readonly integrations?: Record<string, Record<string, unknown>>;
  readonly commandTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** An ActionContext built by hand (what the runner passes a kind), recording progress calls. */
export function actionCtx(opts: CtxOptions): { ctx: ActionContext; progress: Record<string, unknown>[] } {
  const matching: Record<string, IntentEvent> = {};
  let n = 0;
  for (const [k, ev] of Object.entries(opts.matching ?? { m: { i: 1 } })) {
    matching[k] = { ...ev, meta: { uuid: `uuid-${++n}`, source: { name: "test", type: "generic" }, ...((ev.meta as Record<string, unknown> | undefined) ?? {}) } };
  }
  const keys = Object.keys(matching);
  const templateVars = keys.length === 1 && keys[0] === "m" ? { event: matching.m } : { events: matching };
  const intent: ActionIntent = {
    rulebookVersion: "v1",
    ruleset: "rs",
    rule: "r1",
    ruleIndex: 0,
    matchingEvents: matching,
    eventIds: Object.values(matching).map((e) => String(e.meta.uuid)),
    hosts: opts.hosts ?? ["all"],
    actions: [{ name: opts.name, args: opts.args, index: 0 }],
    ruleRunAt: new Date(0).toISOString(),
    key: "k-test",
  };
  const progress: Record<string, unknown>[] = [];
  const ctx: ActionContext = {
    intent,
    action: { name: opts.name, args: opts.args, index: 0 },
    args: opts.args,
    templateVars,
    signal: opts.signal ?? new AbortController().signal,
    output: { print: () => undefined },
    limits: { commandTimeoutMs: opts.commandTimeoutMs ?? 60_000, httpTimeoutMs: 5_000 },
    progress: async (d) => void progress.push({ ...d }),
    state: memoryStateStore(),
    integrations: opts.integrations ?? {},
    nowMs: () => Date.now(),
  };
  return { ctx, progress };
}
