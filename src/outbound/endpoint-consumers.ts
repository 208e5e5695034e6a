/**
 * One durable consumer per endpoint on its delivery subject (`whd_<id>` on `whd.<id>`): a
 * bulkhead, so a dead endpoint's retries only occupy its own in-flight slots
 * (MaxAckPending = the endpoint's concurrency). `sync(id)` brings the consumer in line with the
 * registry, without a restart:
 *
 * - enabled  → running (restarted when its timeout or concurrency changed);
 * - disabled → drained, then stopped: the durable is deleted (dropping retries parked with
 *   long delays), a fresh one re-delivers every queued message at once and the handler
 *   dead-letters each (`endpoint_disabled`); once the subject is empty it stops;
 * - deleted  → drained the same way (`endpoint_deleted`) and the durable deleted.
 * Operations on one endpoint run one after another.
 */
import type { ConsumerHandle } from "../bus/port.js";
import { handleDelivery } from "./delivery-handler.js";
import type { OutboundContext } from "./outbound-context.js";
import { STREAM_WEBHOOK_DELIVERY, deliverySubject, endpointDurable } from "./outbound-streams.js";
import { attemptBudget } from "./retry-schedule.js";

export interface ConsumerSettings {
  readonly defaultTimeoutMs: number;
  readonly maxInFlight: number;
  /** Longest wait for a disabled/deleted endpoint's queue to empty. */
  readonly drainTimeoutMs: number;
}

/** Ack wait = request timeout + this margin. */
export const ACK_MARGIN_MS = 15_000;
/** Server-side redelivery cap beyond the schedule's attempts (a safety net; the app decides finality). */
const MAX_DELIVER_MARGIN = 5;
const DRAIN_CONCURRENCY = 64;
const DRAIN_POLL_MS = 25;

interface Running {
  readonly mode: "deliver" | "drained";
  readonly handle?: ConsumerHandle;
  readonly key: string;
}

export class EndpointConsumers {
  private readonly running = new Map<string, Running>();
  private readonly chains = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly ctx: OutboundContext,
    private readonly settings: ConsumerSettings,
  ) {}

  /** Ids with a consumer state (running or drained). */
  ids(): string[] {
    return [...this.running.keys()];
  }

  isDelivering(id: string): boolean {
    return this.running.get(id)?.mode === "deliver";
  }

  sync(id: string): Promise<void> {
    const prev = this.chains.get(id) ?? Promise.resolve();
    const next = prev
      .catch(() => undefined)
      .then(() => (this.stopped ? undefined : this.doSync(id)))
      .catch((err: unknown) => this.ctx.logger.error({ endpointId: id, err }, "could not update the endpoint's delivery consumer"));
    this.chains.set(id, next);
    void next.finally(() => {
      if (this.chains.get(id) === next) this.chains.delete(id);
    });
    return next;
  }

  private async doSync(id: string): Promise<void> {
    const entry = this.ctx.registry.get(id);
    const cur = this.running.get(id);
    if (entry && entry.sub.status === "enabled") {
      const timeoutMs = entry.sub.timeoutMs ?? this.settings.defaultTimeoutMs;
      const inFlight = entry.sub.maxInFlight ?? this.settings.maxInFlight;
      const key = `${timeoutMs}/${inFlight}`;
      if (cur?.mode === "deliver" && cur.key === key) return;
      await cur?.handle?.stop();
      const handle = await this.consume(id, timeoutMs + ACK_MARGIN_MS, inFlight);
      this.running.set(id, { mode: "deliver", handle, key });
      this.ctx.logger.info({ endpointId: id, events: entry.sub.events }, "webhook delivery consumer started");
      return;
    }
    if (entry && cur?.mode === "drained") return;
    await this.drain(id);
    if (entry) this.running.set(id, { mode: "drained", key: "" });
    else {
      this.running.delete(id);
      await this.ctx.bus.deleteConsumer?.(STREAM_WEBHOOK_DELIVERY, endpointDurable(id));
    }
  }

  private consume(id: string, ackWaitMs: number, maxAckPending: number): Promise<ConsumerHandle> {
    return this.ctx.bus.consume(
      {
        stream: STREAM_WEBHOOK_DELIVERY,
        durable: endpointDurable(id),
        filterSubjects: [deliverySubject(id)],
        ackWaitMs,
        maxDeliver: attemptBudget(this.ctx.schedule) + MAX_DELIVER_MARGIN,
        maxAckPending,
      },
      (d) => handleDelivery(this.ctx, d),
    );
  }

  /** Messages still queued for the endpoint. */
  queued(id: string): Promise<number> {
    return this.ctx.bus.countMessages!(STREAM_WEBHOOK_DELIVERY, deliverySubject(id));
  }

  private async drain(id: string): Promise<void> {
    const cur = this.running.get(id);
    await cur?.handle?.stop();
    this.running.set(id, { mode: "drained", key: "" });
    await this.ctx.bus.deleteConsumer?.(STREAM_WEBHOOK_DELIVERY, endpointDurable(id));
    if ((await this.queued(id)) === 0) return;
    const handle = await this.consume(id, ACK_MARGIN_MS, DRAIN_CONCURRENCY);
    try {
      const deadline = Date.now() + this.settings.drainTimeoutMs;
      while ((await this.queued(id)) > 0) {
        if (Date.now() > deadline || this.stopped) {
          this.ctx.logger.warn({ endpointId: id }, "endpoint queue not drained in time; the rest is dead-lettered when it is next drained or delivered when re-enabled");
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      }
    } finally {
      await handle.stop();
    }
    await this.ctx.bus.deleteConsumer?.(STREAM_WEBHOOK_DELIVERY, endpointDurable(id));
  }

  /** Stop every consumer (durables stay on the server). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.chains.values()]);
    await Promise.allSettled([...this.running.values()].map((r) => r.handle?.stop()));
    this.running.clear();
  }
}
