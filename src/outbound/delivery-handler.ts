/**
 * One message of an endpoint's delivery subject (`whd.<endpointId>`), attempt n = the bus's
 * deliveryCount (a replay is a new message and starts at 1):
 *
 * - endpoint gone from the registry → dead letter `endpoint_deleted`; disabled → `endpoint_disabled`
 *   (never dropped silently), no HTTP request;
 * - 2xx → ack, delivered; the endpoint's failure marker is cleared;
 * - 410 → the endpoint is disabled (endpoint.disabled emitted) and the message dead-lettered `gone`;
 * - 429/503 with Retry-After → nak with that delay (capped at the schedule's largest delay);
 * - any other status, a timeout, a network/DNS/SSRF/TLS/OAuth error → nak with the schedule's
 *   delay ±20 %; after the last attempt → dead letter `exhausted`;
 * - a failure while the endpoint has been failing for `disableAfterMs` → the endpoint is
 *   disabled and this message dead-lettered `endpoint_disabled`.
 * Every attempt is recorded (wha.<endpointId>) and counted in the metrics. A dead letter is
 * stored before the message is acked; if that store fails the handler throws and the bus
 * redelivers (the next delivery dead-letters without another HTTP attempt).
 */
import type { Delivery } from "../bus/port.js";
import type { AttemptResult } from "./attempt-sender.js";
import { sendAttempt } from "./attempt-sender.js";
import { webhookMessageId } from "./message-id.js";
import { deadLetterRecord, writeAttempt, writeDeadLetter } from "./log-writer.js";
import type { OutboundContext } from "./outbound-context.js";
import { H_OUTCOME_ID, H_OUTCOME_SEQ, H_OUTCOME_TYPE, H_TRIGGER, endpointOfSubject } from "./outbound-streams.js";
import type { DeliveryTrigger } from "./outbound-streams.js";
import type { AttemptOutcome, AttemptRecord, DeadLetterReason } from "./records.js";
import { attemptBudget, retryAfterDelayMs, scheduledDelayMs } from "./retry-schedule.js";

interface MessageMeta {
  readonly endpointId: string;
  readonly outcomeId: string;
  readonly type: string;
  readonly outcomeSeq: number;
  readonly trigger: DeliveryTrigger;
}

function metaOf(d: Delivery): MessageMeta | undefined {
  const endpointId = endpointOfSubject(d.subject);
  let outcomeId = d.headers[H_OUTCOME_ID] ?? "";
  let type = d.headers[H_OUTCOME_TYPE] ?? "";
  if (outcomeId === "") {
    try {
      const o = d.json<{ id?: unknown; type?: unknown }>();
      if (typeof o.id === "string") outcomeId = o.id;
      if (typeof o.type === "string") type = o.type;
    } catch {
      // not JSON: handled below
    }
  }
  if (endpointId === "" || outcomeId === "") return undefined;
  const trigger = d.headers[H_TRIGGER];
  return {
    endpointId,
    outcomeId,
    type,
    outcomeSeq: Number(d.headers[H_OUTCOME_SEQ] ?? 0) || 0,
    trigger: trigger === "replay" || trigger === "recover" ? trigger : "route",
  };
}

export function attemptRecord(meta: MessageMeta, attempt: number, r: AttemptResult, outcome: AttemptOutcome, nextRetryMs?: number): AttemptRecord {
  return {
    endpoint_id: meta.endpointId,
    message_id: webhookMessageId(meta.outcomeId),
    outcome_id: meta.outcomeId,
    type: meta.type,
    attempt,
    at: new Date(r.startedAt).toISOString(),
    ...(r.status === undefined ? {} : { status: r.status }),
    latency_ms: r.latencyMs,
    ...(r.response === undefined || r.response === "" ? {} : { response: r.response }),
    ...(r.responseTruncated ? { response_truncated: true } : {}),
    ...(r.error === undefined ? {} : { error: r.error }),
    ...(r.errorKind === undefined ? {} : { error_kind: r.errorKind }),
    outcome,
    ...(nextRetryMs === undefined ? {} : { next_retry_ms: nextRetryMs }),
    trigger: meta.trigger,
  };
}

async function deadLetter(ctx: OutboundContext, d: Delivery, meta: MessageMeta, reason: DeadLetterReason, attempts: number, last: AttemptRecord | null): Promise<void> {
  const rec = deadLetterRecord({ ...meta, reason, at: ctx.clock.now(), attempts, lastAttempt: last, body: d.data });
  await writeDeadLetter(ctx.bus, rec, `dlq:${d.seq}`);
  ctx.metrics.deadLetters.inc({ endpoint: meta.endpointId, reason });
  ctx.logger.error({ endpointId: meta.endpointId, messageId: rec.message_id, reason, attempts }, "webhook message dead-lettered");
  await d.ack();
}

type Verdict =
  | { readonly kind: "delivered" }
  | { readonly kind: "retry"; readonly delayMs: number }
  | { readonly kind: "dead"; readonly reason: DeadLetterReason };

async function verdictOf(ctx: OutboundContext, meta: MessageMeta, n: number, r: AttemptResult): Promise<Verdict> {
  if (r.status !== undefined && r.status >= 200 && r.status < 300) return { kind: "delivered" };
  if (r.status === 410) return { kind: "dead", reason: "gone" };
  const failingSince = await ctx.health.recordFailure(meta.endpointId, r.startedAt);
  if (ctx.clock.now() - failingSince >= ctx.disableAfterMs) {
    await ctx.autoDisable(meta.endpointId, "failing", { failing_since: new Date(failingSince).toISOString(), last_status: r.status ?? null, last_error: r.error ?? null });
    return { kind: "dead", reason: "endpoint_disabled" };
  }
  if (n >= attemptBudget(ctx.schedule)) return { kind: "dead", reason: "exhausted" };
  const delayMs = r.retryAfterMs !== undefined ? retryAfterDelayMs(ctx.schedule, r.retryAfterMs) : (scheduledDelayMs(ctx.schedule, n, ctx.random) ?? 0);
  return { kind: "retry", delayMs };
}

export async function handleDelivery(ctx: OutboundContext, d: Delivery): Promise<void> {
  const meta = metaOf(d);
  if (meta === undefined) {
    ctx.logger.error({ subject: d.subject, seq: d.seq }, "delivery message without outcome id; terminated");
    d.term("invalid delivery message");
    return;
  }
  const entry = ctx.registry.get(meta.endpointId);
  const n = d.deliveryCount;
  if (entry === undefined) return deadLetter(ctx, d, meta, "endpoint_deleted", n - 1, null);
  if (entry.sub.status === "disabled") return deadLetter(ctx, d, meta, "endpoint_disabled", n - 1, null);
  // Redelivered past the budget (a crash, or a dead letter that could not be stored): no new attempt.
  if (n > attemptBudget(ctx.schedule)) return deadLetter(ctx, d, meta, "exhausted", n - 1, null);

  const r = await sendAttempt(ctx.attemptDeps, entry.sub, webhookMessageId(meta.outcomeId), d.data, entry.source === "config");
  const verdict = await verdictOf(ctx, meta, n, r);
  const outcome: AttemptOutcome = verdict.kind;
  const rec = attemptRecord(meta, n, r, outcome, verdict.kind === "retry" ? verdict.delayMs : undefined);
  await writeAttempt(ctx.bus, rec, `a:${d.seq}:${n}`, (o, m) => ctx.logger.warn(o, m));
  ctx.metrics.attempts.inc({ endpoint: meta.endpointId, outcome });
  ctx.metrics.latency.observe({ endpoint: meta.endpointId }, r.latencyMs / 1000);

  if (verdict.kind === "delivered") {
    await ctx.health.recordSuccess(meta.endpointId, r.startedAt);
    await d.ack();
    ctx.metrics.deliveries.inc({ endpoint: meta.endpointId });
    return;
  }
  if (verdict.kind === "retry") {
    ctx.logger.warn({ endpointId: meta.endpointId, messageId: rec.message_id, attempt: n, status: r.status, error: r.error, retryInMs: verdict.delayMs }, "webhook delivery failed; will retry");
    d.nak(verdict.delayMs);
    return;
  }
  if (verdict.reason === "gone") await ctx.autoDisable(meta.endpointId, "gone", { last_status: 410 });
  await deadLetter(ctx, d, meta, verdict.reason, n, rec);
}
