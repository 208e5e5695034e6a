/**
 * A Bus for unit tests: records every publish, deduplicates on msgId like JetStream, and can be
 * told to fail or to hold PubAcks until released. Only publish/healthy do real work.
 */
import type { Bus, ConsumerHandle, KvBucket, PublishAck, PublishOptions } from "../../src/bus/port.js";
import { decodeJson } from "../../src/bus/port.js";
import { HookbookError } from "../../src/core/errors.js";

export interface RecordedPublish {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly opts: PublishOptions | undefined;
  json<T = unknown>(): T;
}

export class RecordingBus implements Bus {
  readonly kind = "memory" as const;
  readonly durable = false;
  /** Every publish that was stored (duplicates excluded). */
  readonly stored: RecordedPublish[] = [];
  /** Every publish call, stored or not. */
  readonly calls: RecordedPublish[] = [];
  /** When set, publish number N (0-based, counted over all calls) and later ones throw this. */
  failFrom: { readonly call: number; readonly error: Error } | undefined;
  /** When true, publishes wait until release() is called. */
  hold = false;
  isHealthy = true;
  private readonly seen = new Set<string>();
  private waiting: (() => void)[] = [];

  /** Fail every publish from now on with HB_ERR_BUS_UNAVAILABLE (optional Retry-After delay). */
  failWith(code: "HB_ERR_BUS_UNAVAILABLE" | "HB_ERR_BUS_CLOSED" = "HB_ERR_BUS_UNAVAILABLE", retryAfterMs?: number): void {
    const opts = retryAfterMs === undefined ? {} : { retryAfterMs };
    this.failFrom = { call: this.calls.length, error: new HookbookError(code, "bus down (test)", opts) };
  }

  release(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w();
  }

  /** Number of publishes currently waiting for release(). */
  get pending(): number {
    return this.waiting.length;
  }

  async ensureStreams(): Promise<void> {}

  async publish(subject: string, data: Uint8Array, opts?: PublishOptions): Promise<PublishAck> {
    const index = this.calls.length;
    const record: RecordedPublish = { subject, data, opts, json: <T>() => decodeJson<T>(data) };
    this.calls.push(record);
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failFrom !== undefined && index >= this.failFrom.call) throw this.failFrom.error;
    const msgId = opts?.msgId;
    if (msgId !== undefined && this.seen.has(msgId)) return { stream: "HB_EVENTS", seq: 0, duplicate: true };
    if (msgId !== undefined) this.seen.add(msgId);
    this.stored.push(record);
    return { stream: "HB_EVENTS", seq: this.stored.length, duplicate: false };
  }

  async consume(): Promise<ConsumerHandle> {
    throw new Error("RecordingBus does not consume");
  }

  async kv(): Promise<KvBucket> {
    throw new Error("RecordingBus has no KV");
  }

  async healthy(): Promise<boolean> {
    return this.isHealthy;
  }

  async close(): Promise<void> {}
}
