/**
 * The AuthContext ingest gives request verifiers: the ingest clock, and GETs of small documents
 * (SNS signing certificates, OIDC JWKS) through global fetch with a timeout, a size cap, no
 * redirects, https only, and a small TTL cache so a burst of requests fetches a key once.
 */
import type { Clock } from "../core/clock.js";
import type { AuthContext } from "../sources/auth-context.js";

/** The fetch settings of the default context (plain data: they also travel to preparation threads). */
export type AuthFetchOptions = Pick<DefaultAuthContextOptions, "timeoutMs" | "cacheTtlMs" | "cacheEntries" | "maxBytes" | "allowHttp">;

export interface DefaultAuthContextOptions {
  readonly clock: Clock;
  /** Per fetch (default 5000). */
  readonly timeoutMs?: number;
  /** How long a fetched document is reused (default 10 minutes). */
  readonly cacheTtlMs?: number;
  /** Most documents kept (default 32; the oldest goes first). */
  readonly cacheEntries?: number;
  /** Largest accepted document in bytes (default 256 KiB). */
  readonly maxBytes?: number;
  /** Plain http:// too (tests against a local server only). */
  readonly allowHttp?: boolean;
  /** Injected fetch (default: global fetch). */
  readonly fetch?: typeof fetch;
}

interface CacheEntry {
  readonly expiresAt: number;
  readonly text: Promise<string>;
}

export function createDefaultAuthContext(opts: DefaultAuthContextOptions): AuthContext {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const ttlMs = opts.cacheTtlMs ?? 600_000;
  const maxEntries = opts.cacheEntries ?? 32;
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  const doFetch = opts.fetch ?? fetch;
  const cache = new Map<string, CacheEntry>();

  const load = async (url: string): Promise<string> => {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:" && !(opts.allowHttp === true && parsed.protocol === "http:")) {
      throw new Error(`refusing to fetch ${parsed.protocol} URL`);
    }
    const res = await doFetch(parsed, { redirect: "error", signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw Object.assign(new Error(`GET ${parsed.origin}${parsed.pathname} answered ${res.status}`), { status: res.status });
    const declared = Number(res.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > maxBytes) throw new Error(`document over ${maxBytes} bytes`);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > maxBytes) throw new Error(`document over ${maxBytes} bytes`);
    return bytes.toString("utf8");
  };

  return {
    nowMs: () => opts.clock.now(),
    fetchText(url: string): Promise<string> {
      const now = opts.clock.now();
      const hit = cache.get(url);
      if (hit !== undefined && hit.expiresAt > now) return hit.text;
      const text = load(url);
      cache.delete(url);
      cache.set(url, { expiresAt: now + ttlMs, text });
      // A failed fetch is not cached: the next request tries again.
      text.catch(() => {
        if (cache.get(url)?.text === text) cache.delete(url);
      });
      while (cache.size > maxEntries) {
        const oldest = cache.keys().next().value;
        if (oldest === undefined) break;
        cache.delete(oldest);
      }
      return text;
    },
  };
}
