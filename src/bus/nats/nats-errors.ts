/** Mapping of @nats-io errors onto the error catalog. */
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { HookbookError, isHookbookError, toHookbookError } from "../../core/errors.js";

export const BUS_RETRY_AFTER_MS = 5000;

export interface BusLogger {
  warn(obj: object, msg?: string): void;
}

export const consoleBusLogger: BusLogger = {
  warn: (obj, msg) => console.warn(`[hookbook bus] ${msg ?? ""}`, obj),
};

const CONNECTIVITY_ERRORS = new Set([
  "TimeoutError",
  "NoRespondersError",
  "RequestError",
  "ClosedConnectionError",
  "DrainingConnectionError",
  "ConnectionError",
  "JetStreamNotEnabled",
]);

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isConnectivityError(err: unknown): boolean {
  return err instanceof Error && (CONNECTIVITY_ERRORS.has(err.name) || CONNECTIVITY_ERRORS.has(err.constructor.name));
}

export function isJsApiError(err: unknown, ...codes: number[]): err is JetStreamApiError {
  return err instanceof JetStreamApiError && (codes.length === 0 || codes.includes(err.code));
}

export function isStreamNotFound(err: unknown): boolean {
  return isJsApiError(err, JetStreamApiCodes.StreamNotFound) || (err instanceof Error && err.message === "stream not found");
}

export function isConsumerNotFound(err: unknown): boolean {
  return isJsApiError(err, JetStreamApiCodes.ConsumerNotFound) || (err instanceof Error && err.message === "consumer not found");
}

export function isWrongLastSequence(err: unknown): boolean {
  return isJsApiError(err, JetStreamApiCodes.StreamWrongLastSequence, JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}

/** JetStream's store failure (10077) when a stream limit with discard new refuses a message. */
const STREAM_STORE_FAILED = 10077;
const LIMIT_EXCEEDED = /maximum (bytes|messages|messages per subject) exceeded|resource limits exceeded/i;

/** The publish was refused because the stream is at its size limit (discard new), not because NATS is down. */
export function isStreamFull(err: unknown): boolean {
  return isJsApiError(err, STREAM_STORE_FAILED) && LIMIT_EXCEEDED.test(err.message);
}

/** The server cannot reserve the storage a stream's max_bytes asks for (10047, or 10023 for the account). */
export function isInsufficientStorage(err: unknown): boolean {
  return isJsApiError(err, 10047, 10023) || (err instanceof Error && /insufficient (storage )?resources/i.test(err.message));
}

export function streamFull(what: string, cause?: unknown): HookbookError {
  const detail = cause === undefined ? "" : `: ${messageOf(cause)}`;
  return new HookbookError("HB_ERR_BUS_FULL", `${what}${detail}`, { cause, retryAfterMs: BUS_RETRY_AFTER_MS });
}

export function unavailable(what: string, cause?: unknown): HookbookError {
  const detail = cause === undefined ? "" : `: ${messageOf(cause)}`;
  return new HookbookError("HB_ERR_BUS_UNAVAILABLE", `${what}${detail}`, { cause, retryAfterMs: BUS_RETRY_AFTER_MS });
}

/** Any failure of a store operation (publish): the stream is full, or the bus cannot store right now. */
export function toUnavailable(what: string, err: unknown): HookbookError {
  if (isHookbookError(err)) return err;
  return isStreamFull(err) ? streamFull(what, err) : unavailable(what, err);
}

/** Connectivity failures → HB_ERR_BUS_UNAVAILABLE; anything else → the catalog's generic mapping. */
export function toBusError(what: string, err: unknown): HookbookError {
  if (isHookbookError(err)) return err;
  if (isConnectivityError(err)) return unavailable(what, err);
  const wrapped = toHookbookError(err);
  return new HookbookError(wrapped.code, `${what}: ${wrapped.message}`, { cause: err });
}
