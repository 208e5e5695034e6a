/**
 * What the admin API calls: `OutboundService`. Bodies arrive parsed (subscription-input.ts);
 * every failure is an HB error with the code of outbound-errors.ts.
 */
import type { IdempotencyStore } from "./idempotency.js";
import type { Registry } from "prom-client";
import type { ConsumerHandle } from "../bus/port.js";
import { encodeJson } from "../bus/port.js";
import type { IdGen } from "../core/ids.js";
import type { OutcomeMessage } from "../core/outcome.js";
import { isDelivered, sendAttempt } from "./attempt-sender.js";
import { attemptRecord } from "./delivery-handler.js";
import type { EndpointStats } from "./delivery-log.js";
import { endpointStats, recentAttempts, recentDeadLetters } from "./delivery-log.js";
import { webhookMessageId } from "./message-id.js";
import type { EndpointAdmin } from "./endpoint-admin.js";
import type { EndpointConsumers } from "./endpoint-consumers.js";
import type { EndpointEntry } from "./endpoint-registry.js";
import { matchesEventType } from "./endpoint-match.js";
import type { WebhookHttpClient } from "./http-client.js";
import { writeAttempt } from "./log-writer.js";
import type { OutboundContext } from "./outbound-context.js";
import { outboundError } from "./outbound-errors.js";
import type { BreakerView } from "./circuit-breaker.js";
import type { AttemptRecord, DeadLetterRecord } from "./records.js";
import { checkRecoverRange, enqueue, findMessage, recoverDeadLetters } from "./replay.js";
import type { FoundMessage } from "./replay.js";
import { isOutcome, transformFor } from "./router.js";
import { parseTransformField } from "./subscription-input.js";
import type { TransformPreview } from "./transform.js";
import { TransformError, parsePreviewInput, previewTransform } from "./transform.js";
import type { RotateInput, SubscriptionInput, SubscriptionPatch } from "./subscription-input.js";
import type { EndpointView } from "./subscription-view.js";
import { endpointView, secretView } from "./subscription-view.js";

export const TEST_EVENT_TYPE = "webhook.test";
export const MAX_LIST_LIMIT = 1000;

export interface TestSendResult {
  readonly message_id: string;
  readonly delivered: boolean;
  readonly status: number | null;
  readonly latency_ms: number;
  /** First 4 KiB of the receiver's answer. */
  readonly body: string;
  readonly error: string | null;
}

export interface OutboundService {
  /** prom-client registry with the outbound metrics (mount it at /metrics). */
  readonly metrics: Registry;
  list(): EndpointView[];
  get(id: string): EndpointView;
  /** The current signing secret (ed25519: the public key, also as `public_key`; subscription-view.ts secretView) and when retired ones stop signing. */
  secret(id: string): { secret: string; public_key?: string; previous: { expires_at: string }[] };
  create(input: SubscriptionInput): Promise<EndpointView & { secret: string; public_key?: string }>;
  update(id: string, patch: SubscriptionPatch): Promise<EndpointView>;
  remove(id: string): Promise<void>;
  enable(id: string): Promise<EndpointView>;
  disable(id: string): Promise<EndpointView>;
  rotateSecret(id: string, input: RotateInput): Promise<{ secret: string; public_key?: string; previous_expires_at: string }>;
  /** Resend one message (webhook-id `msg_…` or outcome id), keeping its id. */
  replay(id: string, messageId: string): Promise<{ message_id: string; found_in: string }>;
  /** Resend every dead letter of the endpoint stored in [since, until] (ms since epoch, ≤ 14 days; until default now). */
  recover(id: string, since: number, until?: number): Promise<{ replayed: number; message_ids: string[] }>;
  attempts(id: string, limit: number): Promise<AttemptRecord[]>;
  deadLetters(id: string, limit: number): Promise<DeadLetterRecord[]>;
  stats(id: string): Promise<EndpointStats & { status: string; queued: number; breaker: BreakerView }>;
  sendTest(id: string): Promise<TestSendResult>;
  /** Render the endpoint's transform (or `transform` of the body) against `outcome` of the body (default: a sample webhook.test event); nothing is sent. */
  previewTransform(id: string, body: unknown): TransformPreview;
  /** Reload endpoints from KV now (the service also does it periodically). */
  reconcile(): Promise<void>;
  /** Answers kept for `Idempotency-Key` (idempotency.ts); absent = the header is ignored. */
  readonly idempotency?: IdempotencyStore;
  stop(): Promise<void>;
}

export interface ServiceParts {
  readonly ctx: OutboundContext;
  readonly admin: EndpointAdmin;
  readonly consumers: EndpointConsumers;
  readonly router: ConsumerHandle;
  readonly http: readonly WebhookHttpClient[];
  readonly defaults: { readonly timeoutMs: number; readonly maxInFlight: number };
  readonly ids: IdGen;
  readonly reconcileIntervalMs: number;
  readonly idempotency?: IdempotencyStore;
}

const clampLimit = (n: number): number => Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(n) || 50));

export class OutboundServiceImpl implements OutboundService {
  readonly metrics: Registry;
  readonly idempotency: IdempotencyStore | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly p: ServiceParts) {
    this.metrics = p.ctx.metrics.registry;
    this.idempotency = p.idempotency;
    this.schedule();
  }

  private schedule(): void {
    if (this.p.reconcileIntervalMs <= 0 || this.stopped) return;
    this.timer = setTimeout(() => {
      void this.p.admin
        .reconcile()
        .catch((err: unknown) => this.p.ctx.logger.warn({ err }, "webhook endpoint reconcile failed"))
        .finally(() => this.schedule());
    }, this.p.reconcileIntervalMs);
    this.timer.unref?.();
  }

  private view(id: string): EndpointView {
    return this.viewOf(this.p.admin.entry(id));
  }

  private viewOf(entry: EndpointEntry): EndpointView {
    return endpointView(entry, this.p.defaults, this.p.ctx.breakers.view(entry.sub.id));
  }

  list(): EndpointView[] {
    return this.p.ctx.registry
      .all()
      .sort((a, b) => (a.source === b.source ? a.sub.createdAt - b.sub.createdAt || a.sub.id.localeCompare(b.sub.id) : a.source === "config" ? -1 : 1))
      .map((e) => this.viewOf(e));
  }

  get(id: string): EndpointView {
    return this.view(id);
  }

  secret(id: string): { secret: string; public_key?: string; previous: { expires_at: string }[] } {
    const { sub } = this.p.admin.entry(id);
    const now = this.p.ctx.clock.now();
    return { ...secretView(sub.signing, sub.secret), previous: sub.previousSecrets.filter((s) => s.expiresAt > now).map((s) => ({ expires_at: new Date(s.expiresAt).toISOString() })) };
  }

  async create(input: SubscriptionInput): Promise<EndpointView & { secret: string; public_key?: string }> {
    const { entry, secret } = await this.p.admin.create(input);
    return { ...this.viewOf(entry), ...secretView(entry.sub.signing, secret) };
  }

  async update(id: string, patch: SubscriptionPatch): Promise<EndpointView> {
    return this.viewOf(await this.p.admin.update(id, patch));
  }

  remove(id: string): Promise<void> {
    return this.p.admin.remove(id);
  }

  async enable(id: string): Promise<EndpointView> {
    return this.viewOf(await this.p.admin.enable(id));
  }

  async disable(id: string): Promise<EndpointView> {
    return this.viewOf(await this.p.admin.disable(id));
  }

  async rotateSecret(id: string, input: RotateInput): Promise<{ secret: string; public_key?: string; previous_expires_at: string }> {
    const r = await this.p.admin.rotateSecret(id, input);
    return { ...secretView(this.p.admin.entry(id).sub.signing, r.secret), previous_expires_at: new Date(r.previousExpiresAt).toISOString() };
  }

  private enabledEntry(id: string): void {
    const e = this.p.admin.entry(id);
    if (e.sub.status !== "enabled") throw outboundError("endpointDisabled", `endpoint ${id} is disabled; enable it before replaying`);
  }

  async replay(id: string, messageId: string): Promise<{ message_id: string; found_in: string }> {
    this.enabledEntry(id);
    const found = await findMessage(this.p.ctx.bus, id, messageId);
    if (!found) throw outboundError("messageNotFound", `message ${JSON.stringify(messageId)} not found for endpoint ${id} (dead letters, outcomes of the last 14 days)`);
    const { sub } = this.p.admin.entry(id);
    if (found.foundIn === "outcomes" && !matchesEventType(sub.events, found.type)) {
      throw outboundError("invalid", `endpoint ${id} does not subscribe to ${found.type}`);
    }
    let msg: Omit<FoundMessage, "foundIn">;
    try {
      msg = this.transformed(this.p.admin.entry(id), found, found.foundIn === "outcomes");
    } catch (err) {
      if (err instanceof TransformError) throw outboundError("invalid", `the endpoint's transform failed for this message: ${err.message}`);
      throw err;
    }
    await enqueue(this.p.ctx.bus, id, msg, "replay", `replay:${this.p.ids.uuid()}`);
    return { message_id: webhookMessageId(found.outcomeId), found_in: found.foundIn };
  }

  async recover(id: string, since: number, until?: number): Promise<{ replayed: number; message_ids: string[] }> {
    this.enabledEntry(id);
    const now = this.p.ctx.clock.now();
    checkRecoverRange(since, until ?? now, now);
    const ids = await recoverDeadLetters(this.p.ctx.bus, id, since, until ?? now, (msg) => {
      try {
        return this.transformed(this.p.admin.entry(id), msg, false);
      } catch (err) {
        this.p.ctx.logger.warn({ endpointId: id, outcomeId: msg.outcomeId, error: (err as Error).message }, "recover: the endpoint's transform still fails for this dead letter; skipped");
        return undefined;
      }
    });
    return { replayed: ids.length, message_ids: ids };
  }

  /**
   * A message to send again: a dead letter's stored bytes as they are, except a transform_failed
   * one (it holds the outcome) and an outcome read back from HB_OUTCOMES (`fromOutcomes`), which
   * get the endpoint's current transform. Throws TransformError.
   */
  private transformed(entry: EndpointEntry, msg: Omit<FoundMessage, "foundIn">, fromOutcomes: boolean): Omit<FoundMessage, "foundIn"> {
    if (!fromOutcomes && msg.reason !== "transform_failed") return msg;
    let outcome: unknown;
    try {
      outcome = JSON.parse(Buffer.from(msg.body).toString("utf8")) as unknown;
    } catch {
      return msg;
    }
    if (!isOutcome(outcome)) return msg;
    const r = transformFor(entry, outcome);
    if (r === undefined) return msg;
    return { outcomeId: msg.outcomeId, type: msg.type, outcomeSeq: msg.outcomeSeq, body: r.body, transformed: { contentType: r.contentType, headers: r.headers } };
  }

  previewTransform(id: string, body: unknown): TransformPreview {
    const entry = this.p.admin.entry(id);
    const input = parsePreviewInput(body, this.p.ctx.clock.now(), parseTransformField);
    return previewTransform(input.transform ?? entry.sub.transform, input.outcome ?? this.testEvent(id));
  }

  private testEvent(id: string): OutcomeMessage {
    return {
      id: `test_${this.p.ids.uuid().replace(/-/g, "")}`,
      type: TEST_EVENT_TYPE,
      timestamp: new Date(this.p.ctx.clock.now()).toISOString(),
      data: { endpoint_id: id, message: "Test webhook from hookbook. Verify the signature like any other message." },
    };
  }

  async attempts(id: string, limit: number): Promise<AttemptRecord[]> {
    this.p.admin.entry(id);
    return recentAttempts(this.p.ctx.bus, id, clampLimit(limit), this.p.ctx.clock.now());
  }

  async deadLetters(id: string, limit: number): Promise<DeadLetterRecord[]> {
    this.p.admin.entry(id);
    return recentDeadLetters(this.p.ctx.bus, id, clampLimit(limit), this.p.ctx.clock.now());
  }

  async stats(id: string): Promise<EndpointStats & { status: string; queued: number; breaker: BreakerView }> {
    const e = this.p.admin.entry(id);
    const s = await endpointStats(this.p.ctx.bus, id, this.p.ctx.health.get(id), this.p.ctx.clock.now());
    return { ...s, status: e.sub.status, queued: await this.p.consumers.queued(id), breaker: this.p.ctx.breakers.view(id) };
  }

  async sendTest(id: string): Promise<TestSendResult> {
    const entry = this.p.admin.entry(id);
    const { sub, source } = entry;
    const event = this.testEvent(id);
    const messageId = webhookMessageId(event.id);
    // Through the endpoint's transform like any message; a transform failure is the answer (nothing sent).
    let rendered: ReturnType<typeof transformFor>;
    try {
      rendered = transformFor(entry, event);
    } catch (err) {
      const e = err as TransformError;
      return { message_id: messageId, delivered: false, status: null, latency_ms: 0, body: "", error: `transform_failed: ${e.message}` };
    }
    const r = await sendAttempt(this.p.ctx.attemptDeps, sub, messageId, rendered?.body ?? encodeJson(event), source === "config", rendered);
    const rec = attemptRecord({ endpointId: id, outcomeId: event.id, type: event.type, outcomeSeq: 0, trigger: "route" }, 1, r, "test");
    await writeAttempt(this.p.ctx.bus, { ...rec, trigger: "test" }, `test:${event.id}`, (o, m) => this.p.ctx.logger.warn(o, m));
    this.p.ctx.metrics.attempts.inc({ endpoint: id, outcome: "test" });
    const delivered = isDelivered(r);
    return { message_id: messageId, delivered, status: r.status ?? null, latency_ms: r.latencyMs, body: r.response ?? "", error: delivered ? null : (r.error ?? null) };
  }

  reconcile(): Promise<void> {
    return this.p.admin.reconcile();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.p.router.stop();
    // Consumers first: stopping them wakes the messages held by a breaker or a rate limit, which
    // are then put back without being redelivered here; then the timers.
    await this.p.consumers.stop();
    this.p.ctx.breakers.stop();
    this.p.ctx.limiter.stop();
    for (const h of this.p.http) h.close();
  }
}
