/**
 * The per-request pipeline after the body is read: authenticate the raw bytes, normalize, build
 * envelopes, store them all, and say what was stored. No HTTP here, so it is easy to test.
 */
import { performance } from "node:perf_hooks";
import type { Bus, PublishAck } from "../bus/port.js";
import { encodeJson } from "../bus/port.js";
import type { Clock } from "../core/clock.js";
import { eventSubject } from "../core/envelope.js";
import type { EventEnvelope } from "../core/envelope.js";
import { HookbookError, isHookbookError } from "../core/errors.js";
import { checkAuth } from "../sources/auth.js";
import type { AuthContext, IngestAuthConfig, TlsPeer } from "../sources/auth.js";
import type { SourceKindHandler } from "../sources/types.js";
import { buildEnvelopes, publishMsgId } from "./envelopes.js";
import type { IngestMemory } from "./ingest-memory.js";

export interface IngestSource {
  readonly name: string;
  readonly kind: string;
  readonly auth: IngestAuthConfig;
  /** Effective body limit in bytes. */
  readonly bodyLimit: number;
  readonly options: Readonly<Record<string, unknown>>;
  readonly handler: SourceKindHandler;
  /** Check the seen-ids KV before publishing (producers that retry beyond the duplicate window). */
  readonly longDedup: boolean;
  /** Drop (instead of mark) events older than the newest seen for their subject. */
  readonly dropStale: boolean;
}

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

/** The stored copy of a late event: `stale` on the envelope and `meta.stale` for rules. */
function markStale(env: EventEnvelope): EventEnvelope {
  const meta = env.data.meta && typeof env.data.meta === "object" ? (env.data.meta as Record<string, unknown>) : {};
  return { ...env, stale: true, data: { ...env.data, meta: { ...meta, stale: true } } };
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
  readonly publishTimeoutMs?: number;
  /** Clock and fetches for request verification (default: deps.clock, and no network). */
  readonly authContext?: AuthContext;
  /** Long-horizon dedup and staleness (KV); absent: only the stream's duplicate window. */
  readonly memory?: IngestMemory;
  /** Most events one request may carry; more → 413 HB_ERR_TOO_MANY_ITEMS, nothing stored (default: no limit). */
  readonly maxItemsPerRequest?: number;
  /** Hears every request that passed auth, format and limits, with its event count (before anything is stored). */
  readonly onReceived?: (source: IngestSource, count: number) => void;
}

/** What acceptHook stored, and when it was ready to store it. */
export interface Accepted {
  readonly body: AcceptedBody;
  /** performance.now() when the events were normalized and publishing began (publish latency). */
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
  req: { readonly body: Buffer; readonly headers: Readonly<Record<string, string>>; readonly tls?: TlsPeer },
): Promise<Accepted> {
  if (req.body.length > source.bodyLimit) {
    throw new HookbookError("HB_ERR_BODY_TOO_LARGE", `request body is over the ${source.bodyLimit} byte limit of this source`);
  }
  const auth = checkAuth(source.auth, req, deps.authContext ?? offlineAuthContext(deps.clock));
  if (auth !== undefined) await auth;
  const items = source.handler.normalize({ body: req.body, headers: req.headers, endpoint: source.name, options: source.options });
  const max = deps.maxItemsPerRequest;
  if (max !== undefined && items.length > max) {
    throw new HookbookError("HB_ERR_TOO_MANY_ITEMS", `request carries ${items.length} events; at most ${max} per request are accepted, split the batch`);
  }
  deps.onReceived?.(source, items.length);
  const receivedAt = new Date(deps.clock.now()).toISOString();
  const envelopes = buildEnvelopes(source, items, receivedAt);
  const readyAt = performance.now();
  let outcomes: Outcome[];
  if (envelopes.length === 1) {
    outcomes = [await storeEvent(deps, source, envelopes[0] as EventEnvelope, items[0]?.time)];
  } else {
    const results = await Promise.allSettled(envelopes.map((env, i) => storeEvent(deps, source, env, items[i]?.time)));
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    if (failures.length > 0) {
      const busError = failures.find((f) => isHookbookError(f) && BUS_CODES.has(f.code));
      // Non-catalog errors go up as they are: the error handler answers 500 and logs them.
      throw busError ?? failures[0];
    }
    outcomes = results.map((r) => (r.status === "fulfilled" ? r.value : { duplicate: false }));
  }
  let duplicates = 0;
  const events = envelopes.map((env, i): AcceptedEvent => {
    const o = outcomes[i] ?? { duplicate: false };
    if (o.duplicate) duplicates++;
    return { id: env.id, type: env.type, duplicate: o.duplicate, ...(o.stale ? { stale: true } : {}), ...(o.dropped ? { dropped: true } : {}) };
  });
  return { body: { accepted: events.length, duplicates, events }, readyAt };
}

/** Dedup beyond the window, staleness, then the publish (and the seen id once stored). */
async function storeEvent(deps: PipelineDeps, source: IngestSource, env: EventEnvelope, producerTime: string | undefined): Promise<Outcome> {
  const msgId = publishMsgId(source.name, env.dedupKey);
  const memory = deps.memory;
  // Beyond the stream's duplicate window: a producer retrying hours or days later.
  if (memory && source.longDedup) {
    const seen = memory.seen(msgId);
    if (seen === true || (seen !== false && (await seen))) return { duplicate: true };
  }
  let stored = env;
  if (memory && env.subject !== undefined && producerTime !== undefined) {
    const timeMs = Date.parse(producerTime);
    if (Number.isFinite(timeMs)) {
      const judged = memory.isStale(source.name, env.subject, timeMs);
      if (judged === true || (judged !== false && (await judged))) {
        if (source.dropStale) return { duplicate: false, stale: true, dropped: true };
        stored = markStale(env);
      }
    }
  }
  const ack: PublishAck = await deps.bus.publish(eventSubject(source.name, env.type), encodeJson(stored), {
    msgId,
    ...(deps.publishTimeoutMs === undefined ? {} : { timeoutMs: deps.publishTimeoutMs }),
  });
  if (memory && source.longDedup && !ack.duplicate) await memory.remember(msgId);
  return { duplicate: ack.duplicate, ...(stored.stale ? { stale: true } : {}) };
}

function offlineAuthContext(clock: Clock): AuthContext {
  return {
    nowMs: () => clock.now(),
    fetchText: async () => {
      throw new HookbookError("HB_ERR_AUTH_INVALID", "this ingest server has no network access for request verification");
    },
  };
}
