/**
 * One message of an endpoint's delivery subject (`whd.<endpointId>`). Attempt n = the attempts
 * recorded for it + 1 (health-store.ts: a message can be redelivered without an attempt, so the
 * bus's deliveryCount only stands in when nothing is recorded, e.g. another replica made the
 * earlier attempts; a replay is a new message and starts at 1):
 *
 * - endpoint gone from the registry → dead letter `endpoint_deleted`; disabled → `endpoint_disabled`
 *   (never dropped silently), no HTTP request;
 * - before the attempt, without it counting as one: the circuit breaker (open → the handler holds
 *   the message until it half-opens; half-open → one attempt at a time) and the endpoint's rate
 *   limit (it waits for a token). While waiting it calls working() so the message is not
 *   redelivered. A consumer stop aborts these waits: the message is nakked at once, no attempt made;
 * - 2xx → ack, delivered; the endpoint's failure marker is cleared;
 * - 410, or the header `webhook-delivery: disable` with a non-2xx answer → the endpoint is
 *   disabled (endpoint.disabled emitted) and the message dead-lettered `gone` / `receiver_disabled`
 *   (with a 2xx answer the message counts as delivered and the endpoint is disabled);
 * - `webhook-delivery: abort-message` with a non-2xx answer → dead letter `aborted`, no retry;
 * - 429/503 with Retry-After → nak with that delay (capped at the schedule's largest delay);
 * - any other status, a timeout, a network/DNS/SSRF/TLS/OAuth error → nak with the schedule's
 *   delay ±20 % (after a timeout or a 429 without Retry-After at least a minute, or the
 *   schedule's largest delay when that is shorter); after the last attempt → dead letter `exhausted`;
 * - delivery mode at_most_once: a failure that may have reached the receiver (any HTTP answer,
 *   a timeout or reset after the connection was up) → dead letter `at_most_once`, no retry;
 *   only failures that prove it never did (dns, connect, tls, ssrf, proxy, oauth2) are retried;
 * - a failure while the endpoint has been failing for `disableAfterMs` → the endpoint is
 *   disabled and this message dead-lettered `endpoint_disabled`.
 * Every attempt is recorded (wha.<endpointId>), counted in the metrics and reported to the
 * breaker; message.attempt.failing / .exhausted / .recovered are emitted (ops-events.ts). A dead
 * letter is stored before the message is acked; if that store fails the handler throws and the
 * bus redelivers (the next delivery dead-letters without another HTTP attempt).
 */
import type { Delivery } from "../bus/port.js";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { AttemptResult } from "./attempt-sender.js";
import { isDelivered, sendAttempt } from "./attempt-sender.js";
import { NOT_SENT_KINDS } from "./http-client.js";
import type { DeliveryMode } from "./subscription.js";
import type { TransformedRequest } from "./attempt-sender.js";
import { H_TRANSFORM, decodeTransformHeader } from "./transform.js";
import type { Permit } from "./breaker-registry.js";
import type { EndpointEntry } from "./endpoint-registry.js";
import { webhookMessageId } from "./message-id.js";
import { deadLetterRecord, writeAttempt, writeDeadLetter } from "./log-writer.js";
import type { MessageAttemptType } from "./ops-events.js";
import { ATTEMPT_EXHAUSTED, ATTEMPT_FAILING, ATTEMPT_RECOVERED, FAILING_AFTER_ATTEMPTS, isMessageAttemptEvent, messageAttemptEvent, publishOpsEvent } from "./ops-events.js";
import type { OutboundContext } from "./outbound-context.js";
import { H_OUTCOME_ID, H_OUTCOME_SEQ, H_OUTCOME_TYPE, H_TRIGGER, endpointOfSubject } from "./outbound-streams.js";
import type { DeliveryTrigger } from "./outbound-streams.js";
import type { AttemptOutcome, AttemptRecord, DeadLetterReason } from "./records.js";
import { attemptBudget, overloadDelayMs, retryAfterDelayMs, scheduledDelayMs } from "./retry-schedule.js";

interface MessageMeta {
  readonly endpointId: string;
  readonly outcomeId: string;
  readonly type: string;
  readonly outcomeSeq: number;
  readonly trigger: DeliveryTrigger;
  /** The body is the endpoint's transform of the outcome (router.ts): its content type and rendered headers. */
  readonly transformed?: TransformedRequest;
}

/** What the consumer running the handler tells it. */
export interface HandlerScope {
  /** Aborted when that consumer is stopped: waits end and the message is nakked without an attempt. */
  readonly signal: AbortSignal;
  /** The consumer's ack wait: while waiting the handler calls working() at least every third of it. */
  readonly ackWaitMs: number;
}

const DEFAULT_ACK_WAIT_MS = 30_000;

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
  const transformed = decodeTransformHeader(d.headers[H_TRANSFORM]);
  return {
    ...(transformed === undefined ? {} : { transformed }),
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
  await ctx.health.clearAttempts(meta.endpointId, d.seq);
  await d.ack();
}

/** message.attempt.* about this message (never about one that is itself such an event); a failure to emit is logged. */
async function emitAttemptEvent(ctx: OutboundContext, type: MessageAttemptType, d: Delivery, meta: MessageMeta, attempt: number, r: AttemptResult | undefined): Promise<void> {
  if (isMessageAttemptEvent(meta.type)) return;
  const info = {
    endpointId: meta.endpointId,
    messageId: webhookMessageId(meta.outcomeId),
    outcomeId: meta.outcomeId,
    type: meta.type,
    attempt,
    seq: d.seq,
    ...(r?.status === undefined ? {} : { lastStatus: r.status }),
    ...(r?.error === undefined ? {} : { lastError: r.error }),
  };
  await publishOpsEvent(ctx.bus, messageAttemptEvent(type, info, ctx.clock.now())).catch((err: unknown) =>
    ctx.logger.error({ endpointId: meta.endpointId, messageId: info.messageId, err }, `could not emit ${type}`),
  );
}

type Verdict =
  | { readonly kind: "delivered" }
  | { readonly kind: "retry"; readonly delayMs: number }
  | { readonly kind: "dead"; readonly reason: DeadLetterReason };

type ReceiverControl = "disable" | "abort-message";

/** Values of `webhook-delivery` already warned about (endpoint + value), bounded. */
const warnedControls = new Set<string>();

function receiverControl(ctx: OutboundContext, endpointId: string, value: string | undefined): ReceiverControl | undefined {
  if (value === undefined) return undefined;
  if (value === "disable" || value === "abort-message") return value;
  const key = `${endpointId} ${value}`;
  if (!warnedControls.has(key)) {
    if (warnedControls.size >= 1000) warnedControls.clear();
    warnedControls.add(key);
    ctx.logger.warn({ endpointId, value }, "unknown webhook-delivery response header value ignored (known: disable, abort-message)");
  }
  return undefined;
}

/** at_most_once: a failed attempt is retried only when it provably never reached the receiver (no connection, TLS refused, SSRF/proxy refusal, no OAuth2 token). */
export const neverReachedReceiver = (r: AttemptResult): boolean => r.status === undefined && r.errorKind !== undefined && (NOT_SENT_KINDS.has(r.errorKind) || r.errorKind === "oauth2");

async function verdictOf(ctx: OutboundContext, meta: MessageMeta, n: number, r: AttemptResult, control: ReceiverControl | undefined, mode: DeliveryMode): Promise<Verdict> {
  if (isDelivered(r)) return { kind: "delivered" };
  if (control === "disable") return { kind: "dead", reason: "receiver_disabled" };
  if (r.status === 410) return { kind: "dead", reason: "gone" };
  // The receiver's explicit decision about this message: not a sign of an unhealthy endpoint.
  if (control === "abort-message") return { kind: "dead", reason: "aborted" };
  const failingSince = await ctx.health.recordFailure(meta.endpointId, r.startedAt);
  if (ctx.clock.now() - failingSince >= ctx.disableAfterMs) {
    await ctx.autoDisable(meta.endpointId, "failing", { failing_since: new Date(failingSince).toISOString(), last_status: r.status ?? null, last_error: r.error ?? null });
    return { kind: "dead", reason: "endpoint_disabled" };
  }
  if (mode === "at_most_once" && !neverReachedReceiver(r)) return { kind: "dead", reason: "at_most_once" };
  if (n >= attemptBudget(ctx.schedule)) return { kind: "dead", reason: "exhausted" };
  if (r.retryAfterMs !== undefined) return { kind: "retry", delayMs: retryAfterDelayMs(ctx.schedule, r.retryAfterMs) };
  const scheduled = scheduledDelayMs(ctx.schedule, n, ctx.random) ?? 0;
  const overloaded = r.errorKind === "timeout" || r.status === 429;
  const delayMs = overloaded ? overloadDelayMs(ctx.schedule, scheduled) : scheduled;
  return { kind: "retry", delayMs };
}

/** Calls `fn` every `everyMs` until stopped. */
function startTicker(clock: Clock, everyMs: number, fn: () => void): () => void {
  let timer: TimerHandle | undefined;
  let stopped = false;
  const arm = (): void => {
    timer = clock.setTimer(everyMs, () => {
      if (stopped) return;
      fn();
      arm();
    });
  };
  arm();
  return () => {
    stopped = true;
    timer?.cancel();
  };
}

/** Redeliver without an attempt (the attempt counter is not touched). */
function skip(d: Delivery, delayMs: number): undefined {
  d.nak(delayMs);
  return undefined;
}

/** The breaker and the rate limit, before an attempt; undefined = the message was nakked without one. */
async function admit(ctx: OutboundContext, d: Delivery, meta: MessageMeta, scope: HandlerScope | undefined): Promise<{ entry: EndpointEntry; permit: Permit } | undefined> {
  const id = meta.endpointId;
  const signal = scope?.signal;
  if (signal?.aborted) return skip(d, 0);
  const stopTicks = startTicker(ctx.clock, Math.max(10, Math.floor((scope?.ackWaitMs ?? DEFAULT_ACK_WAIT_MS) / 3)), () => d.working());
  let permit: Permit;
  try {
    const admission = await ctx.breakers.admit(id, signal);
    if (admission === "aborted") return skip(d, 0);
    permit = admission;
    const limit = ctx.registry.get(id)?.sub.rateLimit;
    if (limit !== undefined) {
      const token = await ctx.limiter.take(id, limit, signal);
      if (token === "aborted") {
        permit.release();
        return skip(d, 0);
      }
      if (token.throttled) {
        ctx.metrics.throttled.inc({ endpoint: id });
        ctx.metrics.throttleWait.observe({ endpoint: id }, token.waitedMs / 1000);
      }
    }
  } finally {
    stopTicks();
  }
  // The endpoint may have changed while waiting: the attempt uses what it is now.
  const entry = ctx.registry.get(id);
  if (signal?.aborted || entry === undefined || entry.sub.status !== "enabled") {
    permit.release();
    return skip(d, 0);
  }
  return { entry, permit };
}

export async function handleDelivery(ctx: OutboundContext, d: Delivery, scope?: HandlerScope): Promise<void> {
  const meta = metaOf(d);
  if (meta === undefined) {
    ctx.logger.error({ subject: d.subject, seq: d.seq }, "delivery message without outcome id; terminated");
    d.term("invalid delivery message");
    return;
  }
  const entry = ctx.registry.get(meta.endpointId);
  const made = ctx.health.attemptsMade(meta.endpointId, d.seq);
  const n = made === undefined ? d.deliveryCount : made + 1;
  if (entry === undefined) return deadLetter(ctx, d, meta, "endpoint_deleted", n - 1, null);
  if (entry.sub.status === "disabled") return deadLetter(ctx, d, meta, "endpoint_disabled", n - 1, null);
  // Redelivered past the budget (a crash, or a dead letter that could not be stored): no new attempt.
  if (n > attemptBudget(ctx.schedule)) {
    await emitAttemptEvent(ctx, ATTEMPT_EXHAUSTED, d, meta, n - 1, undefined);
    return deadLetter(ctx, d, meta, "exhausted", n - 1, null);
  }
  const admitted = await admit(ctx, d, meta, scope);
  if (admitted === undefined) return;
  try {
    await attempt(ctx, d, meta, admitted.entry, n);
  } finally {
    admitted.permit.release();
  }
}

async function attempt(ctx: OutboundContext, d: Delivery, meta: MessageMeta, entry: EndpointEntry, n: number): Promise<void> {
  const id = meta.endpointId;
  const r = await sendAttempt(ctx.attemptDeps, entry.sub, webhookMessageId(meta.outcomeId), d.data, entry.source === "config", meta.transformed);
  const control = receiverControl(ctx, id, r.deliveryControl);
  const verdict = await verdictOf(ctx, meta, n, r, control, entry.sub.deliveryMode ?? "at_least_once");
  const outcome: AttemptOutcome = verdict.kind;
  const rec = attemptRecord(meta, n, r, outcome, verdict.kind === "retry" ? verdict.delayMs : undefined);
  await writeAttempt(ctx.bus, rec, `a:${d.seq}:${n}`, (o, m) => ctx.logger.warn(o, m));
  ctx.metrics.attempts.inc({ endpoint: id, outcome });
  ctx.metrics.latency.observe({ endpoint: id }, r.latencyMs / 1000);
  // The breaker hears about the endpoint's health; not about the receiver's explicit decisions or a disabled endpoint.
  if (verdict.kind !== "dead" || verdict.reason === "exhausted" || verdict.reason === "at_most_once") await ctx.breakers.record(id, verdict.kind === "delivered");
  if (verdict.kind !== "delivered" && n === FAILING_AFTER_ATTEMPTS) await emitAttemptEvent(ctx, ATTEMPT_FAILING, d, meta, n, r);

  if (verdict.kind === "delivered") {
    if (n > FAILING_AFTER_ATTEMPTS) await emitAttemptEvent(ctx, ATTEMPT_RECOVERED, d, meta, n, r);
    await ctx.health.recordSuccess(id, r.startedAt);
    await ctx.health.clearAttempts(id, d.seq);
    await d.ack();
    ctx.metrics.deliveries.inc({ endpoint: id });
    if (control === "disable") await ctx.autoDisable(id, "receiver", { last_status: r.status ?? null });
    return;
  }
  if (verdict.kind === "retry") {
    ctx.logger.warn({ endpointId: id, messageId: rec.message_id, attempt: n, status: r.status, error: r.error, retryInMs: verdict.delayMs }, "webhook delivery failed; will retry");
    await ctx.health.recordAttempt(id, d.seq, n);
    d.nak(verdict.delayMs);
    return;
  }
  if (verdict.reason === "gone") await ctx.autoDisable(id, "gone", { last_status: 410 });
  if (verdict.reason === "receiver_disabled") await ctx.autoDisable(id, "receiver", { last_status: r.status ?? null, last_error: r.error ?? null });
  if (verdict.reason === "exhausted" || verdict.reason === "at_most_once") await emitAttemptEvent(ctx, ATTEMPT_EXHAUSTED, d, meta, n, r);
  await deadLetter(ctx, d, meta, verdict.reason, n, rec);
}
