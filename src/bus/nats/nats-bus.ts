/** The Bus port on NATS JetStream (file storage, durable pull consumers, JetStream KV). */
import type { JetStreamClient, JetStreamManager, StreamConfig, StreamInfo } from "@nats-io/jetstream";
import { DiscardPolicy, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
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
import { BUS_RETRY_AFTER_MS, isStreamNotFound, toBusError, toUnavailable, unavailable } from "./nats-errors.js";
import { openNatsKv } from "./nats-kv.js";
import { countNatsMessages, deleteNatsConsumer, readNatsMessages } from "./nats-read.js";

export interface NatsBusLink {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
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

function streamConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  const dup = spec.maxAgeMs > 0 ? Math.min(spec.duplicateWindowMs, spec.maxAgeMs) : spec.duplicateWindowMs;
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    retention: spec.retention === "workqueue" ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(dup),
    max_age: nanos(spec.maxAgeMs),
  };
}

async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  const want = streamConfig(spec);
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(spec.name);
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
  }
  if (!info) {
    await jsm.streams.add(want);
    return;
  }
  const have = info.config;
  if (have.retention !== want.retention) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `stream ${spec.name} exists with retention ${have.retention}, wanted ${want.retention}`, {
      hint: "retention cannot change: delete the stream (nats stream rm) or rename it",
    });
  }
  const sameSubjects = JSON.stringify([...(have.subjects ?? [])].sort()) === JSON.stringify([...(want.subjects ?? [])].sort());
  if (sameSubjects && have.duplicate_window === want.duplicate_window && have.max_age === want.max_age) return;
  // streams.update merges onto the current config: replicas, storage, limits set elsewhere are kept
  await jsm.streams.update(spec.name, { subjects: want.subjects, duplicate_window: want.duplicate_window, max_age: want.max_age });
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
          await ensureStream(link.jsm, spec);
        } catch (err) {
          throw toBusError(`ensure stream ${spec.name}`, err);
        }
      }
    },

    async publish(subject: string, data: Uint8Array, opts: PublishOptions = {}): Promise<PublishAck> {
      ensureOpen();
      // the client would buffer while disconnected; the caller wants a fast 503 instead
      if (!link.isConnected()) throw unavailable(`publish to ${subject}: NATS is disconnected`);
      const h = natsHeaders();
      for (const [k, v] of Object.entries(opts.headers ?? {})) h.set(k, v);
      try {
        const pa = await link.js.publish(subject, data, {
          headers: h,
          timeout: opts.timeoutMs ?? link.publishTimeoutMs,
          ...(opts.msgId !== undefined ? { msgID: opts.msgId } : {}),
        });
        return { stream: pa.stream, seq: pa.seq, duplicate: pa.duplicate };
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
      const bucket = await openNatsKv(link.js, link.jsm, spec);
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
    },
  };
}
