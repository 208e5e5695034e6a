/**
 * The CPU-bound half of accepting a request, with no I/O of its own: authenticate the raw bytes,
 * normalize, check the item limit, build the envelopes and encode them with their subject and
 * Nats-Msg-Id. It runs in the HTTP thread, or in preparation threads (./prepare-pool.ts); what it
 * returns and throws crosses a thread boundary, so both are plain data (PreparedEvent,
 * SerializedError).
 */
import { randomUUID } from "node:crypto";
import { encodeJson } from "../bus/port.js";
import { BoundedCache } from "../core/bounded-cache.js";
import { jsonSourceOf } from "../core/json.js";
import { eventSubject } from "../core/envelope.js";
import type { EventEnvelope } from "../core/envelope.js";
import { HookbookError, isHookbookError } from "../core/errors.js";
import type { ErrorCode } from "../core/errors.js";
import { checkAuth } from "../sources/auth.js";
import type { AuthContext, TlsPeer } from "../sources/auth.js";
import { buildEnvelopes, publishMsgId } from "./envelopes.js";
import { headersFromRaw } from "./headers.js";
import type { IngestSource } from "./source-set.js";

/** One event of a request, ready to publish. */
export interface PreparedEvent {
  readonly id: string;
  readonly type: string;
  /** What the event is about (staleness), when the source knows it. */
  readonly subject?: string;
  /** The producer's time in ms since the epoch (staleness), when the source gives one. */
  readonly timeMs?: number;
  /** Where it is published on the EVENTS stream. */
  readonly streamSubject: string;
  readonly msgId: string;
  /** The encoded EventEnvelope. */
  readonly data: Uint8Array;
}

export interface PrepareInput {
  readonly body: Buffer;
  /** Node's `rawHeaders`: name, value, name, value, ... as received (./headers.ts makes them the event's headers). */
  readonly rawHeaders: readonly string[];
  readonly tls?: TlsPeer;
  /** RFC 3339 receipt time stamped on every envelope. */
  readonly receivedAt: string;
}

/** Most events one request may carry; more → 413 HB_ERR_TOO_MANY_ITEMS. */
export interface PrepareLimits {
  readonly maxItemsPerRequest: number;
}

/** Subjects per (source, type): the same few pairs come again and again. */
const subjects = new BoundedCache<string>(10_000);

function streamSubjectOf(source: string, type: string): string {
  const key = `${source}\u0000${type}`;
  return subjects.get(key) ?? subjects.set(key, eventSubject(source, type));
}

/** Stands for the payload while the rest of the envelope is serialized; unique per process. */
const MARK = `\u0000hookbook-payload-${randomUUID()}\u0000`;
/** How MARK reads in JSON. */
const PAYLOAD_MARK = JSON.stringify(MARK);

/**
 * The envelope as JSON bytes. When `data.payload` is a request body parsed whole (most sources),
 * its bytes are copied in as received instead of serialized again: the same JSON value, without
 * the payload's share of JSON.stringify (about a fifth of encoding, averaged over the bench mix).
 */
export function encodeEnvelope(env: EventEnvelope): Uint8Array {
  const raw = jsonSourceOf(env.data.payload);
  if (raw === undefined) return encodeJson(env);
  const json = JSON.stringify({ ...env, data: { ...env.data, payload: MARK } });
  const at = json.indexOf(PAYLOAD_MARK);
  // the mark is in the output once, unless the event itself happens to contain it
  if (at < 0 || json.indexOf(PAYLOAD_MARK, at + 1) >= 0) return encodeJson(env);
  const head = json.slice(0, at);
  const tail = json.slice(at + PAYLOAD_MARK.length);
  const headLength = Buffer.byteLength(head);
  const out = Buffer.allocUnsafe(headLength + raw.byteLength + Buffer.byteLength(tail));
  out.write(head, 0, "utf8");
  out.set(raw, headLength);
  out.write(tail, headLength + raw.byteLength, "utf8");
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

function prepared(source: IngestSource, env: EventEnvelope, producerTime: string | undefined): PreparedEvent {
  const timeMs = producerTime === undefined ? Number.NaN : Date.parse(producerTime);
  return {
    id: env.id,
    type: env.type,
    ...(env.subject === undefined ? {} : { subject: env.subject }),
    ...(Number.isFinite(timeMs) ? { timeMs } : {}),
    streamSubject: streamSubjectOf(source.name, env.type),
    msgId: publishMsgId(source.name, env.dedupKey),
    data: encodeEnvelope(env),
  };
}

function normalizeAndEncode(source: IngestSource, req: PrepareInput, headers: Readonly<Record<string, string>>, limits: PrepareLimits): PreparedEvent[] {
  const items = source.handler.normalize({ body: req.body, headers, endpoint: source.name, options: source.options });
  const max = limits.maxItemsPerRequest;
  if (items.length > max) {
    throw new HookbookError("HB_ERR_TOO_MANY_ITEMS", `request carries ${items.length} events; at most ${max} per request are accepted, split the batch`);
  }
  const envelopes = buildEnvelopes(source, items, req.receivedAt);
  return envelopes.map((env, i) => prepared(source, env, items[i]?.time));
}

/**
 * Throws HookbookError (auth, JSON, payload, item limit); a promise only when a check of the
 * source's auth needs the network (sns, oidc).
 */
export function prepareEvents(source: IngestSource, req: PrepareInput, ctx: AuthContext, limits: PrepareLimits): PreparedEvent[] | Promise<PreparedEvent[]> {
  const headers = headersFromRaw(req.rawHeaders);
  const auth = checkAuth(source.auth, { body: req.body, headers, ...(req.tls === undefined ? {} : { tls: req.tls }) }, ctx);
  if (auth !== undefined) return auth.then(() => normalizeAndEncode(source, req, headers, limits));
  return normalizeAndEncode(source, req, headers, limits);
}

/** The stored copy of a late event: `stale` on the envelope and `meta.stale` for rules. */
export function markStale(data: Uint8Array): Uint8Array {
  const env = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8")) as EventEnvelope;
  const meta = env.data.meta && typeof env.data.meta === "object" ? (env.data.meta as Record<string, unknown>) : {};
  return encodeJson({ ...env, stale: true, data: { ...env.data, meta: { ...meta, stale: true } } });
}

/** A thrown error as it crosses a thread boundary. */
export interface SerializedError {
  /** Catalog code, or undefined for an unexpected error (answered 500, logged with its stack). */
  readonly code?: ErrorCode;
  readonly message: string;
  readonly retryAfterMs?: number;
  readonly stack?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (isHookbookError(err)) return { code: err.code, message: err.message, ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }) };
  if (err instanceof Error) return { message: err.message, ...(err.stack === undefined ? {} : { stack: err.stack }) };
  return { message: String(err) };
}

export function deserializeError(e: SerializedError): Error {
  if (e.code !== undefined) return new HookbookError(e.code, e.message, e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs });
  const err = new Error(e.message);
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}
