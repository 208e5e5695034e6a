// @ts-check
/**
 * Calls to the admin API: every request goes to ../api/… (relative to /ui/, so a path prefix
 * in front of hookbook keeps working) with `Authorization: Bearer <token>`. The token lives in
 * sessionStorage (this tab only, gone when it closes) and never in a URL.
 */

const TOKEN_KEY = "hookbook.adminToken";

/** An error answer `{error: {code, message}}` of the API, or a network failure (status 0). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

export const token = {
  /** @returns {string} */
  get() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) ?? "";
    } catch {
      return "";
    }
  },
  /** @param {string} value */
  set(value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  },
  clear() {
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // storage disabled: nothing kept anyway
    }
  },
};

/** @type {(err: ApiError) => void} */
let onUnauthorized = () => undefined;

/**
 * Called on every 401 (after the token was dropped): the app shows the token prompt.
 * @param {(err: ApiError) => void} fn
 */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/**
 * `/api/webhooks/<id>/<rest>` path for an endpoint.
 * @param {string} id
 * @param {string} [rest]
 */
export function endpointPath(id, rest = "") {
  return `webhooks/${encodeURIComponent(id)}${rest === "" ? "" : `/${rest}`}`;
}

/**
 * One API call. Resolves with the parsed JSON answer ({} for an empty one); rejects with
 * ApiError (a 401 also drops the token and calls the unauthorized handler first).
 * @param {"GET" | "POST" | "PATCH" | "DELETE"} method
 * @param {string} path below /api/, e.g. "webhooks"
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function call(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json", authorization: `Bearer ${token.get()}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  /** @type {Response} */
  let res;
  try {
    res = await fetch(new URL(`../api/${path}`, document.baseURI), {
      method,
      headers,
      cache: "no-store",
      credentials: "omit",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new ApiError(0, "NETWORK", `hookbook did not answer (${err instanceof Error ? err.message : String(err)})`);
  }
  const text = await res.text();
  /** @type {any} */
  let json;
  try {
    json = text === "" ? {} : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = json !== null && typeof json === "object" ? json.error : undefined;
    const code = typeof e?.code === "string" ? e.code : `HTTP_${res.status}`;
    const message = typeof e?.message === "string" ? e.message : text.slice(0, 300) || res.statusText;
    const err = new ApiError(res.status, code, message);
    if (res.status === 401) {
      token.clear();
      onUnauthorized(err);
    }
    throw err;
  }
  if (json === undefined) throw new ApiError(res.status, "BAD_RESPONSE", `the answer of ${method} /api/${path} is not JSON`);
  return json;
}
