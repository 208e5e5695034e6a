/**
 * The per-request pipeline after the body is read: prepare (authenticate the raw bytes, normalize,
 * encode envelopes: ./prepare.ts), then dedup beyond the window, staleness, store them all, and
 * say what was stored. No HTTP here, so it is easy to test.
 */
import { performance } from "node:perf_hooks";
import type { Bus, PublishAck } from "../bus/port.js";
import type { Clock } from "../core/clock.js";
import { HookbookError, isHookbookError } from "../core/errors.js";
import type { TlsPeer } from "../sources/auth.js";
import type { IngestMemory } from "./ingest-memory.js";
import type { Preparer } from "./prepare-pool.js";
import { markStale } from "./prepare.js";
import type { PreparedEvent } from "./prepare.js";
import type { IngestSource } from "./source-set.js";

export interface AcceptedEvent {
  readonly id: string;
  readonly type: string;
  /** True when the bus already held this event (a retry): nothing new was stored. */
  readonly duplicate: boolean;
  /** Older than the newest event already seen for its subject (stored with meta.stale, or dropped). */
  readonly stale?: boolean;
  /** Not stored: stale, and the source drops stale events. */
  readonly dropped?: boolean;
}

interface Outcome {
  readonly duplicate: boolean;
  readonly stale?: boolean;
  readonly dropped?: boolean;
}

/** The 202 body. `accepted` counts every event of the request (all are stored now). */
export interface AcceptedBody {
  readonly accepted: number;
  readonly duplicates: number;
  readonly events: readonly AcceptedEvent[];
}

export interface PipelineDeps {
  readonly bus: Bus;
  readonly clock: Clock;
  /** Authentication, normalizing and encoding: in this thread or in preparation threads. */
  readonly preparer: Preparer;
  readonly publishTimeoutMs?: number;
  /** Long-horizon dedup and staleness (KV); absent: only the stream's duplicate window. */
  readonly memory?: IngestMemory;
  /** Hears every request that passed auth, format and limits, with its event count (before anything is stored). */
  readonly onReceived?: (source: IngestSource, count: number) => void;
}

/** What acceptHook stored, and when it was ready to store it. */
export interface Accepted {
  readonly body: AcceptedBody;
  /** performance.now() when the events were prepared and publishing began (publish latency). */
  readonly readyAt: number;
}

const BUS_CODES = new Set(["HB_ERR_BUS_UNAVAILABLE", "HB_ERR_BUS_CLOSED"]);

/**
 * Throws HookbookError (auth, JSON, payload, bus). Resolves only after every PubAck: a 2xx
 * means every event of the request is stored. When one publish fails, the ones that succeeded
 * stay stored; their msgIds are stable, so the sender's retry stores only what is missing.
 */
export async function acceptHook(
  deps: PipelineDeps,
  source: IngestSource,
  req: { readonly body: Buffer; readonly rawHeaders: readonly string[]; readonly tls?: TlsPeer },
): Promise<Accepted> {
  if (req.body.length > source.bodyLimit) {
    throw new HookbookError("HB_ERR_BODY_TOO_LARGE", `request body is over the ${source.bodyLimit} byte limit of this source`);
  }
  const receivedAt = new Date(deps.clock.now()).toISOString();
  const pending = deps.preparer.prepare(source, { ...req, receivedAt });
  const prepared = Array.isArray(pending) ? pending : await pending;
  deps.onReceived?.(source, prepared.length);
  const readyAt = performance.now();
  let outcomes: Outcome[];
  if (prepared.length === 1) {
    outcomes = [await storeEvent(deps, source, prepared[0] as PreparedEvent)];
  } else {
    const results = await Promise.allSettled(prepared.map((ev) => storeEvent(deps, source, ev)));
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    if (failures.length > 0) {
      const busError = failures.find((f) => isHookbookError(f) && BUS_CODES.has(f.code));
      // Non-catalog errors go up as they are: the error handler answers 500 and logs them.
      throw busError ?? failures[0];
    }
    outcomes = results.map((r) => (r.status === "fulfilled" ? r.value : { duplicate: false }));
  }
  let duplicates = 0;
  const events = prepared.map((ev, i): AcceptedEvent => {
    const o = outcomes[i] ?? { duplicate: false };
    if (o.duplicate) duplicates++;
    // assigned, not spread: this runs for every event on the HTTP thread
    const event: { -readonly [K in keyof AcceptedEvent]: AcceptedEvent[K] } = { id: ev.id, type: ev.type, duplicate: o.duplicate };
    if (o.stale === true) event.stale = true;
    if (o.dropped === true) event.dropped = true;
    return event;
  });
  return { body: { accepted: events.length, duplicates, events }, readyAt };
}

/** Dedup beyond the window, staleness, then the publish (and the seen id once stored). */
async function storeEvent(deps: PipelineDeps, source: IngestSource, ev: PreparedEvent): Promise<Outcome> {
  const memory = deps.memory;
  // Beyond the stream's duplicate window: a producer retrying hours or days later.
  if (memory && source.longDedup) {
    const seen = memory.seen(ev.msgId);
    if (seen === true || (seen !== false && (await seen))) return { duplicate: true };
  }
  let data = ev.data;
  let stale = false;
  if (memory && ev.subject !== undefined && ev.timeMs !== undefined) {
    const judged = memory.isStale(source.name, ev.subject, ev.timeMs);
    if (judged === true || (judged !== false && (await judged))) {
      if (source.dropStale) return { duplicate: false, stale: true, dropped: true };
      data = markStale(ev.data);
      stale = true;
    }
  }
  const ack: PublishAck = await deps.bus.publish(ev.streamSubject, data, {
    msgId: ev.msgId,
    ...(deps.publishTimeoutMs === undefined ? {} : { timeoutMs: deps.publishTimeoutMs }),
  });
  if (memory && source.longDedup && !ack.duplicate) await memory.remember(ev.msgId);
  return { duplicate: ack.duplicate, ...(stale ? { stale: true } : {}) };
}
