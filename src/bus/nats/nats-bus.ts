/** The Bus port on NATS JetStream (file storage, durable pull consumers, JetStream KV). */
import type { JetStreamClient, JetStreamManager, StreamConfig, StreamInfo } from "@nats-io/jetstream";
import { DiscardPolicy, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { headers as natsHeaders, nanos } from "@nats-io/transport-node";
import { HookbookError } from "../../core/errors.js";
import type {
  Bus,
  ConsumerHandle,
  ConsumerSpec,
  DeliveryHandler,
  KvBucket,
  KvSpec,
  PublishAck,
  PublishOptions,
  ReadOptions,
  StoredMessage,
  StreamSpec,
  StreamStats,
} from "../port.js";
import { startNatsConsumer } from "./nats-consumer.js";
import type { BusLogger } from "./nats-errors.js";
import { BUS_RETRY_AFTER_MS, isInsufficientStorage, isStreamNotFound, toBusError, toUnavailable, unavailable } from "./nats-errors.js";
import { openNatsKv } from "./nats-kv.js";
import type { PubAckPipeline } from "./pub-ack-pipeline.js";
import { countNatsMessages, deleteNatsConsumer, readNatsMessages } from "./nats-read.js";

export interface NatsBusLink {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Every publish of the bus (pub-ack-pipeline.ts). */
  readonly publisher: PubAckPipeline;
  readonly logger: BusLogger;
  /** False between a disconnect and the next reconnect. */
  isConnected(): boolean;
  readonly publishTimeoutMs: number;
  readonly healthTimeoutMs: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(unavailable(`${what} timed out after ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });
}

/** JetStream's "unlimited" for max_bytes / max_msgs. */
const UNLIMITED = -1;
const limit = (n: number | undefined): number => (n === undefined || n <= 0 ? UNLIMITED : n);

function streamConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  const dup = spec.maxAgeMs > 0 ? Math.min(spec.duplicateWindowMs, spec.maxAgeMs) : spec.duplicateWindowMs;
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    retention: spec.retention === "workqueue" ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: spec.discard === "new" ? DiscardPolicy.New : DiscardPolicy.Old,
    duplicate_window: nanos(dup),
    max_age: nanos(spec.maxAgeMs),
    max_bytes: limit(spec.maxBytes),
    max_msgs: limit(spec.maxMsgs),
  };
}

/**
 * The size limits and discard policy to set on an existing stream: only those the spec names
 * (limits an operator set on a stream whose spec has none are kept). With discard new a limit is
 * never lowered below what the stream holds: JetStream would delete the oldest messages to fit
 * (whatever the discard policy), which for a work queue is silent loss. It is set to the stored
 * amount instead (the stream stays full until it drains) and lowered at a later start.
 */
function limitsUpdate(spec: StreamSpec, info: StreamInfo, logger: BusLogger): Partial<StreamConfig> {
  const out: Partial<StreamConfig> = {};
  const keep = spec.discard === "new";
  const fit = (wanted: number, stored: number, what: string): number => {
    if (!keep || wanted === UNLIMITED || stored <= wanted) return wanted;
    logger.warn({ stream: spec.name, limit: what, configured: wanted, stored }, "stream holds more than its configured limit; the limit is kept at what is stored so nothing is deleted, and lowered at a later start once the stream has drained");
    return stored;
  };
  if (spec.discard !== undefined) out.discard = spec.discard === "new" ? DiscardPolicy.New : DiscardPolicy.Old;
  if (spec.maxBytes !== undefined) out.max_bytes = fit(limit(spec.maxBytes), info.state.bytes, "max_bytes");
  if (spec.maxMsgs !== undefined) out.max_msgs = fit(limit(spec.maxMsgs), info.state.messages, "max_msgs");
  return out;
}

/** Smallest max_bytes tried when the server has not enough storage for the configured one. */
const MIN_FALLBACK_BYTES = 1024 * 1024;

/**
 * Create or update with `max_bytes`; when the server cannot reserve that much JetStream storage
 * (a small disk: nats-server's default max_file_store is 75 % of the free space) halve it until
 * it can, down to 1 MiB, with a warning, instead of refusing to start.
 */
async function withStorageFallback(spec: StreamSpec, maxBytes: number | undefined, logger: BusLogger, apply: (maxBytes: number | undefined) => Promise<unknown>): Promise<void> {
  let bytes = maxBytes;
  for (;;) {
    try {
      await apply(bytes);
      if (bytes !== maxBytes) logger.warn({ stream: spec.name, configured: maxBytes, applied: bytes }, "not enough JetStream storage for the stream's max_bytes; a smaller limit is applied");
      return;
    } catch (err) {
      if (!isInsufficientStorage(err) || bytes === undefined || bytes === UNLIMITED || bytes <= MIN_FALLBACK_BYTES) throw err;
      bytes = Math.max(MIN_FALLBACK_BYTES, Math.floor(bytes / 2));
    }
  }
}

async function ensureStream(jsm: JetStreamManager, spec: StreamSpec, logger: BusLogger): Promise<void> {
  const want = streamConfig(spec);
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(spec.name);
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
  }
  if (!info) {
    await withStorageFallback(spec, want.max_bytes, logger, (max_bytes) => jsm.streams.add({ ...want, ...(max_bytes === undefined ? {} : { max_bytes }) }));
    return;
  }
  const have = info.config;
  if (have.retention !== want.retention) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `stream ${spec.name} exists with retention ${have.retention}, wanted ${want.retention}`, {
      hint: "retention cannot change: delete the stream (nats stream rm) or rename it",
    });
  }
  const limits = limitsUpdate(spec, info, logger);
  const sameLimits = Object.entries(limits).every(([k, v]) => (have as unknown as Record<string, unknown>)[k] === v);
  const sameSubjects = JSON.stringify([...(have.subjects ?? [])].sort()) === JSON.stringify([...(want.subjects ?? [])].sort());
  if (sameSubjects && sameLimits && have.duplicate_window === want.duplicate_window && have.max_age === want.max_age) return;
  // streams.update merges onto the current config: replicas, storage, limits set elsewhere are kept
  const update = { subjects: want.subjects, duplicate_window: want.duplicate_window, max_age: want.max_age, ...limits };
  await withStorageFallback(spec, update.max_bytes, logger, (max_bytes) => jsm.streams.update(spec.name, { ...update, ...(max_bytes === undefined ? {} : { max_bytes }) }));
}

export function createNatsBus(link: NatsBusLink, onClose: () => Promise<void>): Bus {
  const consumers = new Set<ConsumerHandle>();
  let closed = false;

  const ensureOpen = (): void => {
    if (closed || link.nc.isClosed()) throw new HookbookError("HB_ERR_BUS_CLOSED", "NATS bus is closed", { retryAfterMs: BUS_RETRY_AFTER_MS });
  };

  return {
    kind: "nats",
    durable: true,

    async ensureStreams(specs: readonly StreamSpec[]): Promise<void> {
      ensureOpen();
      for (const spec of specs) {
        try {
          await ensureStream(link.jsm, spec, link.logger);
        } catch (err) {
          throw toBusError(`ensure stream ${spec.name}`, err);
        }
      }
    },

    async publish(subject: string, data: Uint8Array, opts: PublishOptions = {}): Promise<PublishAck> {
      ensureOpen();
      // the client would buffer while disconnected; the caller wants a fast 503 instead
      if (!link.isConnected()) throw unavailable(`publish to ${subject}: NATS is disconnected`);
      let h: MsgHdrs | undefined;
      if (opts.headers !== undefined || opts.msgId !== undefined) {
        h = natsHeaders();
        for (const [k, v] of Object.entries(opts.headers ?? {})) h.set(k, v);
        if (opts.msgId !== undefined) h.set("Nats-Msg-Id", opts.msgId);
      }
      try {
        return await link.publisher.publish(subject, data, h, opts.timeoutMs ?? link.publishTimeoutMs);
      } catch (err) {
        throw toUnavailable(`publish to ${subject}`, err);
      }
    },

    async consume(spec: ConsumerSpec, handler: DeliveryHandler): Promise<ConsumerHandle> {
      ensureOpen();
      const inner = await startNatsConsumer(
        { nc: link.nc, js: link.js, jsm: link.jsm, logger: link.logger, ackTimeoutMs: link.publishTimeoutMs },
        spec,
        handler,
      );
      const handle: ConsumerHandle = {
        async stop() {
          consumers.delete(handle);
          await inner.stop();
        },
      };
      consumers.add(handle);
      return handle;
    },

    async kv(spec: KvSpec): Promise<KvBucket> {
      ensureOpen();
      const bucket = await openNatsKv(link.js, link.jsm, spec, { pipeline: link.publisher, timeoutMs: link.publishTimeoutMs });
      // Like publish: while disconnected, fail at once (a fast 503) instead of waiting out the API timeout.
      const up = (): void => {
        ensureOpen();
        if (!link.isConnected()) throw unavailable(`KV ${spec.bucket}: NATS is disconnected`);
      };
      return {
        get: async (key) => (up(), bucket.get(key)),
        create: async (key, value) => (up(), bucket.create(key, value)),
        put: async (key, value) => (up(), bucket.put(key, value)),
        update: async (key, value, revision) => (up(), bucket.update(key, value, revision)),
        delete: async (key) => (up(), bucket.delete(key)),
        keys: async () => (up(), bucket.keys()),
        changes: (after) => (up(), bucket.changes(after)),
      };
    },

    readMessages(name: string, opts?: ReadOptions): AsyncIterable<StoredMessage> {
      ensureOpen();
      return readNatsMessages(link, name, opts);
    },

    async countMessages(name: string, subject: string): Promise<number> {
      ensureOpen();
      return countNatsMessages(link, name, subject);
    },

    async deleteConsumer(name: string, durable: string): Promise<void> {
      ensureOpen();
      await deleteNatsConsumer(link, name, durable);
    },

    async streamInfo(name: string): Promise<StreamStats | undefined> {
      ensureOpen();
      try {
        const si = await link.jsm.streams.info(name);
        return { name, messages: si.state.messages, firstSeq: si.state.first_seq, lastSeq: si.state.last_seq };
      } catch (err) {
        if (isStreamNotFound(err)) return undefined;
        throw toBusError(`stream info ${name}`, err);
      }
    },

    async healthy(): Promise<boolean> {
      if (closed || link.nc.isClosed() || !link.isConnected()) return false;
      try {
        await withTimeout(link.jsm.getAccountInfo(), link.healthTimeoutMs, "health check");
        return true;
      } catch {
        return false;
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      await onClose();
      link.publisher.close();
    },
  };
}
