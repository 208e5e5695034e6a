import { KvMirror } from "../bus/kv-mirror.js";
import type { Bus, KvBucket } from "../bus/port.js";
import { decodeJson, encodeJson } from "../bus/port.js";
import { BoundedCache } from "../core/bounded-cache.js";
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import { sha256Hex } from "../core/ids.js";

/**
 * What ingest remembers beyond JetStream's duplicate window:
 *  - seen dedup ids, for producers that retry for longer than the window (EventBridge 24 h,
 *    GitHub/GitLab redelivery days later), in a KV bucket with a TTL;
 *  - the newest producer time per (source, subject), to mark a late event stale (a `firing`
 *    that arrives after its `resolved`).
 *
 * Both buckets are mirrored in memory (KvMirror), so the per-event questions cost no round trip:
 * a delivery id or subject the copy does not hold is new as long as the copy is complete. The
 * copy reads what other ingest processes wrote every `syncEveryMs` (1 s); that lag is harmless
 * for dedup, because every id stored in the last two hours is also caught by the stream's
 * duplicate window (Nats-Msg-Id), and it is the time it takes one process to learn another's
 * newest time for a subject. When the copy cannot answer (still loading after a start, not read
 * for `maxLagMs`, or over `maxEntries`) the lookup goes to the bucket, as it always may.
 */
export interface IngestMemory {
  /** True when this dedup id was stored before (within the seen TTL). */
  seen(msgId: string): boolean | Promise<boolean>;
  remember(msgId: string): Promise<void>;
  /** True when `timeMs` is older than the newest time seen for the subject; records newer times. */
  isStale(source: string, subject: string, timeMs: number): boolean | Promise<boolean>;
  /** Stops following the buckets (pending writes still complete). */
  close(): void;
}

export interface IngestMemoryOptions {
  /** How long a stored delivery id counts as seen (default 72 h). */
  readonly seenTtlMs?: number;
  /** How long a subject's newest time is kept (default 7 days). */
  readonly latestTtlMs?: number;
  readonly clock?: Clock;
  /** How often the mirrors read other processes' writes (default 1 s). */
  readonly syncEveryMs?: number;
  /**
   * A mirror not read for longer than this sends lookups to the bucket (default 10 min; it must
   * stay well inside the EVENTS stream's duplicate window of 2 h).
   */
  readonly maxLagMs?: number;
  /** Most delivery ids held in memory (default 200,000: ~55 MB, ~270 bytes each); beyond, lookups go to KV. */
  readonly maxSeenEntries?: number;
  /** Most subjects held in memory (default 100,000: ~27 MB); beyond, lookups go to KV. */
  readonly maxSubjectEntries?: number;
}

export const SEEN_BUCKET = "hb_ingest_seen";
export const LATEST_BUCKET = "hb_ingest_latest";
const HOUR = 3_600_000;

/** KV keys allow [-/_=.a-zA-Z0-9]: every id is hashed. */
const kvKey = (prefix: string, raw: string): string => `${prefix}.${sha256Hex(raw).slice(0, 40)}`;

/** Keys of recent subjects (up to 256 characters): the same few (nodes, queues, alerts) come again and again. */
const subjectKeys = new BoundedCache<string>(10_000);
const MAX_CACHED_SUBJECT_LENGTH = 256;

function subjectKey(source: string, subject: string): string {
  const raw = `${source}\u0000${subject}`;
  if (raw.length > MAX_CACHED_SUBJECT_LENGTH) return kvKey("l", raw);
  return subjectKeys.get(raw) ?? subjectKeys.set(raw, kvKey("l", raw));
}

const SEEN = encodeJson(1);

function decodeTime(bytes: Uint8Array): number | undefined {
  try {
    const value = decodeJson<unknown>(bytes);
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function openIngestMemory(bus: Bus, opts: IngestMemoryOptions = {}): Promise<IngestMemory> {
  const clock = opts.clock ?? systemClock;
  const seenTtlMs = opts.seenTtlMs ?? 72 * HOUR;
  const latestTtlMs = opts.latestTtlMs ?? 7 * 24 * HOUR;
  const seenKv = await bus.kv({ bucket: SEEN_BUCKET, ttlMs: seenTtlMs });
  const latestKv = await bus.kv({ bucket: LATEST_BUCKET, ttlMs: latestTtlMs });
  const common = { clock, maxLagMs: opts.maxLagMs ?? 10 * 60_000, syncEveryMs: opts.syncEveryMs ?? 1000 };
  const seen = new KvMirror<true>(seenKv, { ...common, ttlMs: seenTtlMs, maxEntries: opts.maxSeenEntries ?? 200_000, decode: () => true });
  const latest = new KvMirror<number>(latestKv, {
    ...common,
    ttlMs: latestTtlMs,
    maxEntries: opts.maxSubjectEntries ?? 100_000,
    decode: decodeTime,
    // processes may write a subject's time in any order: the newest one counts
    merge: Math.max,
  });
  seen.start();
  latest.start();
  return new KvIngestMemory(seenKv, latestKv, seen, latest);
}

class KvIngestMemory implements IngestMemory {
  private readonly writing = new Set<string>();
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly seenKv: KvBucket,
    private readonly latestKv: KvBucket,
    private readonly seenMirror: KvMirror<true>,
    private readonly latestMirror: KvMirror<number>,
  ) {}

  seen(msgId: string): boolean | Promise<boolean> {
    const key = kvKey("s", msgId);
    const local = this.seenMirror.lookup(key);
    if (local.known) return local.value === true;
    return this.seenKv.get(key).then((entry) => {
      if (entry !== undefined) this.seenMirror.noteRead(key, true, entry.revision);
      return entry !== undefined;
    });
  }

  async remember(msgId: string): Promise<void> {
    const key = kvKey("s", msgId);
    const revision = await this.seenKv.put(key, SEEN);
    this.seenMirror.noteWrite(key, true, revision);
  }

  isStale(source: string, subject: string, timeMs: number): boolean | Promise<boolean> {
    const key = subjectKey(source, subject);
    const local = this.latestMirror.lookup(key);
    if (local.known) return this.judge(key, local.value, timeMs);
    return this.latestKv.get(key).then((stored) => {
      const value = stored === undefined ? undefined : decodeTime(stored.value);
      if (stored !== undefined) this.latestMirror.noteRead(key, value, stored.revision);
      // what the mirror holds now has the stored time merged in (max), and any newer one another
      // request for this subject recorded while we waited
      const held = this.latestMirror.lookup(key);
      return this.judge(key, held.known ? held.value : value, timeMs);
    });
  }

  close(): void {
    this.seenMirror.stop();
    this.latestMirror.stop();
  }

  private judge(key: string, newest: number | undefined, timeMs: number): boolean {
    if (newest !== undefined && timeMs < newest) return true;
    if (newest === undefined || timeMs > newest) {
      this.latestMirror.noteWrite(key, timeMs);
      this.persist(key, timeMs);
    }
    return false;
  }

  /**
   * Write-behind of the newest time (for other processes and restarts): at most one KV write in
   * flight per subject, always carrying the latest value, so a busy subject costs no round trip
   * per event. A failed write is retried by the next newer event.
   */
  private persist(key: string, timeMs: number): void {
    if (this.writing.has(key)) {
      this.pending.set(key, timeMs);
      return;
    }
    this.writing.add(key);
    void this.latestKv
      .put(key, encodeJson(timeMs))
      .then((revision) => this.latestMirror.noteWrite(key, timeMs, revision))
      .catch(() => undefined)
      .finally(() => {
        this.writing.delete(key);
        const next = this.pending.get(key);
        if (next !== undefined) {
          this.pending.delete(key);
          this.persist(key, next);
        }
      });
  }
}
