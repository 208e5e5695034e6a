/**
 * A local copy of a KV bucket, kept current by reading the bucket's new writes
 * (`KvBucket.changes`) every `syncEveryMs`, so that a lookup costs a Map read instead of a round
 * trip to the server. Ingest asks "was this delivery id stored before?" and "what is the newest
 * time of this subject?" for every event, and nearly always of a key that is not there: only a
 * complete copy can answer that locally.
 *
 * `lookup` says when the copy can answer on its own and when it cannot:
 *  - a key held and not expired: its value;
 *  - a key not held: "absent" only while the copy is complete — its last read started at most
 *    `maxLagMs` ago, and no entry that may still exist on the server was dropped to stay within
 *    `maxEntries` — and "unknown" otherwise (the caller asks the server; `noteRead` keeps the answer).
 * Writes of other processes sharing the bucket arrive with the next read (lag: `syncEveryMs`).
 * Entries expire with the bucket's `ttlMs`, as the server's do.
 */
import type { Clock } from "../core/clock.js";
import type { KvBucket } from "./port.js";

export interface KvMirrorOptions<T> {
  readonly clock: Clock;
  /** The bucket's entry lifetime; 0 = forever. */
  readonly ttlMs: number;
  /** Most entries held; beyond it the least recently written are dropped (the copy is then incomplete until they would have expired). */
  readonly maxEntries: number;
  /** A copy whose last completed read started longer ago than this answers no miss on its own. */
  readonly maxLagMs: number;
  /** How often new writes are read. */
  readonly syncEveryMs: number;
  /** The stored bytes as a value; undefined when they are not one (the entry is ignored). */
  readonly decode: (bytes: Uint8Array) => T | undefined;
  /** How a newer write combines with the value held (default: it replaces it). */
  readonly merge?: (held: T, written: T) => T;
}

/** `known: false`: the copy cannot tell; ask the server. */
export type MirrorAnswer<T> = { readonly known: true; readonly value: T | undefined } | { readonly known: false };

interface Entry<T> {
  value: T;
  /** Highest revision of the key applied; 0 while only a local write is known. */
  revision: number;
  /** When it was last written (ms since epoch): expiry. */
  at: number;
}

const UNKNOWN = { known: false } as const;

export class KvMirror<T> {
  /** In order of last write: the front is what expires, or is dropped, first. */
  private readonly entries = new Map<string, Entry<T>>();
  /** Every write up to this revision has been applied. */
  private revision = 0;
  /** When the last completed read started; writes stored before it are here. */
  private caughtUpAt = Number.NEGATIVE_INFINITY;
  /** Write time of the newest entry dropped for room. */
  private droppedAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private failures = 0;

  constructor(
    private readonly bucket: KvBucket,
    private readonly opts: KvMirrorOptions<T>,
  ) {}

  /** Reads the whole bucket now, then what is new every `syncEveryMs` (errors are retried by the next read). */
  start(): void {
    if (this.timer !== undefined) return;
    void this.sync().catch(() => undefined);
    this.timer = setInterval(() => void this.sync().catch(() => undefined), this.opts.syncEveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** True while a miss is an answer (see the module comment). */
  get complete(): boolean {
    const now = this.opts.clock.now();
    if (now - this.caughtUpAt > this.opts.maxLagMs) return false;
    if (this.droppedAt === Number.NEGATIVE_INFINITY) return true;
    return this.opts.ttlMs > 0 && this.droppedAt + this.opts.ttlMs <= now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Reads that failed in a row (0 when the last one succeeded). */
  get syncFailures(): number {
    return this.failures;
  }

  lookup(key: string): MirrorAnswer<T> {
    const e = this.entries.get(key);
    if (e !== undefined) {
      if (!this.expired(e, this.opts.clock.now())) return { known: true, value: e.value };
      this.entries.delete(key);
    }
    return this.complete ? { known: true, value: undefined } : UNKNOWN;
  }

  /** A value this process wrote (or is writing): held at once; `revision` when the server's is known. */
  noteWrite(key: string, value: T, revision = 0): void {
    this.hold(key, value, revision, this.opts.clock.now());
  }

  /** What a read from the server returned for a key the copy could not answer. */
  noteRead(key: string, value: T | undefined, revision: number): void {
    if (value !== undefined) this.hold(key, value, revision, this.opts.clock.now());
  }

  /** Reads the writes stored since the last read (everything, the first time). One read at a time. */
  sync(): Promise<void> {
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    const started = this.opts.clock.now();
    let last = this.revision;
    try {
      for await (const change of this.bucket.changes(this.revision)) {
        if (change.revision > last) last = change.revision;
        const existing = this.entries.get(change.key);
        if (existing !== undefined && existing.revision >= change.revision) continue;
        const value = change.value === undefined ? undefined : this.opts.decode(change.value);
        if (value === undefined) this.entries.delete(change.key);
        else this.hold(change.key, value, change.revision, change.storedAt);
      }
    } catch (err) {
      this.failures++;
      this.revision = last;
      throw err;
    }
    this.revision = last;
    this.caughtUpAt = started;
    this.failures = 0;
    this.dropExpired(started);
  }

  private hold(key: string, value: T, revision: number, at: number): void {
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      const live = !this.expired(existing, this.opts.clock.now());
      existing.value = live && this.opts.merge ? this.opts.merge(existing.value, value) : value;
      existing.revision = Math.max(existing.revision, revision);
      existing.at = Math.max(live ? existing.at : 0, at);
      // move it to the end: the map stays in order of last write
      this.entries.delete(key);
      this.entries.set(key, existing);
      return;
    }
    this.entries.set(key, { value, revision, at });
    while (this.entries.size > this.opts.maxEntries) {
      const first = this.entries.entries().next().value;
      if (first === undefined) break;
      this.entries.delete(first[0]);
      if (!this.expired(first[1], this.opts.clock.now())) this.droppedAt = Math.max(this.droppedAt, first[1].at);
    }
  }

  private expired(e: Entry<T>, now: number): boolean {
    return this.opts.ttlMs > 0 && e.at + this.opts.ttlMs <= now;
  }

  /** Frees what the server has expired too (the front of the map is the oldest write). */
  private dropExpired(now: number): void {
    if (this.opts.ttlMs <= 0) return;
    for (const [key, e] of this.entries) {
      if (!this.expired(e, now)) break;
      this.entries.delete(key);
    }
  }
}
