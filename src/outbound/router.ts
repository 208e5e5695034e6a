/**
 * Fan-out (reference/webhooks.md §5.1): a durable consumer on HB_OUTCOMES copies each outcome,
 * byte for byte, to `whd.<endpointId>` of every endpoint whose event patterns and payload filter
 * match, with `Nats-Msg-Id = <outcome id>:<endpoint id>` so a redelivered outcome is absorbed by
 * the delivery stream's duplicate window. A disabled endpoint's copy goes straight to the dead
 * letters (reason endpoint_disabled): listable and replayable, never silently dropped. The
 * outcome is acked only after every copy is stored; a failed publish naks it for a retry.
 *
 * Backpressure: the delivery stream has a size limit with discard new. When it is full the
 * publish fails with HB_ERR_BUS_FULL and the outcome is nak'ed with a growing delay (5 s
 * doubling to 60 s by default) instead of being lost: outcomes wait on HB_OUTCOMES until the
 * endpoints have caught up. Copies already stored for an outcome held back are remembered
 * (in this process), so its redelivery does not store them again even after the duplicate
 * window. Counted in `hookbook_webhook_backpressure_total`, logged at most once a minute.
 *
 * Transformations (transform.ts): an endpoint with a `transform` gets the rendered body instead
 * of the outcome; it is rendered here, once, and stored as the delivery message (with its content
 * type and rendered headers in the `Hb-Transform` header), so every attempt and every replay sends
 * and signs exactly those bytes. Payload filters match the original outcome, before. A rendering
 * error dead-letters that (outcome, endpoint) with reason transform_failed and the error (logged,
 * counted in hookbook_webhook_dead_letters_total); the other endpoints are routed as usual.
 */
import type { ConsumerHandle, Delivery } from "../bus/port.js";
import { STREAM_OUTCOMES } from "../bus/streams.js";
import { isHookbookError } from "../core/errors.js";
import type { OutcomeMessage } from "../core/outcome.js";
import { deadLetterRecord, writeDeadLetter } from "./log-writer.js";
import type { OutboundContext } from "./outbound-context.js";
import type { EndpointEntry } from "./endpoint-registry.js";
import { H_TRANSFORM, TransformError, encodeTransformHeader, renderTransform } from "./transform.js";
import type { RenderedTransform } from "./transform.js";
import { H_OUTCOME_ID, H_OUTCOME_SEQ, H_OUTCOME_TYPE, H_TRIGGER, ROUTER_DURABLE, STREAM_WEBHOOK_DELIVERY, deliverySubject } from "./outbound-streams.js";

export function isOutcome(value: unknown): value is OutcomeMessage {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v["id"] === "string" && v["id"].length > 0 && typeof v["type"] === "string" && typeof v["data"] === "object" && v["data"] !== null;
}

export interface BackpressureOptions {
  /** Delay of the first redelivery of an outcome held back (default 5 s); doubles per redelivery. */
  readonly initialDelayMs: number;
  /** Longest delay (default 60 s). */
  readonly maxDelayMs: number;
  /** At most one warning per this interval (default 60 s). */
  readonly warnIntervalMs: number;
}

export const BACKPRESSURE_DEFAULTS: BackpressureOptions = { initialDelayMs: 5_000, maxDelayMs: 60_000, warnIntervalMs: 60_000 };

/** Outcomes held back whose stored copies are remembered, at most (the router has 64 in flight). */
const MAX_REMEMBERED = 10_000;

/** What the router keeps between deliveries of an outcome. */
export class RouterState {
  /** Outcome seq → endpoints whose copy is stored, for outcomes held back by a full stream. */
  private readonly stored = new Map<number, Set<string>>();
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private heldSinceWarn = 0;
  private full = false;

  constructor(readonly backpressure: BackpressureOptions = BACKPRESSURE_DEFAULTS) {}

  copiesOf(seq: number): Set<string> {
    return this.stored.get(seq) ?? new Set<string>();
  }

  remember(seq: number, copies: Set<string>): void {
    this.stored.delete(seq);
    this.stored.set(seq, copies);
    if (this.stored.size > MAX_REMEMBERED) {
      const oldest = this.stored.keys().next();
      if (!oldest.done) this.stored.delete(oldest.value);
    }
  }

  /** The outcome is fully routed; true when it had been held back while the stream was full. */
  routed(seq: number): boolean {
    return this.stored.delete(seq);
  }

  delayMs(deliveryCount: number): number {
    const { initialDelayMs, maxDelayMs } = this.backpressure;
    return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(20, Math.max(0, deliveryCount - 1)));
  }

  /** Call when an outcome is held back; true when a warning is due (then `held` is how many since the last). */
  heldBack(now: number): { warn: boolean; held: number } {
    this.full = true;
    this.heldSinceWarn++;
    if (now - this.lastWarnAt < this.backpressure.warnIntervalMs) return { warn: false, held: this.heldSinceWarn };
    const held = this.heldSinceWarn;
    this.lastWarnAt = now;
    this.heldSinceWarn = 0;
    return { warn: true, held };
  }

  /** Call when an outcome was routed; true once after the stream was full. */
  flowing(): boolean {
    const was = this.full;
    this.full = false;
    return was;
  }
}

/** The endpoint's transform of the outcome, undefined without one; throws TransformError. */
export function transformFor(entry: EndpointEntry, outcome: OutcomeMessage): RenderedTransform | undefined {
  const t = entry.sub.transform;
  if (t === undefined) return undefined;
  try {
    return renderTransform(t, outcome);
  } catch (err) {
    if (err instanceof TransformError) throw err;
    throw new TransformError("transform", err instanceof Error ? err.message : String(err), "HB_ERR_TEMPLATE_RUNTIME");
  }
}

const isFull = (err: unknown): boolean => isHookbookError(err) && err.code === "HB_ERR_BUS_FULL";

export async function routeOutcome(ctx: OutboundContext, d: Delivery, state: RouterState = new RouterState()): Promise<void> {
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
  const copies = state.copiesOf(d.seq);
  const results = await Promise.allSettled(
    ctx.registry.matching(o).map(async (entry) => {
      const id = entry.sub.id;
      if (copies.has(id)) return;
      let rendered: RenderedTransform | undefined;
      try {
        rendered = transformFor(entry, o);
      } catch (err) {
        const e = err as TransformError;
        const rec = deadLetterRecord({ endpointId: id, outcomeId: o.id, type: o.type, reason: "transform_failed", at: ctx.clock.now(), attempts: 0, lastAttempt: null, outcomeSeq: d.seq, body: d.data, error: e.message });
        await writeDeadLetter(ctx.bus, rec, `dlq:t:${o.id}:${id}`);
        ctx.metrics.deadLetters.inc({ endpoint: id, reason: "transform_failed" });
        ctx.logger.error({ endpointId: id, outcomeId: o.id, type: o.type, path: e.path, code: e.code, error: e.message }, "webhook transform failed; the outcome is dead-lettered for this endpoint (transform_failed)");
        copies.add(id);
        return;
      }
      const body = rendered?.body ?? d.data;
      const transformed = rendered === undefined ? {} : { outcome: o, transformed: { contentType: rendered.contentType, headers: rendered.headers } };
      if (entry.sub.status === "disabled") {
        const rec = deadLetterRecord({ endpointId: id, outcomeId: o.id, type: o.type, reason: "endpoint_disabled", at: ctx.clock.now(), attempts: 0, lastAttempt: null, outcomeSeq: d.seq, body, ...transformed });
        await writeDeadLetter(ctx.bus, rec, `dlq:r:${o.id}:${id}`);
        ctx.metrics.deadLetters.inc({ endpoint: id, reason: "endpoint_disabled" });
        copies.add(id);
        return;
      }
      await ctx.bus.publish(deliverySubject(id), body, {
        msgId: `${o.id}:${id}`,
        headers: {
          [H_OUTCOME_ID]: o.id,
          [H_OUTCOME_TYPE]: o.type,
          [H_OUTCOME_SEQ]: String(d.seq),
          [H_TRIGGER]: "route",
          ...(rendered === undefined ? {} : { [H_TRANSFORM]: encodeTransformHeader(rendered) }),
        },
      });
      copies.add(id);
      ctx.metrics.routed.inc({ endpoint: id });
    }),
  );
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  if (failures.length === 0) {
    if (state.routed(d.seq) && state.flowing()) ctx.logger.info({ stream: STREAM_WEBHOOK_DELIVERY }, "webhook delivery stream has room again; outcomes held back are being routed");
    return;
  }
  state.remember(d.seq, copies);
  const other = failures.find((err) => !isFull(err));
  // Bus down or anything else: the consumer's retry policy (nak after the error's delay).
  if (other !== undefined) throw other;
  const delayMs = state.delayMs(d.deliveryCount);
  ctx.metrics.backpressure.inc();
  const { warn, held } = state.heldBack(ctx.clock.now());
  if (warn) {
    ctx.logger.warn(
      { stream: STREAM_WEBHOOK_DELIVERY, outcomeId: o.id, retryInMs: delayMs, heldBack: held },
      "webhook delivery stream is full (outbound.deliveryMaxBytes): outcomes wait on HB_OUTCOMES until endpoints catch up",
    );
  }
  d.nak(delayMs);
}

/** Start the router. A new router durable starts at new outcomes (no history replay). */
export async function startRouter(ctx: OutboundContext, backpressure: BackpressureOptions = BACKPRESSURE_DEFAULTS): Promise<ConsumerHandle> {
  const state = new RouterState(backpressure);
  return ctx.bus.consume(
    { stream: STREAM_OUTCOMES, durable: ROUTER_DURABLE, filterSubjects: ["outcomes.>"], ackWaitMs: 60_000, maxAckPending: 64, deliverPolicy: "new" },
    (d) => routeOutcome(ctx, d, state),
  );
}
