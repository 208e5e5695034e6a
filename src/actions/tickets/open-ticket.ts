import type { ActionKind, ActionResult } from "../types.js";
import { failureResult, successResult } from "./action-result.js";
import { settingsOf } from "./integration-settings.js";
import { redact, secretValues } from "./redact.js";
import { parseOpenArgs } from "./ticket-args.js";
import type { TicketRef } from "./ticket-system.js";
import { acquire, countUpdate, markFailed, markOpen } from "./ticket-store.js";
import { storeOptions, systemCall, ticketSystem } from "./systems.js";

/**
 * `open_ticket`: one ticket per (system, dedup_key). The first run claims the key in the action
 * state (create = compare-and-set) and creates the ticket; later runs comment on / re-trigger the
 * open ticket; after resolve_ticket a later run creates a new ticket.
 */
export const openTicketAction: ActionKind = {
  name: "open_ticket",
  external: true,
  async run(ctx): Promise<ActionResult> {
    const secrets = secretValues(ctx.integrations);
    const base: Record<string, unknown> = { system: ctx.args.system, dedup_key: ctx.args.dedup_key };
    try {
      const input = parseOpenArgs(ctx.args);
      const system = ticketSystem(input.system);
      const settings = settingsOf(ctx.integrations, system.name);
      system.check(settings, input);
      const call = systemCall(ctx, settings);
      const store = storeOptions(ctx, system.name, input.dedupKey);
      const got = await acquire(store);
      if (got.kind === "open") {
        const ticket = got.record.ticket;
        const extra = await system.update(call, ticket, input);
        const updates = await countUpdate(store, ticket);
        return successResult({ ...base, action: "updated", ticket, ...(updates !== undefined ? { updates } : {}), ...extra }, secrets);
      }
      let ticket: TicketRef;
      try {
        ticket = await system.create(call, input);
      } catch (err) {
        await markFailed(store, got, redact(err instanceof Error ? err.message : String(err), secrets)).catch(() => undefined);
        throw err;
      }
      await markOpen(store, got, ticket);
      const previous = got.record.previous?.at(-1)?.ticket;
      return successResult({ ...base, action: "created", ticket, ...(previous ? { previous_ticket: previous } : {}) }, secrets);
    } catch (err) {
      return failureResult(err, secrets, base);
    }
  },
};
