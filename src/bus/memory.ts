/**
 * In-process Bus: the same promises as JetStream (port.ts) without durability. Used by
 * `hookbook test`, `hookbook run --events`, unit tests and as the last-resort runtime bus.
 * Every timer goes through the Clock, so a VirtualClock makes redelivery deterministic.
 */
import type { Clock, TimerHandle } from "../core/clock.js";
import { systemClock } from "../core/clock.js";
import { HookbookError } from "../core/errors.js";
import type {
  Bus,
  ConsumerHandle,
  ConsumerSpec,
  DeliveryHandler,
  KvBucket,
  KvChange,
  KvEntry,
  KvSpec,
  PublishAck,
  PublishOptions,
  ReadOptions,
  StoredMessage as StoredMessageView,
  StreamSpec,
  StreamStats,
} from "./port.js";
import type { DeliverySettler } from "./settle.js";
import { dispatchDelivery } from "./settle.js";
import { subjectMatches } from "./subject.js";

export interface MemoryBusOptions {
  readonly clock?: Clock;
  readonly logger?: { warn(obj: object, msg?: string): void };
}

const DEFAULT_ACK_WAIT_MS = 30_000;
const MSG_ID_HEADER = "Nats-Msg-Id";
const NAME_RE = /^[-\w]+$/;
const KV_KEY_RE = /^[-/=.\w]+$/;
/** Per-message overhead counted against maxBytes, roughly what a JetStream file store adds. */
const MSG_OVERHEAD_BYTES = 16;

/** Bytes a message counts against a stream's maxBytes: subject, headers (as on the wire) and data. */
function messageBytes(subject: string, data: Uint8Array, headers: Readonly<Record<string, string>>): number {
  let h = 0;
  for (const [k, v] of Object.entries(headers)) h += Buffer.byteLength(k) + Buffer.byteLength(v) + 4;
  return Buffer.byteLength(subject) + data.byteLength + (h > 0 ? h + 12 : 0) + MSG_OVERHEAD_BYTES;
}

interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly storedAt: number;
  readonly size: number;
}

class MemoryStream {
  /** log[i] holds seq base + i; removed messages leave a hole. */
  private log: (StoredMessage | undefined)[] = [];
  private base = 1;
  private count = 0;
  /** Bytes stored, as counted against maxBytes. */
  private bytes = 0;
  lastSeq = 0;
  private readonly dedup = new Map<string, { seq: number; at: number }>();
  readonly consumers = new Map<string, MemoryConsumerState>();

  constructor(public spec: StreamSpec) {}

  expire(now: number): void {
    if (this.spec.maxAgeMs > 0) {
      for (let i = 0; i < this.log.length; i++) {
        const m = this.log[i];
        if (!m) continue;
        if (m.storedAt + this.spec.maxAgeMs > now) break;
        this.remove(m.seq);
      }
    }
    for (const [id, d] of this.dedup) {
      if (d.at + this.spec.duplicateWindowMs > now) break;
      this.dedup.delete(id);
    }
  }

  duplicateOf(msgId: string, now: number): number | undefined {
    const d = this.dedup.get(msgId);
    return d && d.at + this.spec.duplicateWindowMs > now ? d.seq : undefined;
  }

  private overLimit(extraBytes: number, extraMsgs: number): boolean {
    const { maxBytes, maxMsgs } = this.spec;
    return (maxBytes !== undefined && maxBytes > 0 && this.bytes + extraBytes > maxBytes) || (maxMsgs !== undefined && maxMsgs > 0 && this.count + extraMsgs > maxMsgs);
  }

  /**
   * Make room for a message of `size` bytes within maxBytes/maxMsgs: with discard "new" a full
   * stream refuses it (HB_ERR_BUS_FULL, as JetStream does), with "old" the oldest messages go.
   */
  admit(subject: string, size: number): void {
    if (!this.overLimit(size, 1)) return;
    const limits = `max_bytes ${this.spec.maxBytes ?? 0}, max_msgs ${this.spec.maxMsgs ?? 0}`;
    if (this.spec.discard === "new" || this.overLimitAlone(size)) {
      throw new HookbookError("HB_ERR_BUS_FULL", `publish to ${subject}: stream ${this.spec.name} is full (${limits}, holds ${this.count} messages, ${this.bytes} bytes)`, {
        retryAfterMs: 5000,
      });
    }
    for (const m of this.log) {
      if (!this.overLimit(size, 1)) break;
      if (m) this.remove(m.seq);
    }
  }

  /** A message larger than maxBytes by itself never fits. */
  private overLimitAlone(size: number): boolean {
    const { maxBytes } = this.spec;
    return maxBytes !== undefined && maxBytes > 0 && size > maxBytes;
  }

  append(subject: string, data: Uint8Array, headers: Record<string, string>, msgId: string | undefined, now: number): number {
    const size = messageBytes(subject, data, headers);
    this.admit(subject, size);
    const seq = ++this.lastSeq;
    if (this.log.length === 0) this.base = seq;
    this.log.push({ seq, subject, data, headers, storedAt: now, size });
    this.count++;
    this.bytes += size;
    if (msgId !== undefined) {
      this.dedup.delete(msgId);
      this.dedup.set(msgId, { seq, at: now });
    }
    return seq;
  }

  get(seq: number): StoredMessage | undefined {
    return this.log[seq - this.base];
  }

  /** First stored message with seq > after whose subject passes `accept`. */
  next(after: number, accept: (subject: string) => boolean): StoredMessage | undefined {
    for (let i = Math.max(0, after + 1 - this.base); i < this.log.length; i++) {
      const m = this.log[i];
      if (m && accept(m.subject)) return m;
    }
    return undefined;
  }

  remove(seq: number): void {
    const i = seq - this.base;
    const m = this.log[i];
    if (i < 0 || i >= this.log.length || m === undefined) return;
    this.log[i] = undefined;
    this.count--;
    this.bytes -= m.size;
    let head = 0;
    while (head < this.log.length && this.log[head] === undefined) head++;
    if (head > 0 && (head === this.log.length || head > 1024 || head * 2 > this.log.length)) {
      this.log = this.log.slice(head);
      this.base += head;
    }
  }

  stats(): StreamStats {
    let firstSeq = this.lastSeq === 0 ? 0 : this.lastSeq + 1;
    for (const m of this.log) {
      if (m) {
        firstSeq = m.seq;
        break;
      }
    }
    return { name: this.spec.name, messages: this.count, firstSeq, lastSeq: this.lastSeq };
  }
}

interface PendingState {
  deliveryCount: number;
  attempt: number;
  ready: boolean;
  ackTimer: TimerHandle | undefined;
  nakTimer: TimerHandle | undefined;
}

interface Subscription {
  readonly handler: DeliveryHandler;
  inFlight: number;
  stopped: boolean;
  idle: (() => void)[];
}

interface ConsumerSettings {
  readonly filters: readonly string[];
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly maxAckPending: number;
}

class MemoryConsumerState {
  cursor = 0;
  readonly pending = new Map<number, PendingState>();
  subs: Subscription[] = [];
  private rr = 0;
  private scheduled = false;

  constructor(
    private readonly stream: MemoryStream,
    public settings: ConsumerSettings,
    private readonly clock: Clock,
    private readonly logger: MemoryBusOptions["logger"],
  ) {}

  private accepts = (subject: string): boolean =>
    this.settings.filters.length === 0 || this.settings.filters.some((f) => subjectMatches(f, subject));

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.subs.length === 0) return;
    this.stream.expire(this.clock.now());
    const ready = [...this.pending].filter(([, p]) => p.ready).map(([seq]) => seq).sort((a, b) => a - b);
    for (const seq of ready) this.deliver(seq);
    while (this.pending.size < this.settings.maxAckPending) {
      const msg = this.stream.next(this.cursor, this.accepts);
      if (!msg) break;
      this.cursor = msg.seq;
      this.pending.set(msg.seq, { deliveryCount: 0, attempt: 0, ready: false, ackTimer: undefined, nakTimer: undefined });
      this.deliver(msg.seq);
    }
  }

  private deliver(seq: number): void {
    const p = this.pending.get(seq);
    if (!p) return;
    const msg = this.stream.get(seq);
    if (!msg) {
      this.forget(seq);
      return;
    }
    const sub = this.subs[this.rr++ % this.subs.length];
    if (!sub) return;
    p.ready = false;
    p.deliveryCount++;
    const attempt = ++p.attempt;
    this.armAckTimer(seq, p, attempt);
    sub.inFlight++;
    const fields = { ...msg, deliveryCount: p.deliveryCount };
    const settler = this.settler(seq, attempt);
    const opts = {
      maxDeliver: this.settings.maxDeliver,
      onHandlerError: (err: unknown) =>
        this.logger?.warn({ err, stream: this.stream.spec.name, seq, deliveryCount: fields.deliveryCount }, "bus handler failed"),
    };
    void Promise.resolve()
      .then(() => dispatchDelivery(fields, settler, sub.handler, opts))
      .catch(() => undefined)
      .finally(() => {
        sub.inFlight--;
        if (sub.inFlight === 0) for (const resolve of sub.idle.splice(0)) resolve();
        this.schedule();
      });
  }

  private armAckTimer(seq: number, p: PendingState, attempt: number): void {
    p.ackTimer?.cancel();
    p.ackTimer = this.clock.setTimer(this.settings.ackWaitMs, () => {
      const cur = this.pending.get(seq);
      if (!cur || cur.attempt !== attempt || cur.ready || cur.nakTimer) return;
      this.redeliverOrDrop(seq, cur);
    });
  }

  private redeliverOrDrop(seq: number, p: PendingState): void {
    p.ackTimer?.cancel();
    p.ackTimer = undefined;
    p.nakTimer = undefined;
    if (this.settings.maxDeliver > 0 && p.deliveryCount >= this.settings.maxDeliver) {
      this.forget(seq);
    } else {
      p.ready = true;
    }
    this.schedule();
  }

  private forget(seq: number): void {
    const p = this.pending.get(seq);
    p?.ackTimer?.cancel();
    p?.nakTimer?.cancel();
    this.pending.delete(seq);
  }

  private done(seq: number): void {
    if (!this.pending.has(seq)) return;
    this.forget(seq);
    if (this.stream.spec.retention === "workqueue") this.stream.remove(seq);
    this.schedule();
  }

  private settler(seq: number, attempt: number): DeliverySettler {
    const current = (): PendingState | undefined => {
      const p = this.pending.get(seq);
      return p && p.attempt === attempt && !p.ready && !p.nakTimer ? p : undefined;
    };
    return {
      ack: async () => this.done(seq),
      autoAck: () => this.done(seq),
      term: () => this.done(seq),
      nak: (delayMs) => {
        const p = current();
        if (!p) return;
        p.ackTimer?.cancel();
        p.ackTimer = undefined;
        if (delayMs <= 0) this.redeliverOrDrop(seq, p);
        else p.nakTimer = this.clock.setTimer(delayMs, () => this.redeliverOrDrop(seq, p));
      },
      working: () => {
        const p = current();
        if (p) this.armAckTimer(seq, p, attempt);
      },
    };
  }

  async unsubscribe(sub: Subscription): Promise<void> {
    sub.stopped = true;
    this.subs = this.subs.filter((s) => s !== sub);
    if (sub.inFlight > 0) await new Promise<void>((resolve) => sub.idle.push(resolve));
  }

  cancelTimers(): void {
    for (const p of this.pending.values()) {
      p.ackTimer?.cancel();
      p.nakTimer?.cancel();
    }
  }

  /** Deleted: stop every subscription, forget pending state (the stream keeps its messages). */
  async destroy(): Promise<void> {
    await Promise.all([...this.subs].map((sub) => this.unsubscribe(sub)));
    this.cancelTimers();
    this.pending.clear();
  }
}

interface MemoryKvEntry {
  /** undefined: a delete, kept so `changes` can report it. */
  readonly value: Uint8Array | undefined;
  readonly revision: number;
  readonly at: number;
}

class MemoryKv implements KvBucket {
  private readonly entries = new Map<string, MemoryKvEntry>();
  private revision = 0;

  constructor(
    public ttlMs: number,
    private readonly clock: Clock,
  ) {}

  private expired(e: MemoryKvEntry): boolean {
    return this.ttlMs > 0 && e.at + this.ttlMs <= this.clock.now();
  }

  private live(key: string): (MemoryKvEntry & { value: Uint8Array }) | undefined {
    checkKey(key);
    const e = this.entries.get(key);
    if (e && this.expired(e)) {
      this.entries.delete(key);
      return undefined;
    }
    return e?.value === undefined ? undefined : (e as MemoryKvEntry & { value: Uint8Array });
  }

  /** A write (or, with value undefined, a delete) moves the key to the end: entries stay in revision order. */
  private write(key: string, value: Uint8Array | undefined): number {
    const revision = ++this.revision;
    this.entries.delete(key);
    this.entries.set(key, { value: value?.slice(), revision, at: this.clock.now() });
    return revision;
  }

  async get(key: string): Promise<KvEntry | undefined> {
    const e = this.live(key);
    return e ? { value: e.value.slice(), revision: e.revision } : undefined;
  }

  async create(key: string, value: Uint8Array): Promise<boolean> {
    if (this.live(key)) return false;
    this.write(key, value);
    return true;
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    checkKey(key);
    return this.write(key, value);
  }

  async update(key: string, value: Uint8Array, revision: number): Promise<boolean> {
    const e = this.live(key);
    if (!e || e.revision !== revision) return false;
    this.write(key, value);
    return true;
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    if (this.entries.has(key)) this.write(key, undefined);
  }

  async keys(): Promise<string[]> {
    return [...this.entries.keys()].filter((k) => this.live(k) !== undefined);
  }

  async *changes(after: number): AsyncIterable<KvChange> {
    const last = this.revision;
    for (const [key, e] of [...this.entries]) {
      if (e.revision <= after || e.revision > last || this.expired(e)) continue;
      yield { key, value: e.value?.slice(), revision: e.revision, storedAt: e.at };
    }
  }
}

function checkKey(key: string): void {
  if (!KV_KEY_RE.test(key) || key.startsWith(".") || key.endsWith(".")) {
    throw new HookbookError("HB_ERR_INTERNAL", `invalid KV key "${key}"`);
  }
}

function checkName(kind: string, name: string): void {
  if (!NAME_RE.test(name)) throw new HookbookError("HB_ERR_CONFIG_INVALID", `invalid ${kind} name "${name}"`);
}

/** The in-memory Bus. Consumers keep their position for the life of this object. */
export function createMemoryBus(opts: MemoryBusOptions = {}): Bus {
  const clock = opts.clock ?? systemClock;
  const streams = new Map<string, MemoryStream>();
  const buckets = new Map<string, MemoryKv>();
  const handles = new Set<() => Promise<void>>();
  let closed = false;

  const ensureOpen = (): void => {
    if (closed) throw new HookbookError("HB_ERR_BUS_CLOSED", "memory bus is closed", { retryAfterMs: 5000 });
  };

  return {
    kind: "memory",
    durable: false,

    async ensureStreams(specs: readonly StreamSpec[]): Promise<void> {
      ensureOpen();
      for (const spec of specs) {
        checkName("stream", spec.name);
        const existing = streams.get(spec.name);
        if (existing) {
          if (existing.spec.retention !== spec.retention) {
            throw new HookbookError("HB_ERR_CONFIG_INVALID", `stream ${spec.name} exists with retention ${existing.spec.retention}`);
          }
          existing.spec = { ...spec, subjects: [...spec.subjects] };
        } else {
          streams.set(spec.name, new MemoryStream({ ...spec, subjects: [...spec.subjects] }));
        }
      }
    },

    async publish(subject: string, data: Uint8Array, popts: PublishOptions = {}): Promise<PublishAck> {
      ensureOpen();
      const stream = [...streams.values()].find((s) => s.spec.subjects.some((p) => subjectMatches(p, subject)));
      if (!stream) {
        throw new HookbookError("HB_ERR_BUS_UNAVAILABLE", `no stream stores subject ${subject}`, { retryAfterMs: 5000 });
      }
      const now = clock.now();
      stream.expire(now);
      if (popts.msgId !== undefined) {
        const seq = stream.duplicateOf(popts.msgId, now);
        if (seq !== undefined) return { stream: stream.spec.name, seq, duplicate: true };
      }
      const headers: Record<string, string> = { ...popts.headers };
      if (popts.msgId !== undefined) headers[MSG_ID_HEADER] = popts.msgId;
      const seq = stream.append(subject, data.slice(), headers, popts.msgId, now);
      for (const c of stream.consumers.values()) c.schedule();
      return { stream: stream.spec.name, seq, duplicate: false };
    },

    async consume(spec: ConsumerSpec, handler: DeliveryHandler): Promise<ConsumerHandle> {
      ensureOpen();
      const stream = streams.get(spec.stream);
      if (!stream) throw new HookbookError("HB_ERR_CONFIG_INVALID", `stream ${spec.stream} does not exist`);
      checkName("durable", spec.durable);
      const settings: ConsumerSettings = {
        filters: [...(spec.filterSubjects ?? [])],
        ackWaitMs: spec.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
        maxDeliver: spec.maxDeliver ?? -1,
        maxAckPending: Math.max(1, spec.maxAckPending ?? 1),
      };
      let state = stream.consumers.get(spec.durable);
      if (state) state.settings = settings;
      else {
        state = new MemoryConsumerState(stream, settings, clock, opts.logger);
        if (spec.deliverPolicy === "new") state.cursor = stream.lastSeq;
        stream.consumers.set(spec.durable, state);
      }
      const consumer = state;
      const sub: Subscription = { handler, inFlight: 0, stopped: false, idle: [] };
      consumer.subs.push(sub);
      consumer.schedule();
      const stop = async (): Promise<void> => {
        handles.delete(stop);
        await consumer.unsubscribe(sub);
      };
      handles.add(stop);
      return { stop };
    },

    async kv(spec: KvSpec): Promise<KvBucket> {
      ensureOpen();
      checkName("bucket", spec.bucket);
      let bucket = buckets.get(spec.bucket);
      if (bucket) bucket.ttlMs = spec.ttlMs ?? 0;
      else {
        bucket = new MemoryKv(spec.ttlMs ?? 0, clock);
        buckets.set(spec.bucket, bucket);
      }
      return bucket;
    },

    async *readMessages(name: string, ropts: ReadOptions = {}): AsyncIterable<StoredMessageView> {
      ensureOpen();
      const stream = streams.get(name);
      if (!stream) throw new HookbookError("HB_ERR_CONFIG_INVALID", `stream ${name} does not exist`);
      stream.expire(clock.now());
      const last = stream.lastSeq;
      const filter = ropts.subject;
      const accept = (subject: string): boolean => filter === undefined || subjectMatches(filter, subject);
      let after = Math.max(0, (ropts.startSeq ?? 1) - 1);
      for (;;) {
        const m = stream.next(after, accept);
        if (!m || m.seq > last) return;
        after = m.seq;
        if (ropts.startTimeMs !== undefined && m.storedAt < ropts.startTimeMs) continue;
        yield { subject: m.subject, seq: m.seq, data: m.data.slice(), headers: { ...m.headers }, storedAt: m.storedAt };
      }
    },

    async countMessages(name: string, subject: string): Promise<number> {
      ensureOpen();
      const stream = streams.get(name);
      if (!stream) return 0;
      stream.expire(clock.now());
      let n = 0;
      let after = 0;
      for (;;) {
        const m = stream.next(after, (s) => subjectMatches(subject, s));
        if (!m) return n;
        after = m.seq;
        n++;
      }
    },

    async deleteConsumer(name: string, durable: string): Promise<void> {
      const stream = streams.get(name);
      const consumer = stream?.consumers.get(durable);
      if (!stream || !consumer) return;
      stream.consumers.delete(durable);
      await consumer.destroy();
    },

    async streamInfo(name: string): Promise<StreamStats | undefined> {
      const stream = streams.get(name);
      if (!stream) return undefined;
      stream.expire(clock.now());
      return stream.stats();
    },

    async healthy(): Promise<boolean> {
      return !closed;
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...handles].map((stop) => stop()));
      for (const s of streams.values()) for (const c of s.consumers.values()) c.cancelTimers();
    },
  };
}
