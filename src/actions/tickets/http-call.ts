import type { ErrorCode } from "../../core/errors.js";
import { truncate } from "../timeout-arg.js";

/** How the intent that failed should be treated (mirrors core/errors RetryClass). */
export type FailureRetry = "permanent" | "transient" | "retry-after";

/**
 * A failed call to an external system. `message` and `data` must never hold secrets: callers pass
 * a `label` (system + method + path) instead of the URL, and results are redacted again anyway.
 */
export class RemoteFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retry: FailureRetry,
    readonly data: Readonly<Record<string, unknown>> = {},
    readonly timedOut = false,
  ) {
    super(message);
    this.name = "RemoteFailure";
  }
}

export interface JsonRequest {
  readonly method: "GET" | "POST" | "PATCH" | "PUT";
  readonly url: string;
  /** Shown in messages instead of the URL (webhook URLs are secrets). */
  readonly label: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed body, or undefined when the body is not JSON. */
  readonly json: unknown;
}

export interface CallOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

const MAX_BODY_IN_RESULT = 1024;

/** Seconds from a Retry-After header (delta seconds or an HTTP date); undefined when absent. */
export function retryAfterSeconds(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const n = Number(value.trim());
  if (Number.isFinite(n) && n >= 0) return n;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Failure for a non-2xx answer: 429 → retry-after, 408/5xx → transient, other 4xx → permanent. */
export function statusFailure(label: string, status: number, headers: Headers, text: string, nowMs: number): RemoteFailure {
  const data: Record<string, unknown> = { status, body: truncate(text, MAX_BODY_IN_RESULT) };
  if (status === 429) {
    const seconds = retryAfterSeconds(headers.get("retry-after"), nowMs) ?? 30;
    return new RemoteFailure("HB_ERR_HTTP_STATUS", `${label} answered 429 (rate limited; retry after ${seconds} s)`, "retry-after", {
      ...data,
      retry: "retry-after",
      retry_after: seconds,
      retry_after_ms: seconds * 1000,
    });
  }
  const retry: FailureRetry = status === 408 || status >= 500 ? "transient" : "permanent";
  return new RemoteFailure("HB_ERR_HTTP_STATUS", `${label} answered ${status}`, retry, { ...data, retry });
}

/** One JSON request with a deadline; throws RemoteFailure on network errors and non-2xx answers. */
export async function callJson(req: JsonRequest, opts: CallOptions): Promise<JsonAnswer> {
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "hookbook/0.1", ...(req.headers ?? {}) };
  if (req.body !== undefined) headers["content-type"] ??= "application/json";
  let response: Response;
  try {
    response = await fetch(req.url, {
      method: req.method,
      headers,
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      redirect: "manual",
      signal: AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]),
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    const message = timedOut ? `${req.label} timed out after ${opts.timeoutMs} ms` : `${req.label} failed: ${networkReason(err)}`;
    throw new RemoteFailure(timedOut ? "HB_ERR_ACTION_TIMEOUT" : "HB_ERR_ACTION_FAILED", message, "transient", { retry: "transient" }, timedOut);
  }
  const text = await response.text().catch(() => "");
  if (response.status < 200 || response.status > 299) throw statusFailure(req.label, response.status, response.headers, text, Date.now());
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The cause of a fetch failure without the URL (undici puts the reason in `cause`). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return err instanceof Error ? err.message : String(err);
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
}

/** Base URL without trailing slashes. */
export function baseUrl(url: string): string {
  return url.replace(/\/+$/, "");
}

/** A 2xx answer hookbook cannot use (no id in it): permanent, retrying could duplicate the effect. */
export function unexpectedAnswer(label: string, what: string): RemoteFailure {
  return new RemoteFailure("HB_ERR_ACTION_FAILED", `${label} answered without ${what}`, "permanent", { retry: "permanent" });
}
