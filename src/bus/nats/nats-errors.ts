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

export function unavailable(what: string, cause?: unknown): HookbookError {
  const detail = cause === undefined ? "" : `: ${messageOf(cause)}`;
  return new HookbookError("HB_ERR_BUS_UNAVAILABLE", `${what}${detail}`, { cause, retryAfterMs: BUS_RETRY_AFTER_MS });
}

/** Any failure of a store operation (publish): the bus cannot store right now. */
export function toUnavailable(what: string, err: unknown): HookbookError {
  return isHookbookError(err) ? err : unavailable(what, err);
}

/** Connectivity failures → HB_ERR_BUS_UNAVAILABLE; anything else → the catalog's generic mapping. */
export function toBusError(what: string, err: unknown): HookbookError {
  if (isHookbookError(err)) return err;
  if (isConnectivityError(err)) return unavailable(what, err);
  const wrapped = toHookbookError(err);
  return new HookbookError(wrapped.code, `${what}: ${wrapped.message}`, { cause: err });
}
