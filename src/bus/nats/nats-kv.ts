/**
 * KvBucket on JetStream KV (@nats-io/kv): create = CAS on absence, update = CAS on revision,
 * ttl = bucket max_age. `get` and `put` — the calls ingest makes per event for long-horizon
 * dedup — go through the bus's PubAckPipeline (a direct get, a plain publish to `$KV.<bucket>.<key>`)
 * instead of the kv client's per-call request machinery; same server operations, same results.
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { StorageType } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { Kvm } from "@nats-io/kv";
import { Empty, nanos } from "@nats-io/transport-node";
import type { KvBucket, KvChange, KvEntry, KvSpec } from "../port.js";
import { isWrongLastSequence, toBusError } from "./nats-errors.js";
import type { PubAckPipeline } from "./pub-ack-pipeline.js";
import { readNatsMessages } from "./nats-read.js";
import type { ReadLink } from "./nats-read.js";

/** Keys the fast path sends as they are; anything else goes through the kv client (which validates). */
const PLAIN_KEY = /^[-/_=a-zA-Z0-9]+(\.[-/_=a-zA-Z0-9]+)*$/;

/** How the bucket's hot path reaches the server. */
export interface KvFastPath {
  readonly pipeline: PubAckPipeline;
  readonly timeoutMs: number;
}

const KV_DUPLICATE_WINDOW_MS = 120_000;

class NatsKvBucket implements KvBucket {
  constructor(
    private readonly kv: KV,
    private readonly name: string,
    private readonly fast: KvFastPath | undefined,
    private readonly link: ReadLink,
  ) {}

  private fail(op: string, key: string, err: unknown): never {
    throw toBusError(`kv ${this.name} ${op} ${key}`, err);
  }

  async get(key: string): Promise<KvEntry | undefined> {
    if (this.fast && PLAIN_KEY.test(key)) return this.directGet(this.fast, key);
    try {
      const e = await this.kv.get(key);
      if (!e || e.operation !== "PUT") return undefined;
      return { value: new Uint8Array(e.value.buffer, e.value.byteOffset, e.value.byteLength), revision: e.revision };
    } catch (err) {
      this.fail("get", key, err);
    }
  }

  async create(key: string, value: Uint8Array): Promise<boolean> {
    try {
      await this.kv.create(key, value);
      return true;
    } catch (err) {
      if (isWrongLastSequence(err)) return false;
      this.fail("create", key, err);
    }
  }

  /** The newest entry of the key's subject, read with the stream's direct get (allow_direct). */
  private async directGet(fast: KvFastPath, key: string): Promise<KvEntry | undefined> {
    try {
      const msg = await fast.pipeline.request(`$JS.API.DIRECT.GET.KV_${this.name}.$KV.${this.name}.${key}`, Empty, undefined, fast.timeoutMs);
      const h = msg.headers;
      if (h?.hasError) {
        if (h.code === 404) return undefined;
        throw new Error(`direct get: ${h.code} ${h.description}`);
      }
      const op = h?.get("KV-Operation");
      if (op === "DEL" || op === "PURGE") return undefined;
      return { value: msg.data, revision: Number(h?.get("Nats-Sequence") ?? 0) };
    } catch (err) {
      this.fail("get", key, err);
    }
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    try {
      if (this.fast && PLAIN_KEY.test(key)) return (await this.fast.pipeline.publish(`$KV.${this.name}.${key}`, value, undefined, this.fast.timeoutMs)).seq;
      return await this.kv.put(key, value);
    } catch (err) {
      this.fail("put", key, err);
    }
  }

  async update(key: string, value: Uint8Array, revision: number): Promise<boolean> {
    if (!(revision > 0)) return false;
    try {
      await this.kv.update(key, value, revision);
      return true;
    } catch (err) {
      if (isWrongLastSequence(err)) return false;
      this.fail("update", key, err);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.kv.delete(key);
    } catch (err) {
      this.fail("delete", key, err);
    }
  }

  async keys(): Promise<string[]> {
    try {
      const out: string[] = [];
      for await (const k of await this.kv.keys()) out.push(k);
      return out;
    } catch (err) {
      this.fail("keys", "*", err);
    }
  }

  /**
   * The bucket's stream read from revision `after + 1` (a revision is the stream sequence). No
   * subject filter: the stream holds only the bucket's subjects, and on nats-server 2.9 a filtered
   * consumer on a stream of 100k keys costs the server 40–100 ms of CPU to create (unfiltered: ~1 ms).
   */
  async *changes(after: number): AsyncIterable<KvChange> {
    const prefix = `$KV.${this.name}.`;
    for await (const m of readNatsMessages(this.link, `KV_${this.name}`, { startSeq: after + 1 })) {
      if (m.seq <= after || !m.subject.startsWith(prefix)) continue;
      const op = m.headers["KV-Operation"];
      const deleted = op === "DEL" || op === "PURGE";
      yield { key: m.subject.slice(prefix.length), value: deleted ? undefined : m.data, revision: m.seq, storedAt: m.storedAt };
    }
  }
}

/** Open (creating when missing) the bucket; an existing bucket's max_age follows `ttlMs`. */
export async function openNatsKv(js: JetStreamClient, jsm: JetStreamManager, spec: KvSpec, fast?: KvFastPath): Promise<KvBucket> {
  const ttlMs = spec.ttlMs ?? 0;
  try {
    const kv = await new Kvm(js).create(spec.bucket, { history: 1, storage: StorageType.File, ttl: ttlMs });
    const stream = `KV_${spec.bucket}`;
    const info = await jsm.streams.info(stream);
    if (info.config.max_age !== nanos(ttlMs)) {
      // the duplicate window may not exceed max_age (the server's KV default is 2 min)
      const dupMs = ttlMs > 0 ? Math.min(KV_DUPLICATE_WINDOW_MS, ttlMs) : KV_DUPLICATE_WINDOW_MS;
      await jsm.streams.update(stream, { max_age: nanos(ttlMs), duplicate_window: nanos(dupMs) });
    }
    // The fast get needs direct gets on the bucket's stream (buckets made on servers before 2.9 lack it).
    return new NatsKvBucket(kv, spec.bucket, info.config.allow_direct === true ? fast : undefined, { js, jsm });
  } catch (err) {
    throw toBusError(`kv bucket ${spec.bucket}`, err);
  }
}
