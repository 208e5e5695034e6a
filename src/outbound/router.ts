/**
 * Fan-out (reference/webhooks.md §5.1): a durable consumer on HB_OUTCOMES copies each outcome,
 * byte for byte, to `whd.<endpointId>` of every endpoint whose event patterns and payload filter
 * match, with `Nats-Msg-Id = <outcome id>:<endpoint id>` so a redelivered outcome is absorbed by
 * the delivery stream's duplicate window. A disabled endpoint's copy goes straight to the dead
 * letters (reason endpoint_disabled): listable and replayable, never silently dropped. The
 * outcome is acked only after every copy is stored; a failed publish naks it for a retry.
 */
import type { ConsumerHandle, Delivery } from "../bus/port.js";
import { STREAM_OUTCOMES } from "../bus/streams.js";
import type { OutcomeMessage } from "../core/outcome.js";
import { deadLetterRecord, writeDeadLetter } from "./log-writer.js";
import type { OutboundContext } from "./outbound-context.js";
import { H_OUTCOME_ID, H_OUTCOME_SEQ, H_OUTCOME_TYPE, H_TRIGGER, ROUTER_DURABLE, deliverySubject } from "./outbound-streams.js";

export function isOutcome(value: unknown): value is OutcomeMessage {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v["id"] === "string" && v["id"].length > 0 && typeof v["type"] === "string" && typeof v["data"] === "object" && v["data"] !== null;
}

export async function routeOutcome(ctx: OutboundContext, d: Delivery): Promise<void> {
  let outcome: unknown;
  try {
    outcome = d.json();
  } catch {
    outcome = undefined;
  }
  if (!isOutcome(outcome)) {
    ctx.logger.error({ seq: d.seq, subject: d.subject }, "outcome message is not valid; not routed");
    d.term("invalid outcome message");
    return;
  }
  const o = outcome;
  await Promise.all(
    ctx.registry.matching(o).map(async (entry) => {
      const id = entry.sub.id;
      if (entry.sub.status === "disabled") {
        const rec = deadLetterRecord({ endpointId: id, outcomeId: o.id, type: o.type, reason: "endpoint_disabled", at: ctx.clock.now(), attempts: 0, lastAttempt: null, outcomeSeq: d.seq, body: d.data });
        await writeDeadLetter(ctx.bus, rec, `dlq:r:${o.id}:${id}`);
        ctx.metrics.deadLetters.inc({ endpoint: id, reason: "endpoint_disabled" });
        return;
      }
      await ctx.bus.publish(deliverySubject(id), d.data, {
        msgId: `${o.id}:${id}`,
        headers: { [H_OUTCOME_ID]: o.id, [H_OUTCOME_TYPE]: o.type, [H_OUTCOME_SEQ]: String(d.seq), [H_TRIGGER]: "route" },
      });
      ctx.metrics.routed.inc({ endpoint: id });
    }),
  );
}

/** Start the router. A new router durable starts at new outcomes (no history replay). */
export async function startRouter(ctx: OutboundContext): Promise<ConsumerHandle> {
  return ctx.bus.consume(
    { stream: STREAM_OUTCOMES, durable: ROUTER_DURABLE, filterSubjects: ["outcomes.>"], ackWaitMs: 60_000, maxAckPending: 64, deliverPolicy: "new" },
    (d) => routeOutcome(ctx, d),
  );
}
