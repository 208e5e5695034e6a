import type { Bus, KvBucket } from "../bus/port.js";
import { decodeJson, encodeJson } from "../bus/port.js";
import { sha256Hex } from "../core/ids.js";

/**
 * What ingest remembers beyond JetStream's duplicate window:
 *  - seen dedup ids, for producers that retry for longer than the window (EventBridge 24 h,
 *    GitHub/GitLab redelivery days later), in a KV bucket with a TTL;
 *  - the newest producer time per (source, subject), to mark a late event stale (a `firing`
 *    that arrives after its `resolved`).
 */
export interface IngestMemory {
  /** True when this dedup id was stored before (within the seen TTL). */
  seen(msgId: string): Promise<boolean>;
  remember(msgId: string): Promise<void>;
  /** True when `timeMs` is older than the newest time seen for the subject; records newer times. */
  isStale(source: string, subject: string, timeMs: number): Promise<boolean>;
}

export const SEEN_BUCKET = "hb_ingest_seen";
export const LATEST_BUCKET = "hb_ingest_latest";
const HOUR = 3_600_000;
const MAX_CACHED_SUBJECTS = 100_000;

/** KV keys allow [-/_=.a-zA-Z0-9]: every id is hashed. */
const kvKey = (prefix: string, raw: string): string => `${prefix}.${sha256Hex(raw).slice(0, 40)}`;

export async function openIngestMemory(bus: Bus, opts: { seenTtlMs?: number; latestTtlMs?: number } = {}): Promise<IngestMemory> {
  const seenKv = await bus.kv({ bucket: SEEN_BUCKET, ttlMs: opts.seenTtlMs ?? 72 * HOUR });
  const latestKv = await bus.kv({ bucket: LATEST_BUCKET, ttlMs: opts.latestTtlMs ?? 7 * 24 * HOUR });
  return new KvIngestMemory(seenKv, latestKv);
}

class KvIngestMemory implements IngestMemory {
  /** Newest time per subject key; KV is read once per subject, then this answers. */
  private readonly newest = new Map<string, number>();
  private readonly writing = new Set<string>();
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly seenKv: KvBucket,
    private readonly latestKv: KvBucket,
  ) {}

  async seen(msgId: string): Promise<boolean> {
    return (await this.seenKv.get(kvKey("s", msgId))) !== undefined;
  }

  async remember(msgId: string): Promise<void> {
    await this.seenKv.put(kvKey("s", msgId), encodeJson(1));
  }

  async isStale(source: string, subject: string, timeMs: number): Promise<boolean> {
    const key = kvKey("l", `${source}\u0000${subject}`);
    let newest = this.newest.get(key);
    if (newest === undefined) {
      const stored = await this.latestKv.get(key);
      newest = stored ? decodeJson<number>(stored.value) : Number.NEGATIVE_INFINITY;
      // Another request for this subject may have recorded a newer time while we waited.
      newest = Math.max(newest, this.newest.get(key) ?? Number.NEGATIVE_INFINITY);
    }
    if (timeMs < newest) return true;
    if (timeMs > newest) {
      this.cacheNewest(key, timeMs);
      this.persist(key, timeMs);
    }
    return false;
  }

  /**
   * Write-behind of the newest time (it only matters across restarts): at most one KV write in
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

  private cacheNewest(key: string, timeMs: number): void {
    if (this.newest.size >= MAX_CACHED_SUBJECTS && !this.newest.has(key)) {
      const oldest = this.newest.keys().next().value;
      if (oldest !== undefined) this.newest.delete(oldest);
    }
    this.newest.delete(key);
    this.newest.set(key, timeMs);
  }
}

/** Source kinds whose producers retry beyond the stream's duplicate window by default. */
export const LONG_RETRY_KINDS: ReadonlySet<string> = new Set(["eventbridge", "sns", "pubsub", "github", "gitlab", "gitea", "cloudevents", "azure-monitor"]);
