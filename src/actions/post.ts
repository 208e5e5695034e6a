import { timeoutMs, truncate } from "./timeout-arg.js";
import type { ActionKind } from "./types.js";

/**
 * `post`: HTTP POST of JSON to a URL. The body defaults to the matched event(s); redirects are
 * not followed; success is a 2xx (or one of `expected_status`).
 */
export const postAction: ActionKind = {
  name: "post",
  external: true,
  async run(ctx) {
    const { args, templateVars } = ctx;
    const url = String(args.url);
    const body = args.body !== undefined ? args.body : ((templateVars as { event?: unknown }).event ?? (templateVars as { events?: unknown }).events);
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "hookbook/0.1" };
    if (args.headers && typeof args.headers === "object") {
      for (const [k, v] of Object.entries(args.headers)) headers[k.toLowerCase()] = String(v);
    }
    const expected = args.expected_status === undefined ? undefined : ([] as unknown[]).concat(args.expected_status);
    const limit = timeoutMs(args.timeout, ctx.limits.httpTimeoutMs);
    const started = Date.now();
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers,
        body: typeof body === "string" ? body : JSON.stringify(body ?? null),
        redirect: "manual",
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(limit)]),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      return {
        ok: false,
        timedOut,
        code: timedOut ? "HB_ERR_ACTION_TIMEOUT" : "HB_ERR_ACTION_FAILED",
        message: timedOut ? `POST ${url} timed out after ${limit} ms` : `POST ${url} failed: ${(err as Error).message}`,
        data: { url, duration_ms: Date.now() - started },
      };
    }
    const text = await response.text().catch(() => "");
    const data = { url, status: response.status, body: truncate(text, 4096), duration_ms: Date.now() - started };
    const ok = expected ? expected.includes(response.status) : response.status >= 200 && response.status < 300;
    if (ok) return { ok, data };
    const message = `POST ${url} answered ${response.status}`;
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get("retry-after"));
      return { ok, code: "HB_ERR_RATE_LIMITED", message, data, ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
    }
    // Other 4xx (but 408 timeout) mean the request itself is wrong: retrying cannot help.
    const rejected = response.status >= 400 && response.status < 500 && response.status !== 408;
    return { ok, code: rejected ? "HB_ERR_REMOTE_REJECTED" : "HB_ERR_HTTP_STATUS", message, data };
  },
};
