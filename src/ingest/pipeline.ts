/**
 * The per-request pipeline after the body is read: authenticate the raw bytes, normalize, build
 * envelopes, store them all, and say what was stored. No HTTP here, so it is easy to test.
 */
import type { Bus, PublishAck } from "../bus/port.js";
import { encodeJson } from "../bus/port.js";
import type { Clock } from "../core/clock.js";
import { eventSubject } from "../core/envelope.js";
import type { EventEnvelope } from "../core/envelope.js";
import { HookbookError, isHookbookError } from "../core/errors.js";
import { verifyAuth } from "../sources/auth.js";
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
): Promise<AcceptedBody> {
  if (req.body.length > source.bodyLimit) {
    throw new HookbookError("HB_ERR_BODY_TOO_LARGE", `request body is over the ${source.bodyLimit} byte limit of this source`);
  }
  await verifyAuth(source.auth, req, deps.authContext ?? offlineAuthContext(deps.clock));
  const items = source.handler.normalize({ body: req.body, headers: req.headers, endpoint: source.name, options: source.options });
  const receivedAt = new Date(deps.clock.now()).toISOString();
  const envelopes = buildEnvelopes(source, items, receivedAt);
  const publishOpts = deps.publishTimeoutMs === undefined ? {} : { timeoutMs: deps.publishTimeoutMs };
  const memory = deps.memory;
  const results = await Promise.allSettled(
    envelopes.map(async (env, i): Promise<Outcome> => {
      const msgId = publishMsgId(source.name, env.dedupKey);
      // Beyond the stream's duplicate window: a producer retrying hours or days later.
      if (memory && source.longDedup && (await memory.seen(msgId))) return { duplicate: true };
      let stored = env;
      const producerTime = items[i]?.time;
      if (memory && env.subject !== undefined && producerTime !== undefined) {
        const timeMs = Date.parse(producerTime);
        if (Number.isFinite(timeMs) && (await memory.isStale(source.name, env.subject, timeMs))) {
          if (source.dropStale) return { duplicate: false, stale: true, dropped: true };
          stored = markStale(env);
        }
      }
      const ack: PublishAck = await deps.bus.publish(eventSubject(source.name, env.type), encodeJson(stored), { ...publishOpts, msgId });
      if (memory && source.longDedup && !ack.duplicate) await memory.remember(msgId);
      return { duplicate: ack.duplicate, ...(stored.stale ? { stale: true } : {}) };
    }),
  );
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    const busError = failures.find((f) => isHookbookError(f) && BUS_CODES.has(f.code));
    // Non-catalog errors go up as they are: the error handler answers 500 and logs them.
    throw busError ?? failures[0];
  }
  const events = envelopes.map((env, i) => {
    const result = results[i];
    const o = result?.status === "fulfilled" ? result.value : { duplicate: false };
    return { id: env.id, type: env.type, duplicate: o.duplicate, ...(o.stale ? { stale: true } : {}), ...(o.dropped ? { dropped: true } : {}) };
  });
  return { accepted: events.length, duplicates: events.filter((e) => e.duplicate).length, events };
}

function offlineAuthContext(clock: Clock): AuthContext {
  return {
    nowMs: () => clock.now(),
    fetchText: async () => {
      throw new HookbookError("HB_ERR_AUTH_INVALID", "this ingest server has no network access for request verification");
    },
  };
}
