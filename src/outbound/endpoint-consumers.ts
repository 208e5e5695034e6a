/**
 * One durable consumer per endpoint on its delivery subject (`whd_<id>` on `whd.<id>`): a
 * bulkhead, so a dead endpoint's retries only occupy its own in-flight slots
 * (MaxAckPending = the endpoint's concurrency). `sync(id)` brings the consumer in line with the
 * registry, without a restart:
 *
 * - enabled  → running (restarted when its timeout or concurrency changed). The circuit breaker
 *   does not stop or restart it (see delivery-handler.ts: while open the handlers hold their
 *   messages, so no slot frees up and nothing more is pulled; half-open lets one through at a
 *   time): a stopped pull consumer's last pull request stays open on the server, and a message
 *   redelivered into it (a retry coming due, a nak) only comes back after the ack wait;
 * - disabled → drained, then stopped: the durable is deleted (dropping retries parked with
 *   long delays), a fresh one re-delivers every queued message at once and the handler
 *   dead-letters each (`endpoint_disabled`); once the subject is empty it stops;
 * - deleted  → drained the same way (`endpoint_deleted`) and the durable deleted.
 * Operations on one endpoint run one after another. Stopping a consumer also aborts its handlers'
 * waits (rate limit, circuit breaker): they nak their message at once, without an attempt, so a
 * stop never waits for a token. The endpoint's rate limit is applied here too (no restart).
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
/**
 * Server-side redelivery cap beyond the schedule's attempts (a safety net; the app decides
 * finality). Generous, because deliveries that were not attempts (a consumer stop nakking a
 * message held by the rate limit or the breaker) count on the server too; the attempt number
 * is kept by the app (health-store.ts).
 */
const MAX_DELIVER_MARGIN = 25;
const DRAIN_CONCURRENCY = 64;
const DRAIN_POLL_MS = 25;

interface Running {
  readonly mode: "deliver" | "drained";
  readonly handle?: ConsumerHandle;
  /** Aborted when the handle is stopped: wakes its handlers' waits. */
  readonly gate?: AbortController;
  readonly key: string;
}

interface Started {
  readonly handle: ConsumerHandle;
  readonly gate: AbortController;
}

/** Stop the consumer first (nothing new is pulled), then wake its waiting handlers, then wait for them. */
async function stopConsumer(r: { readonly handle?: ConsumerHandle; readonly gate?: AbortController } | undefined): Promise<void> {
  const stopped = r?.handle?.stop();
  r?.gate?.abort();
  await stopped;
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
      this.ctx.limiter.configure(id, entry.sub.rateLimit);
      const timeoutMs = entry.sub.timeoutMs ?? this.settings.defaultTimeoutMs;
      const inFlight = entry.sub.maxInFlight ?? this.settings.maxInFlight;
      const key = `${timeoutMs}/${inFlight}`;
      if (cur?.mode === "deliver" && cur.key === key) return;
      await stopConsumer(cur);
      const started = await this.consume(id, timeoutMs + ACK_MARGIN_MS, inFlight);
      this.running.set(id, { mode: "deliver", ...started, key });
      this.ctx.logger.info({ endpointId: id, events: entry.sub.events, maxInFlight: inFlight }, "webhook delivery consumer started");
      return;
    }
    if (entry && cur?.mode === "drained") return;
    await this.drain(id);
    if (entry) this.running.set(id, { mode: "drained", key: "" });
    else {
      this.running.delete(id);
      this.ctx.limiter.forget(id);
      await this.ctx.bus.deleteConsumer?.(STREAM_WEBHOOK_DELIVERY, endpointDurable(id));
    }
  }

  private async consume(id: string, ackWaitMs: number, maxAckPending: number): Promise<Started> {
    const gate = new AbortController();
    const scope = { signal: gate.signal, ackWaitMs };
    const handle = await this.ctx.bus.consume(
      {
        stream: STREAM_WEBHOOK_DELIVERY,
        durable: endpointDurable(id),
        filterSubjects: [deliverySubject(id)],
        ackWaitMs,
        maxDeliver: attemptBudget(this.ctx.schedule) + MAX_DELIVER_MARGIN,
        maxAckPending,
      },
      (d) => handleDelivery(this.ctx, d, scope),
    );
    return { handle, gate };
  }

  /** Messages still queued for the endpoint. */
  queued(id: string): Promise<number> {
    return this.ctx.bus.countMessages!(STREAM_WEBHOOK_DELIVERY, deliverySubject(id));
  }

  private async drain(id: string): Promise<void> {
    await stopConsumer(this.running.get(id));
    this.running.set(id, { mode: "drained", key: "" });
    await this.ctx.bus.deleteConsumer?.(STREAM_WEBHOOK_DELIVERY, endpointDurable(id));
    if ((await this.queued(id)) === 0) return;
    const drainer = await this.consume(id, ACK_MARGIN_MS, DRAIN_CONCURRENCY);
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
      await stopConsumer(drainer);
    }
    await this.ctx.bus.deleteConsumer?.(STREAM_WEBHOOK_DELIVERY, endpointDurable(id));
  }

  /** Stop every consumer (durables stay on the server). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.chains.values()]);
    await Promise.allSettled([...this.running.values()].map((r) => stopConsumer(r)));
    this.running.clear();
  }
}
