/**
 * The error catalog. Codes are stable and never reused: tests assert codes, not message text.
 * `retry` tells a consumer what to do with the message that failed:
 *  - "permanent": terminate, redelivery cannot help;
 *  - "retry-after": redeliver after `retryAfterMs`;
 *  - "transient": back off and redeliver.
 */
export type RetryClass = "permanent" | "retry-after" | "transient";

interface CatalogEntry {
  readonly status: number;
  readonly retry: RetryClass;
  readonly summary: string;
}

export const ERROR_CATALOG = {
  // ingest: request shape and auth (4xx, never stored)
  HB_ERR_SOURCE_NOT_FOUND: { status: 404, retry: "permanent", summary: "no source with this name" },
  HB_ERR_AUTH_MISSING: { status: 401, retry: "permanent", summary: "credentials missing" },
  HB_ERR_AUTH_INVALID: { status: 401, retry: "permanent", summary: "credentials or signature invalid" },
  HB_ERR_SIGNATURE_MISSING: { status: 400, retry: "permanent", summary: "signature header missing" },
  HB_ERR_AUTH_STALE: { status: 401, retry: "permanent", summary: "signed timestamp outside the replay window" },
  HB_ERR_CLIENT_CERT_REJECTED: { status: 403, retry: "permanent", summary: "client certificate not allowed for this source" },
  HB_ERR_BODY_TOO_LARGE: { status: 413, retry: "permanent", summary: "request body over the limit" },
  HB_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, retry: "permanent", summary: "content type not accepted" },
  HB_ERR_INVALID_JSON: { status: 400, retry: "permanent", summary: "body is not valid JSON" },
  HB_ERR_INVALID_PAYLOAD: { status: 400, retry: "permanent", summary: "body does not have the producer's format" },
  HB_ERR_METHOD_NOT_ALLOWED: { status: 405, retry: "permanent", summary: "method not allowed" },
  HB_ERR_BAD_REQUEST: { status: 400, retry: "permanent", summary: "malformed request" },
  HB_ERR_TOO_MANY_ITEMS: { status: 413, retry: "permanent", summary: "request carries more events than the per-request limit" },
  HB_ERR_HEADERS_TOO_LARGE: { status: 431, retry: "permanent", summary: "request headers over the size limit" },
  HB_ERR_REQUEST_TIMEOUT: { status: 408, retry: "permanent", summary: "request not received in time" },
  // bus
  HB_ERR_BUS_UNAVAILABLE: { status: 503, retry: "retry-after", summary: "event bus cannot store right now" },
  HB_ERR_BUS_CLOSED: { status: 503, retry: "retry-after", summary: "event bus is closed" },
  HB_ERR_BUS_FULL: { status: 503, retry: "retry-after", summary: "stream is full (its size limit refuses new messages): retry once it has drained" },
  // config
  HB_ERR_CONFIG_INVALID: { status: 500, retry: "permanent", summary: "configuration invalid" },
  HB_ERR_CONFIG_SECRET_MISSING: { status: 500, retry: "permanent", summary: "a secret reference cannot be resolved" },
  HB_ERR_NATS_SERVER_START: { status: 500, retry: "permanent", summary: "embedded nats-server did not start" },
  // rulebook loading (reported as file:line:col diagnostics)
  HB_ERR_RULEBOOK_IO: { status: 400, retry: "permanent", summary: "rulebook file cannot be read" },
  HB_ERR_RULEBOOK_YAML: { status: 400, retry: "permanent", summary: "rulebook is not valid YAML" },
  HB_ERR_RULEBOOK_SCHEMA: { status: 400, retry: "permanent", summary: "rulebook does not match the schema" },
  HB_ERR_RULEBOOK_DUPLICATE_NAME: { status: 400, retry: "permanent", summary: "duplicate name" },
  HB_ERR_RULEBOOK_EMPTY_NAME: { status: 400, retry: "permanent", summary: "empty name" },
  HB_ERR_RULEBOOK_UNKNOWN_ACTION: { status: 400, retry: "permanent", summary: "unknown action" },
  HB_ERR_RULEBOOK_BAD_DURATION: { status: 400, retry: "permanent", summary: "bad duration" },
  HB_ERR_RULEBOOK_UNSUPPORTED: { status: 400, retry: "permanent", summary: "feature not supported yet" },
  HB_ERR_VARS_MISSING: { status: 400, retry: "permanent", summary: "vars does not contain key" },
  HB_ERR_CONDITION_SYNTAX: { status: 400, retry: "permanent", summary: "condition syntax error" },
  HB_ERR_CONDITION_SEMANTIC: { status: 400, retry: "permanent", summary: "condition is not valid" },
  HB_ERR_EVENTS_FILE: { status: 400, retry: "permanent", summary: "events file line is not valid" },
  HB_ERR_TEST_FILE: { status: 400, retry: "permanent", summary: "rulebook test file is not valid" },
  // actions
  HB_ERR_TEMPLATE_UNDEFINED: { status: 400, retry: "permanent", summary: "template refers to an undefined value" },
  HB_ERR_TEMPLATE_SYNTAX: { status: 400, retry: "permanent", summary: "template syntax error" },
  HB_ERR_TEMPLATE_RUNTIME: { status: 400, retry: "permanent", summary: "template expression failed (type or value error)" },
  HB_ERR_ACTION_ARGS: { status: 400, retry: "permanent", summary: "action arguments invalid" },
  HB_ERR_ACTION_TIMEOUT: { status: 504, retry: "transient", summary: "action timed out" },
  HB_ERR_ACTION_FAILED: { status: 502, retry: "transient", summary: "action failed" },
  HB_ERR_COMMAND_NOT_FOUND: { status: 400, retry: "permanent", summary: "command not found" },
  HB_ERR_HTTP_STATUS: { status: 502, retry: "transient", summary: "remote answered with an unexpected status" },
  HB_ERR_REMOTE_REJECTED: { status: 502, retry: "permanent", summary: "remote system rejected the request (4xx): retrying cannot help" },
  HB_ERR_RATE_LIMITED: { status: 429, retry: "retry-after", summary: "remote system is rate limiting: retry after its delay" },
  HB_ERR_BUDGET_EXCEEDED: { status: 429, retry: "permanent", summary: "the action would exceed its provider/pool budget" },
  HB_ERR_PROVIDER_REJECTED: { status: 502, retry: "permanent", summary: "the provisioning provider rejected the request" },
  HB_ERR_POOL_LIMIT: { status: 409, retry: "permanent", summary: "target outside the pool's min/max size" },
  HB_ERR_DRAIN_BLOCKED: { status: 409, retry: "permanent", summary: "drain blocked by pods that need force or delete_emptydir_data" },
  // outbound
  HB_ERR_DELIVERY_FAILED: { status: 502, retry: "transient", summary: "webhook delivery failed" },
  HB_ERR_WEBHOOK_SECRET: { status: 400, retry: "permanent", summary: "webhook secret invalid" },
  HB_ERR_WEBHOOK_INVALID: { status: 400, retry: "permanent", summary: "webhook subscription request invalid" },
  HB_ERR_WEBHOOK_NOT_FOUND: { status: 404, retry: "permanent", summary: "no webhook endpoint with this id" },
  HB_ERR_WEBHOOK_READ_ONLY: { status: 409, retry: "permanent", summary: "endpoints from the config file cannot be changed over the API" },
  HB_ERR_WEBHOOK_URL_FORBIDDEN: { status: 400, retry: "permanent", summary: "endpoint URL refused (private/reserved address or not https)" },
  HB_ERR_WEBHOOK_MESSAGE_NOT_FOUND: { status: 404, retry: "permanent", summary: "no such message for this endpoint" },
  HB_ERR_WEBHOOK_DISABLED: { status: 409, retry: "permanent", summary: "endpoint is disabled" },
  HB_ERR_IDEMPOTENCY_KEY_REUSED: { status: 409, retry: "permanent", summary: "Idempotency-Key already used with a different request body" },
  HB_ERR_IDEMPOTENCY_IN_PROGRESS: { status: 409, retry: "retry-after", summary: "a request with this Idempotency-Key is still being processed" },
  // generic
  HB_ERR_INTERNAL: { status: 500, retry: "transient", summary: "internal error" },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
}

export class HookbookError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retry: RetryClass;
  readonly retryAfterMs: number | undefined;
  readonly location: ErrorLocation | undefined;
  readonly hint: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { cause?: unknown; retryAfterMs?: number; location?: ErrorLocation; hint?: string } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "HookbookError";
    this.code = code;
    const entry: CatalogEntry = ERROR_CATALOG[code];
    this.status = entry.status;
    this.retry = entry.retry;
    this.retryAfterMs = opts.retryAfterMs;
    this.location = opts.location;
    this.hint = opts.hint;
  }

  /** The JSON body every HTTP error answer carries. */
  toBody(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isHookbookError(err: unknown): err is HookbookError {
  return err instanceof HookbookError;
}

/** Wrap anything thrown into a HookbookError (unknown errors become HB_ERR_INTERNAL). */
export function toHookbookError(err: unknown): HookbookError {
  if (err instanceof HookbookError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new HookbookError("HB_ERR_INTERNAL", message, { cause: err });
}
