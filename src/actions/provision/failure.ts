import { ERROR_CATALOG, isHookbookError } from "../../core/errors.js";
import type { ActionResult } from "../types.js";
import { TIMEOUT_ERROR, TRANSIENT_ERROR } from "./codes.js";

/** A typed failure of a provisioning step; turned into an ActionResult at the action's edge. */
export class ProvisionFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extra: { readonly timedOut?: boolean; readonly data?: Readonly<Record<string, unknown>> } = {},
  ) {
    super(message);
    this.name = "ProvisionFailure";
  }
}

/**
 * Permanent codes: redelivery cannot help (args, 4xx rejections, limits, budgets, config).
 * Unknown codes count as transient (the effect may have happened).
 */
export function isPermanentCode(code: string): boolean {
  if (Object.hasOwn(ERROR_CATALOG, code)) return ERROR_CATALOG[code as keyof typeof ERROR_CATALOG].retry === "permanent";
  return false;
}

/**
 * The error typing of every provider: a 4xx answer (except 409 Conflict and 429 Too Many
 * Requests) is permanent — the request itself is wrong, retrying repeats the rejection; 409, 429,
 * 5xx and network errors are transient (HB_ERR_ACTION_FAILED, backed off and retried).
 */
export function statusFailure(status: number, message: string, data?: Readonly<Record<string, unknown>>): ProvisionFailure {
  const permanent = status >= 400 && status < 500 && status !== 409 && status !== 429;
  return new ProvisionFailure(permanent ? "HB_ERR_PROVIDER_REJECTED" : TRANSIENT_ERROR, message, data ? { data } : {});
}

/** A network-level failure (no HTTP answer): transient, or a timeout when the deadline fired. */
export function networkFailure(err: unknown, what: string, signal?: AbortSignal): ProvisionFailure {
  const name = err instanceof Error ? err.name : "";
  const timedOut = name === "TimeoutError" || (name === "AbortError" && (signal?.reason as { name?: unknown } | undefined)?.name === "TimeoutError");
  const text = err instanceof Error ? err.message : String(err);
  return timedOut
    ? new ProvisionFailure(TIMEOUT_ERROR, `${what} timed out`, { timedOut: true })
    : new ProvisionFailure(TRANSIENT_ERROR, `${what} failed: ${text}`);
}

/** ActionResult of a failure (data merged with what the action knew so far). */
export function failureResult(err: unknown, data: Readonly<Record<string, unknown>> = {}): ActionResult {
  if (err instanceof ProvisionFailure) {
    return { ok: false, code: err.code, message: err.message, ...(err.extra.timedOut ? { timedOut: true } : {}), data: { ...data, ...err.extra.data } };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, code: isHookbookError(err) ? err.code : TRANSIENT_ERROR, message, data };
}
