import type { ActionKind, ActionResult } from "../types.js";
import { failureResult, successResult } from "./action-result.js";
import { RemoteFailure } from "./http-call.js";
import { settingsOf } from "./integration-settings.js";
import { secretValues } from "./redact.js";
import { parseResolveArgs } from "./ticket-args.js";
import { markResolved, settled } from "./ticket-store.js";
import { storeOptions, systemCall, ticketSystem } from "./systems.js";

/**
 * `resolve_ticket`: resolves / closes the ticket open for (system, dedup_key) and marks the mapping
 * resolved. No mapping: nothing to do (PagerDuty still gets a resolve event, it dedups itself);
 * already resolved: nothing to do; the ticket is gone (404/410): the mapping is marked resolved.
 */
export const resolveTicketAction: ActionKind = {
  name: "resolve_ticket",
  external: true,
  async run(ctx): Promise<ActionResult> {
    const secrets = secretValues(ctx.integrations);
    const base: Record<string, unknown> = { system: ctx.args.system, dedup_key: ctx.args.dedup_key };
    try {
      const input = parseResolveArgs(ctx.args);
      const system = ticketSystem(input.system);
      const settings = settingsOf(ctx.integrations, system.name);
      system.check(settings);
      const call = systemCall(ctx, settings);
      const store = storeOptions(ctx, system.name, input.dedupKey);
      const cur = await settled(store);
      const ticket = cur?.value.status === "open" ? cur.value.ticket : undefined;
      if (!ticket) {
        if (cur?.value.status === "resolved") return successResult({ ...base, action: "none", reason: "already_resolved", ticket: cur.value.ticket }, secrets);
        if (system.resolveUnmapped) {
          const extra = await system.resolveUnmapped(call, input.dedupKey, input.comment);
          return successResult({ ...base, action: "resolved", reason: "no_mapping", ...extra }, secrets);
        }
        return successResult({ ...base, action: "none", reason: "no_ticket" }, secrets);
      }
      let extra: Record<string, unknown>;
      let missing = false;
      try {
        extra = await system.resolve(call, ticket, input.comment);
      } catch (err) {
        const status = err instanceof RemoteFailure ? err.data.status : undefined;
        if (status !== 404 && status !== 410) throw err;
        missing = true;
        extra = { ticket_missing: true, status };
      }
      await markResolved(store, ticket, missing);
      return successResult({ ...base, action: "resolved", ticket, ...extra }, secrets);
    } catch (err) {
      return failureResult(err, secrets, base);
    }
  },
};
