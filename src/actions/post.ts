import { timeoutMs, truncate } from "./timeout-arg.js";
import type { ActionContext, ActionKind, ActionResult } from "./types.js";

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Authorization header from `auth`: `{type: bearer, token}`, `{type: basic, username, password}`,
 * or `{integration: name}` taking `token` / `username`+`password` from config `integrations.<name>`
 * (so secrets stay in the config, by reference). Undefined when no auth is given.
 */
function authorization(ctx: ActionContext): string | undefined {
  const auth = ctx.args.auth;
  if (!auth || typeof auth !== "object") return undefined;
  const a = auth as Record<string, unknown>;
  const src = typeof a.integration === "string" ? (ctx.integrations[a.integration] ?? {}) : a;
  const type = a.type ?? (src.token !== undefined ? "bearer" : "basic");
  if (type === "bearer" && typeof src.token === "string") return `Bearer ${src.token}`;
  if (type === "basic" && typeof src.username === "string") return `Basic ${Buffer.from(`${src.username}:${String(src.password ?? "")}`).toString("base64")}`;
  throw new Error(`auth: no usable ${String(type)} credentials${typeof a.integration === "string" ? ` in integrations.${a.integration}` : ""}`);
}

/**
 * Generic HTTP request with JSON: method, headers, auth, body (default: the matched event(s)
 * for methods with a body), expected status. Redirects are not followed; a 4xx (but 408) is
 * permanent, 429 honours Retry-After, anything else failing is transient.
 */
async function request(ctx: ActionContext, method: string): Promise<ActionResult> {
  const { args, templateVars } = ctx;
  const url = String(args.url);
  const headers: Record<string, string> = { "user-agent": "hookbook/0.1" };
  let body: string | undefined;
  if (METHODS_WITH_BODY.has(method) && (method !== "DELETE" || args.body !== undefined)) {
    const value = args.body !== undefined ? args.body : ((templateVars as { event?: unknown }).event ?? (templateVars as { events?: unknown }).events);
    body = typeof value === "string" ? value : JSON.stringify(value ?? null);
    headers["content-type"] = "application/json";
  }
  if (args.headers && typeof args.headers === "object") {
    for (const [k, v] of Object.entries(args.headers)) headers[k.toLowerCase()] = String(v);
  }
  let auth: string | undefined;
  try {
    auth = authorization(ctx);
  } catch (err) {
    return { ok: false, code: "HB_ERR_ACTION_ARGS", message: (err as Error).message };
  }
  if (auth) headers.authorization = auth;
  const expected = args.expected_status === undefined ? undefined : ([] as unknown[]).concat(args.expected_status);
  const limit = timeoutMs(args.timeout, ctx.limits.httpTimeoutMs);
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: "manual",
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(limit)]),
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return {
      ok: false,
      timedOut,
      code: timedOut ? "HB_ERR_ACTION_TIMEOUT" : "HB_ERR_ACTION_FAILED",
      message: timedOut ? `${method} ${url} timed out after ${limit} ms` : `${method} ${url} failed: ${(err as Error).message}`,
      data: { url, method, duration_ms: Date.now() - started },
    };
  }
  const text = await response.text().catch(() => "");
  const data = { url, method, status: response.status, body: truncate(text, 4096), duration_ms: Date.now() - started };
  const ok = expected ? expected.includes(response.status) : response.status >= 200 && response.status < 300;
  if (ok) return { ok, data };
  const message = `${method} ${url} answered ${response.status}`;
  if (response.status === 429) {
    const retryAfter = Number(response.headers.get("retry-after"));
    return { ok, code: "HB_ERR_RATE_LIMITED", message, data, ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
  }
  // Other 4xx (but 408) mean the request itself is wrong: retrying cannot help.
  const rejected = response.status >= 400 && response.status < 500 && response.status !== 408;
  return { ok, code: rejected ? "HB_ERR_REMOTE_REJECTED" : "HB_ERR_HTTP_STATUS", message, data };
}

/** `post`: HTTP POST of JSON (the body defaults to the matched event(s)). */
export const postAction: ActionKind = {
  name: "post",
  external: true,
  run: (ctx) => request(ctx, "POST"),
};

/** `http`: any method (`method`, default GET), same arguments as `post`. */
export const httpAction: ActionKind = {
  name: "http",
  external: true,
  run: (ctx) => request(ctx, typeof ctx.args.method === "string" ? ctx.args.method.toUpperCase() : "GET"),
};
