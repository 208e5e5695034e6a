import type { ActionContext } from "../types.js";
import { timeoutMs } from "../timeout-arg.js";
import { callJson } from "./http-call.js";
import { githubSystem } from "./github.js";
import type { Settings } from "./integration-settings.js";
import { jiraSystem } from "./jira.js";
import { pagerdutySystem } from "./pagerduty.js";
import { servicenowSystem } from "./servicenow.js";
import type { SystemCall, TicketSystem, TicketSystemName } from "./ticket-system.js";
import type { StoreOptions } from "./ticket-store.js";
import { ticketStateKey } from "./ticket-store.js";

const SYSTEMS: Readonly<Record<TicketSystemName, TicketSystem>> = {
  jira: jiraSystem,
  github: githubSystem,
  pagerduty: pagerdutySystem,
  servicenow: servicenowSystem,
};

export function ticketSystem(name: TicketSystemName): TicketSystem {
  return SYSTEMS[name];
}

/** Per-request deadline: the action's `timeout` argument, else the configured HTTP timeout. */
export function requestTimeoutMs(ctx: ActionContext): number {
  return timeoutMs(ctx.args.timeout, ctx.limits.httpTimeoutMs);
}

export function systemCall(ctx: ActionContext, settings: Settings): SystemCall {
  const limit = requestTimeoutMs(ctx);
  return { settings, http: (req) => callJson(req, { signal: ctx.signal, timeoutMs: limit }) };
}

/** Options of the mapping for this action run; a claim is abandoned after two request timeouts. */
export function storeOptions(ctx: ActionContext, system: StoreOptions["system"], dedupKey: string): StoreOptions {
  return {
    state: ctx.state,
    key: ticketStateKey(system, dedupKey),
    system,
    dedupKey,
    nowMs: ctx.nowMs,
    signal: ctx.signal,
    staleMs: 2 * requestTimeoutMs(ctx) + 1000,
  };
}
