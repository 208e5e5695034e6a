/**
 * OAuth 2.0 client-credentials tokens for endpoint auth (RFC 6749 §4.4).
 *
 * `POST token_url` with `grant_type=client_credentials[&scope=…]`, the client authenticated with
 * HTTP Basic (`client_secret_basic`, the RFC's mandatory method, id and secret form-encoded
 * first) or in the form body (`client_secret_post`). The answer's `access_token` is cached until
 * `expires_in` minus a margin (60 s, or a tenth of the lifetime when that is shorter; 5 min when
 * the server gives no lifetime). Concurrent callers share one token request. A 401 from the
 * endpoint makes the caller `invalidate()` and fetch once more. The token URL goes through the
 * same SSRF-guarded client as deliveries.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../core/clock.js";
import type { WebhookHttpClient } from "./http-client.js";

export interface OAuth2ClientCredentials {
  readonly type: "oauth2";
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  /** How the client authenticates to the token endpoint (default client_secret_basic). */
  readonly authMethod?: "client_secret_basic" | "client_secret_post";
}

export class OAuth2TokenError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = "OAuth2TokenError";
  }
}

const DEFAULT_LIFETIME_MS = 300_000;
const MAX_MARGIN_MS = 60_000;
const TOKEN_TIMEOUT_MS = 10_000;
const MAX_TOKEN_RESPONSE = 64 * 1024;

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

function form(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== "")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
}

export class OAuth2TokenCache {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly http: WebhookHttpClient,
    private readonly clock: Clock,
  ) {}

  private keyOf(c: OAuth2ClientCredentials): string {
    return createHash("sha256").update(JSON.stringify([c.tokenUrl, c.clientId, c.clientSecret, c.scope ?? "", c.authMethod ?? ""])).digest("hex");
  }

  /** A valid access token, from the cache when it has not (nearly) expired. */
  async token(c: OAuth2ClientCredentials): Promise<string> {
    const key = this.keyOf(c);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.clock.now()) return cached.token;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.fetchToken(c, key).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /** Forget the cached token (the endpoint answered 401). */
  invalidate(c: OAuth2ClientCredentials): void {
    this.cache.delete(this.keyOf(c));
  }

  private async fetchToken(c: OAuth2ClientCredentials, key: string): Promise<string> {
    const post = c.authMethod === "client_secret_post";
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    if (!post) {
      const basic = Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString("base64");
      headers["authorization"] = `Basic ${basic}`;
    }
    const body = form({
      grant_type: "client_credentials",
      scope: c.scope,
      ...(post ? { client_id: c.clientId, client_secret: c.clientSecret } : {}),
    });
    let status: number;
    let text: string;
    try {
      const res = await this.http.send({ url: c.tokenUrl, headers, body, timeoutMs: TOKEN_TIMEOUT_MS, maxResponseBytes: MAX_TOKEN_RESPONSE });
      status = res.status;
      text = res.body;
    } catch (err) {
      throw new OAuth2TokenError(`oauth2 token request failed: ${(err as Error).message}`, { cause: err });
    }
    if (status < 200 || status >= 300) throw new OAuth2TokenError(`oauth2 token endpoint answered ${status}`);
    let parsed: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new OAuth2TokenError("oauth2 token endpoint answered with invalid JSON");
    }
    if (typeof parsed.access_token !== "string" || parsed.access_token.length === 0) {
      throw new OAuth2TokenError("oauth2 token response has no access_token");
    }
    if (parsed.token_type !== undefined && String(parsed.token_type).toLowerCase() !== "bearer") {
      throw new OAuth2TokenError(`oauth2 token_type ${String(parsed.token_type)} is not supported (bearer only)`);
    }
    const lifetimeMs = typeof parsed.expires_in === "number" && parsed.expires_in > 0 ? parsed.expires_in * 1000 : DEFAULT_LIFETIME_MS;
    const margin = Math.min(MAX_MARGIN_MS, lifetimeMs / 10);
    this.cache.set(key, { token: parsed.access_token, expiresAt: this.clock.now() + lifetimeMs - margin });
    return parsed.access_token;
  }
}
