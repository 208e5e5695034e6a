/**
 * A durable pull consumer driven by the `consume()` iterator: up to maxAckPending handlers at
 * once, settled by the shared policy (settle.ts), surviving server restarts.
 */
import type { ConsumerConfig, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import { AckPolicy, DeliverPolicy, ReplayPolicy, RetentionPolicy } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { nanos } from "@nats-io/transport-node";
import { HookbookError } from "../../core/errors.js";
import { subjectMatches } from "../subject.js";
import type { ConsumerHandle, ConsumerSpec, DeliveryHandler } from "../port.js";
import type { DeliveryFields, DeliverySettler } from "../settle.js";
import { dispatchDelivery } from "../settle.js";
import type { BusLogger } from "./nats-errors.js";
import { isConsumerNotFound, isStreamNotFound, toBusError, unavailable } from "./nats-errors.js";

export interface ConsumerLink {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly logger: BusLogger;
  readonly ackTimeoutMs: number;
}

const DEFAULT_ACK_WAIT_MS = 30_000;

interface FilterPlan {
  /** Sent to the server (filter_subject / filter_subjects). */
  readonly server: string | string[] | undefined;
  /** Applied here when the server cannot filter (NATS < 2.10 with several subjects). */
  readonly client: readonly string[] | undefined;
}

/** nats-server 2.10 added several filter subjects per consumer and `+TERM <reason>` (2.9 ignores the latter). */
function serverIs210(nc: NatsConnection): boolean {
  const [major = 0, minor = 0] = (nc.info?.version ?? "0.0.0").split(".").map((n) => Number.parseInt(n, 10));
  return major > 2 || (major === 2 && minor >= 10);
}

async function planFilters(link: ConsumerLink, spec: ConsumerSpec): Promise<FilterPlan> {
  const filters = [...(spec.filterSubjects ?? [])];
  if (filters.length <= 1) return { server: filters[0], client: undefined };
  if (serverIs210(link.nc)) return { server: filters, client: undefined };
  // nats-server 2.9 has one filter_subject per consumer: deliver everything and filter here,
  // acking what does not match. A work-queue stream would lose those messages, so refuse.
  const info = await link.jsm.streams.info(spec.stream);
  if (info.config.retention === RetentionPolicy.Workqueue) {
    throw new HookbookError(
      "HB_ERR_CONFIG_INVALID",
      `consumer ${spec.durable} on work-queue stream ${spec.stream}: several filter subjects need nats-server 2.10+`,
      { hint: "use one filter subject (a wildcard) or upgrade nats-server" },
    );
  }
  return { server: undefined, client: filters };
}

function wantedConfig(spec: ConsumerSpec, plan: FilterPlan): Partial<ConsumerConfig> {
  const cfg: Partial<ConsumerConfig> = {
    ack_wait: nanos(spec.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
    max_deliver: spec.maxDeliver !== undefined && spec.maxDeliver > 0 ? spec.maxDeliver : -1,
    max_ack_pending: Math.max(1, spec.maxAckPending ?? 1),
  };
  if (Array.isArray(plan.server)) cfg.filter_subjects = plan.server;
  else cfg.filter_subject = plan.server ?? "";
  return cfg;
}

/** Create the durable consumer or update it to `spec`. */
async function ensureConsumer(link: ConsumerLink, spec: ConsumerSpec, plan: FilterPlan): Promise<void> {
  const want = wantedConfig(spec, plan);
  let current: Partial<ConsumerConfig> | undefined;
  try {
    current = (await link.jsm.consumers.info(spec.stream, spec.durable)).config;
  } catch (err) {
    if (!isConsumerNotFound(err)) throw err;
  }
  if (!current) {
    const cfg: Partial<ConsumerConfig> = {
      ...want,
      durable_name: spec.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: spec.deliverPolicy === "new" ? DeliverPolicy.New : DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
    };
    if (cfg.filter_subject === "") delete cfg.filter_subject;
    await link.jsm.consumers.add(spec.stream, cfg);
    return;
  }
  const sameFilter =
    JSON.stringify(current.filter_subjects ?? []) === JSON.stringify(want.filter_subjects ?? []) &&
    (current.filter_subject ?? "") === (want.filter_subject ?? "");
  if (
    sameFilter &&
    current.ack_wait === want.ack_wait &&
    current.max_deliver === want.max_deliver &&
    current.max_ack_pending === want.max_ack_pending
  ) {
    return;
  }
  await link.jsm.consumers.update(spec.stream, spec.durable, want);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timeout")), ms);
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });
}

/** Counting semaphore for handler concurrency. */
class Slots {
  private free: number;
  private readonly waiters: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

function headersOf(m: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  if (!m.headers) return out;
  for (const [k, v] of m.headers) if (v[0] !== undefined) out[k] = v[0];
  return out;
}

function settlerFor(m: JsMsg, link: ConsumerLink, termWithReason: boolean): DeliverySettler {
  return {
    async ack() {
      let ok: boolean;
      try {
        ok = await m.ackAck({ timeout: link.ackTimeoutMs });
      } catch (err) {
        throw unavailable(`ack of ${m.info.stream} #${m.seq}`, err);
      }
      if (!ok) throw unavailable(`ack of ${m.info.stream} #${m.seq} was not confirmed`);
    },
    autoAck: () => m.ack(),
    nak: (delayMs) => m.nak(delayMs > 0 ? delayMs : undefined),
    term: (reason) => (termWithReason ? m.term(reason) : m.term()),
    working: () => m.working(),
  };
}

export async function startNatsConsumer(link: ConsumerLink, spec: ConsumerSpec, handler: DeliveryHandler): Promise<ConsumerHandle> {
  const where = { stream: spec.stream, durable: spec.durable };
  let plan: FilterPlan;
  try {
    plan = await planFilters(link, spec);
    await ensureConsumer(link, spec, plan);
  } catch (err) {
    if (isStreamNotFound(err)) throw new HookbookError("HB_ERR_CONFIG_INVALID", `stream ${spec.stream} does not exist`, { cause: err });
    throw toBusError(`consumer ${spec.stream}/${spec.durable}`, err);
  }

  const maxAckPending = Math.max(1, spec.maxAckPending ?? 1);
  const slots = new Slots(maxAckPending);
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let iter: ConsumerMessages | undefined;
  let wake: (() => void) | undefined;

  const handle = async (m: JsMsg): Promise<void> => {
    const fields: DeliveryFields = {
      subject: m.subject,
      data: new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength),
      headers: headersOf(m),
      seq: m.seq,
      deliveryCount: m.info.deliveryCount,
      storedAt: Number(m.timestampNanos / 1_000_000n),
    };
    await dispatchDelivery(fields, settlerFor(m, link, serverIs210(link.nc)), handler, {
      ...(spec.maxDeliver !== undefined ? { maxDeliver: spec.maxDeliver } : {}),
      onHandlerError: (err, settlement) =>
        link.logger.warn({ err, ...where, seq: m.seq, deliveryCount: fields.deliveryCount, settlement: settlement.kind }, "bus handler failed"),
    });
  };

  const watchStatus = async (messages: ConsumerMessages): Promise<void> => {
    for await (const s of messages.status()) {
      if (s.type === "heartbeats_missed" || s.type === "consumer_not_found" || s.type === "stream_not_found" || s.type === "consumer_deleted" || s.type === "no_responders") {
        link.logger.warn({ ...where, status: s }, "bus consumer status");
      }
    }
  };

  const loop = async (): Promise<void> => {
    let failures = 0;
    let first = true;
    while (!stopping) {
      try {
        if (!first) await ensureConsumer(link, spec, plan);
        first = false;
        const consumer = await link.js.consumers.get(spec.stream, spec.durable);
        const messages = await consumer.consume({ max_messages: Math.min(1000, Math.max(100, maxAckPending)), abort_on_missing_resource: true });
        iter = messages;
        if (stopping) {
          messages.stop();
          break;
        }
        void watchStatus(messages).catch(() => undefined);
        for await (const m of messages) {
          failures = 0;
          if (stopping) {
            m.nak();
            continue;
          }
          if (plan.client && !plan.client.some((f) => subjectMatches(f, m.subject))) {
            m.ack();
            continue;
          }
          await slots.acquire();
          if (stopping) {
            slots.release();
            m.nak();
            continue;
          }
          const p: Promise<void> = handle(m)
            .catch((err: unknown) => link.logger.warn({ err, ...where, seq: m.seq }, "bus dispatch failed"))
            .finally(() => {
              slots.release();
              inFlight.delete(p);
            });
          inFlight.add(p);
        }
        if (!stopping) link.logger.warn(where, "bus consumer iterator ended; restarting it");
      } catch (err) {
        if (stopping) break;
        link.logger.warn({ err, ...where }, "bus consumer failed; restarting it");
      }
      if (stopping) break;
      const delay = Math.min(5000, 250 * 2 ** Math.min(failures++, 5));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
    }
  };
  const running = loop();
  let stopped: Promise<void> | undefined;

  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        wake?.();
        iter?.stop();
        await running;
        await Promise.all([...inFlight]);
        // auto-acks are fire-and-forget: push them out before the caller closes the connection
        if (!link.nc.isClosed()) await withTimeout(link.nc.flush(), link.ackTimeoutMs).catch(() => undefined);
      })();
      return stopped;
    },
  };
}
