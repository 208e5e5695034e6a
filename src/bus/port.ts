/**
 * The Bus port. The engine, ingest, runners and delivery see only this; `bus/nats/` and
 * `bus/memory.ts` implement it, and `test/integration/bus-contract.test.ts` runs the same
 * suite against both.
 */

export interface StreamSpec {
  readonly name: string;
  readonly subjects: readonly string[];
  /** "limits": kept until max age; "workqueue": a message is removed once acked. */
  readonly retention: "limits" | "workqueue";
  /** Window in which a repeated Nats-Msg-Id is dropped. */
  readonly duplicateWindowMs: number;
  /** 0 = unlimited. */
  readonly maxAgeMs: number;
  /** Most bytes stored (messages with subject and headers); absent or 0 = unlimited. */
  readonly maxBytes?: number;
  /** Most messages stored; absent or 0 = unlimited. */
  readonly maxMsgs?: number;
  /**
   * At a limit: "old" (default) deletes the oldest messages to make room; "new" refuses the
   * publish with HB_ERR_BUS_FULL (backpressure instead of silent loss).
   */
  readonly discard?: "old" | "new";
}

export interface PublishOptions {
  /** Deduplication id (Nats-Msg-Id). */
  readonly msgId?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** How long to wait for the store's acknowledgement. */
  readonly timeoutMs?: number;
}

export interface PublishAck {
  readonly stream: string;
  readonly seq: number;
  /** True when the msgId was already stored inside the duplicate window: nothing new was stored. */
  readonly duplicate: boolean;
}

export interface Delivery {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** Stream sequence of the message. */
  readonly seq: number;
  /** 1 on first delivery, incremented on every redelivery (nak or ack timeout). */
  readonly deliveryCount: number;
  /** When the message was stored (ms since epoch). */
  readonly storedAt: number;
  json<T = unknown>(): T;
  ack(): Promise<void>;
  /** Redeliver later (after `delayMs`, default immediately). */
  nak(delayMs?: number): void;
  /** Never redeliver. */
  term(reason?: string): void;
  /** Extend the ack deadline for a long-running handler. */
  working(): void;
}

export interface ConsumerSpec {
  readonly stream: string;
  /** Durable name: progress survives restarts. */
  readonly durable: string;
  readonly filterSubjects?: readonly string[];
  /** Redeliver when a handler neither acks nor naks within this time. */
  readonly ackWaitMs?: number;
  /** Give up after this many deliveries (the adapter terminates the message). */
  readonly maxDeliver?: number;
  /** Messages in flight at once for this consumer. */
  readonly maxAckPending?: number;
  /**
   * Where a NEW durable starts: "all" (default) = the first stored message; "new" = only messages
   * stored after it was created. An existing durable always resumes where it was.
   */
  readonly deliverPolicy?: "all" | "new";
}

/**
 * A handler resolves → the message is acked (unless the handler already acked/naked/termed).
 * A handler throws → a HookbookError's retry class decides: "permanent" terminates,
 * "retry-after" naks with its delay, anything else naks with exponential backoff.
 */
export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface ConsumerHandle {
  stop(): Promise<void>;
}

export interface KvEntry {
  readonly value: Uint8Array;
  readonly revision: number;
}

/** One write to a bucket, as `KvBucket.changes` reads it back. */
export interface KvChange {
  readonly key: string;
  /** The written value; undefined for a delete. */
  readonly value: Uint8Array | undefined;
  readonly revision: number;
  /** When the write was stored (ms since epoch). */
  readonly storedAt: number;
}

export interface KvBucket {
  get(key: string): Promise<KvEntry | undefined>;
  /** Store only if the key does not exist; false when it already exists (compare-and-set on absence). */
  create(key: string, value: Uint8Array): Promise<boolean>;
  put(key: string, value: Uint8Array): Promise<number>;
  /** Store only if the current revision is `revision`; false otherwise. */
  update(key: string, value: Uint8Array, revision: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
  /**
   * The writes still held whose revision is above `after` (0: everything the bucket holds), oldest
   * first, ending with the newest revision stored when the call started. Revisions only grow, so
   * a reader that remembers the last revision it saw reads only what is new (KvMirror).
   */
  changes(after: number): AsyncIterable<KvChange>;
}

export interface KvSpec {
  readonly bucket: string;
  /** Entry lifetime, 0 = forever. */
  readonly ttlMs?: number;
}

/** Stored-message figures of one stream (metrics, admin API, tests). */
export interface StreamStats {
  readonly name: string;
  /** Messages stored now (a work-queue stream drops a message once it is acked). */
  readonly messages: number;
  /** Sequence of the oldest stored message; when empty, lastSeq + 1 (0 if nothing was ever stored). */
  readonly firstSeq: number;
  /** Sequence of the newest message ever stored. */
  readonly lastSeq: number;
}

/** A stored message read without a consumer (`Bus.readMessages`). */
export interface StoredMessage {
  readonly subject: string;
  readonly seq: number;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** When the message was stored (ms since epoch). */
  readonly storedAt: number;
}

export interface ReadOptions {
  /** Only messages whose subject matches this subject or wildcard pattern. */
  readonly subject?: string;
  /** First stream sequence to read (inclusive). */
  readonly startSeq?: number;
  /** Only messages stored at or after this time (ms since epoch). */
  readonly startTimeMs?: number;
}

export interface Bus {
  readonly kind: "nats" | "memory";
  /** True when stored messages survive a process restart. */
  readonly durable: boolean;
  /** Create the streams or update them to these specs. */
  ensureStreams(specs: readonly StreamSpec[]): Promise<void>;
  /**
   * Resolves once the store acknowledged; throws HB_ERR_BUS_UNAVAILABLE when it cannot store,
   * HB_ERR_BUS_FULL when the stream is at a limit with `discard: "new"`.
   */
  publish(subject: string, data: Uint8Array, opts?: PublishOptions): Promise<PublishAck>;
  consume(spec: ConsumerSpec, handler: DeliveryHandler): Promise<ConsumerHandle>;
  kv(spec: KvSpec): Promise<KvBucket>;
  /** Stored-message figures of a stream; undefined when the stream does not exist. */
  streamInfo?(name: string): Promise<StreamStats | undefined>;
  /**
   * Stored messages of a stream, oldest first, without acknowledging anything and without a
   * durable consumer (admin reads: attempt logs, dead letters, replay lookups). The iteration
   * ends at the newest message stored when the call started. Throws HB_ERR_CONFIG_INVALID when
   * the stream does not exist, or is a work-queue stream on NATS (JetStream cannot read those
   * without consuming them: use countMessages).
   */
  readMessages?(stream: string, opts?: ReadOptions): AsyncIterable<StoredMessage>;
  /** Messages stored now whose subject matches `subject` (a subject or wildcard pattern); 0 when the stream does not exist. */
  countMessages?(stream: string, subject: string): Promise<number>;
  /**
   * Delete a durable consumer and its delivery state (pending redeliveries included); the
   * stream's messages stay. Stop every handle on it first. No-op when it does not exist.
   */
  deleteConsumer?(stream: string, durable: string): Promise<void>;
  /** Cheap reachability check for /readyz. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson<T = unknown>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}

/** Exponential backoff with full jitter for redelivery of transient failures. */
export function redeliveryDelayMs(deliveryCount: number, baseMs = 500, maxMs = 60_000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, deliveryCount - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}
