import { isHookbookError } from "../../core/errors.js";
import type { ActionResult } from "../types.js";
import { RemoteFailure } from "./http-call.js";
import { redact } from "./redact.js";

/** The ActionResult for anything an action of this folder throws, with secrets scrubbed. */
export function failureResult(err: unknown, secrets: readonly string[], data: Readonly<Record<string, unknown>> = {}): ActionResult {
  if (err instanceof RemoteFailure) {
    return redact(
      { ok: false, ...(err.timedOut ? { timedOut: true } : {}), code: err.code, message: err.message, data: { ...data, ...err.data } },
      secrets,
    );
  }
  if (isHookbookError(err)) return redact({ ok: false, code: err.code, message: err.message, data: { ...data } }, secrets);
  const message = err instanceof Error ? err.message : String(err);
  return redact({ ok: false, code: "HB_ERR_ACTION_FAILED", message, data: { ...data, retry: "transient" } }, secrets);
}

/** A successful result, scrubbed. */
export function successResult(data: Readonly<Record<string, unknown>>, secrets: readonly string[]): ActionResult {
  return { ok: true, data: redact(data, secrets) };
}
