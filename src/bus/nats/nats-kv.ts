/** KvBucket on JetStream KV (@nats-io/kv): create = CAS on absence, update = CAS on revision, ttl = bucket max_age. */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { StorageType } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { Kvm } from "@nats-io/kv";
import { nanos } from "@nats-io/transport-node";
import type { KvBucket, KvEntry, KvSpec } from "../port.js";
import { isWrongLastSequence, toBusError } from "./nats-errors.js";

const KV_DUPLICATE_WINDOW_MS = 120_000;

class NatsKvBucket implements KvBucket {
  constructor(
    private readonly kv: KV,
    private readonly name: string,
  ) {}

  private fail(op: string, key: string, err: unknown): never {
    throw toBusError(`kv ${this.name} ${op} ${key}`, err);
  }

  async get(key: string): Promise<KvEntry | undefined> {
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

  async put(key: string, value: Uint8Array): Promise<number> {
    try {
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
}

/** Open (creating when missing) the bucket; an existing bucket's max_age follows `ttlMs`. */
export async function openNatsKv(js: JetStreamClient, jsm: JetStreamManager, spec: KvSpec): Promise<KvBucket> {
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
    return new NatsKvBucket(kv, spec.bucket);
  } catch (err) {
    throw toBusError(`kv bucket ${spec.bucket}`, err);
  }
}
