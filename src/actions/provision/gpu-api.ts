import { truncate } from "../timeout-arg.js";
import { ProvisionFailure, networkFailure, statusFailure } from "./failure.js";
import { requestSignal } from "./request-signal.js";
import type { CapacityChange } from "./target.js";

/** The generic HTTP provisioning API (a reservation system's, an internal GPU broker …). */
export interface GpuApi {
  readonly url: string;
  readonly token: string | undefined;
}

/** `integrations.gpu_api` = `{url, token?}`; the action's `endpoint` argument replaces the url. */
export function gpuApiFrom(settings: Readonly<Record<string, unknown>> | undefined, endpoint: string | undefined): GpuApi {
  const url = endpoint ?? (typeof settings?.url === "string" ? settings.url : undefined);
  if (!url) throw new ProvisionFailure("HB_ERR_CONFIG_INVALID", "integrations.gpu_api.url (or the action's 'endpoint') is required for provider http");
  const token = typeof settings?.token === "string" && settings.token !== "" ? settings.token : undefined;
  return { url: url.replace(/\/+$/, ""), token };
}

export interface ApiCall {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

async function call(api: GpuApi, method: "GET" | "POST", path: string, c: ApiCall, body?: unknown, idempotencyKey?: string): Promise<Record<string, unknown>> {
  const url = `${api.url}${path}`;
  const what = `${method} ${url}`;
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "hookbook/0.1" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (api.token) headers.authorization = `Bearer ${api.token}`;
  if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
  const signal = requestSignal(c.signal, c.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method, headers, redirect: "manual", signal, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    text = await response.text();
  } catch (err) {
    throw networkFailure(err, what, signal);
  }
  if (response.status >= 300 && response.status < 400) {
    throw new ProvisionFailure("HB_ERR_PROVIDER_REJECTED", `${what} answered a redirect (${response.status}); set the API's final URL`, { data: { status: response.status } });
  }
  if (!response.ok) throw statusFailure(response.status, `${what} answered ${response.status}`, { status: response.status, body: truncate(text, 2048) });
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { body: truncate(text, 2048) };
  }
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** `GET <url>/pools/<pool>` → `{capacity: n}` (read only for `set`, to know the change for budgets). */
export async function readPoolCapacity(api: GpuApi, pool: string, c: ApiCall): Promise<number> {
  const body = await call(api, "GET", `/pools/${encodeURIComponent(pool)}`, c);
  const capacity = num(body.capacity);
  if (capacity === null) throw new ProvisionFailure("HB_ERR_ACTION_FAILED", `GET ${api.url}/pools/${pool}: the answer has no numeric 'capacity'`);
  return capacity;
}

/**
 * `POST <url>/pools/<pool>/capacity` with `{add|remove|set: n, reason, idempotency_key}` and the
 * `Idempotency-Key` header; the API applies the change once per key. The answer may report
 * `before` / `after` (numbers).
 */
export async function changePoolCapacity(
  api: GpuApi,
  pool: string,
  change: CapacityChange,
  reason: string | undefined,
  key: string,
  c: ApiCall,
): Promise<{ before: number | null; after: number | null; response: Record<string, unknown> }> {
  const body = { [change.op]: change.n, reason: reason ?? null, idempotency_key: key };
  const response = await call(api, "POST", `/pools/${encodeURIComponent(pool)}/capacity`, c, body, key);
  return { before: num(response.before), after: num(response.after), response };
}

/** `POST <url>/nodes/<node>/drain` with the drain options and the `Idempotency-Key` header. */
export async function drainViaApi(api: GpuApi, node: string, options: Readonly<Record<string, unknown>>, key: string, c: ApiCall): Promise<Record<string, unknown>> {
  return call(api, "POST", `/nodes/${encodeURIComponent(node)}/drain`, c, { ...options, idempotency_key: key }, key);
}
