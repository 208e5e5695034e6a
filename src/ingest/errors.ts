/** Mapping anything thrown while serving a request to the catalog's JSON error answer. */
import { HookbookError, isHookbookError } from "../core/errors.js";

/** Default Retry-After (seconds) on 503 when the bus error carries no delay. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

interface FrameworkError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
}

/**
 * HookbookErrors pass through; fastify's own errors get our codes (body too large → 413,
 * media type → 415, other 4xx → 400); everything else is HB_ERR_INTERNAL with a message that
 * leaks nothing (the original goes to the log).
 */
export function toIngestError(err: unknown): HookbookError {
  if (isHookbookError(err)) return err;
  const e: FrameworkError = err !== null && typeof err === "object" ? (err as FrameworkError) : {};
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HookbookError("HB_ERR_BODY_TOO_LARGE", "request body is over the limit of this source", { cause: err });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new HookbookError("HB_ERR_UNSUPPORTED_MEDIA_TYPE", "content type not accepted; send Content-Type: application/json", { cause: err });
    default:
      break;
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    const message = typeof e.message === "string" ? e.message : "malformed request";
    return new HookbookError("HB_ERR_BAD_REQUEST", message, { cause: err });
  }
  return new HookbookError("HB_ERR_INTERNAL", "internal error", { cause: err });
}

/** Retry-After in whole seconds (at least 1) for a retry-after class error. */
export function retryAfterSeconds(err: HookbookError, fallbackSeconds = DEFAULT_RETRY_AFTER_SECONDS): number {
  if (err.retryAfterMs !== undefined && err.retryAfterMs > 0) return Math.max(1, Math.ceil(err.retryAfterMs / 1000));
  return Math.max(1, Math.ceil(fallbackSeconds));
}
