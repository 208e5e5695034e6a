/**
 * One HTTP attempt of a webhook: headers (the subscription's own, then hookbook's, then the
 * signature of the configured scheme, then endpoint auth), POST of the exact body bytes, the
 * answer's status, latency, Retry-After and a response excerpt. With OAuth 2.0 endpoint auth a
 * 401 answer refreshes the token and sends once more within the same attempt. An endpoint with
 * a client certificate (`tls`) presents it (mTLS; the OAuth token request does not). Config endpoints
 * (written by the operator) go through `trustedHttp`, which skips the SSRF address check.
 */
import type { KeyObject } from "node:crypto";
import { BoundedCache } from "../core/bounded-cache.js";
import type { Clock } from "../core/clock.js";
import { compatSignatureHeaders } from "./compat-signer.js";
import { isEd25519Secret, parseEd25519Secret } from "../core/ed25519.js";
import type { WebhookHttpClient } from "./http-client.js";
import { HttpRequestError } from "./http-client.js";
import type { OAuth2TokenCache } from "./oauth2-token.js";
import { OAuth2TokenError } from "./oauth2-token.js";
import { parseRetryAfter } from "./retry-policy.js";
import { parseWebhookSecret, signatureHeaders } from "./signer.js";
import type { Subscription } from "./subscription.js";
import { signingSecrets } from "./subscription.js";

export const OUTBOUND_USER_AGENT = "hookbook/0.1";

export interface AttemptDeps {
  /** SSRF-guarded client for API subscriptions. */
  readonly http: WebhookHttpClient;
  /** Client for config endpoints (default: `http`). */
  readonly trustedHttp?: WebhookHttpClient;
  readonly tokens: OAuth2TokenCache;
  readonly clock: Clock;
  readonly defaultTimeoutMs: number;
  readonly responseExcerptBytes: number;
}

export interface AttemptResult {
  /** ms since epoch */
  readonly startedAt: number;
  readonly latencyMs: number;
  readonly status?: number;
  readonly response?: string;
  readonly responseTruncated?: boolean;
  /** From Retry-After on a 429 or 503. */
  readonly retryAfterMs?: number;
  /** The receiver's `webhook-delivery` response header (lower case, trimmed), any status. */
  readonly deliveryControl?: string;
  readonly error?: string;
  readonly errorKind?: string;
}

/** Decoded Standard Webhooks keys (HMAC bytes, or Ed25519 private keys for `whsk_`) by secret string (secrets are few: endpoints × rotations). */
const keyCache = new BoundedCache<Buffer | KeyObject>(10_000);

function keyOf(secret: string): Buffer | KeyObject {
  return keyCache.get(secret) ?? keyCache.set(secret, isEd25519Secret(secret) ? parseEd25519Secret(secret) : parseWebhookSecret(secret));
}

/** What an endpoint's transform set besides the body (transform.ts): content type and rendered headers. */
export interface TransformedRequest {
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The request headers of one attempt, signed for `timestampSec`; a transform's headers come after the subscription's own. */
export function attemptHeaders(sub: Subscription, messageId: string, body: Uint8Array, timestampSec: number, now: number, transformed?: TransformedRequest): Record<string, string> {
  const headers: Record<string, string> = { ...sub.headers, ...transformed?.headers, "user-agent": OUTBOUND_USER_AGENT, "content-type": transformed?.contentType ?? "application/json" };
  const secrets = signingSecrets(sub, now);
  // standard / ed25519: each key adds a `v1` (whsec_) or `v1a` (whsk_) entry, so a scheme switch can sign with both during its grace period.
  const signed =
    sub.signing === "hmac-sha256-hex"
      ? compatSignatureHeaders(
          secrets.filter((s) => !isEd25519Secret(s)),
          messageId,
          timestampSec,
          body,
        )
      : signatureHeaders(secrets.map(keyOf), messageId, timestampSec, body);
  Object.assign(headers, signed);
  if (sub.auth?.type === "api_key") headers[sub.auth.header] = sub.auth.value;
  return headers;
}

function failure(err: unknown): { error: string; errorKind: string } {
  if (err instanceof HttpRequestError) return { error: err.kind === "timeout" ? "timeout" : `${err.kind}: ${err.message}`, errorKind: err.kind };
  if (err instanceof OAuth2TokenError) return { error: err.message, errorKind: "oauth2" };
  return { error: err instanceof Error ? err.message : String(err), errorKind: "internal" };
}

/** The receiver answered 2xx: the message is delivered. */
export function isDelivered(r: AttemptResult): boolean {
  return r.status !== undefined && r.status >= 200 && r.status < 300;
}

export async function sendAttempt(deps: AttemptDeps, sub: Subscription, messageId: string, body: Uint8Array, trusted = false, transformed?: TransformedRequest): Promise<AttemptResult> {
  const startedAt = deps.clock.now();
  const t0 = performance.now();
  const timeoutMs = sub.timeoutMs ?? deps.defaultTimeoutMs;
  const latency = (): number => Math.round(performance.now() - t0);
  const auth = sub.auth?.type === "oauth2" ? sub.auth : undefined;

  const once = async (): Promise<Awaited<ReturnType<WebhookHttpClient["send"]>>> => {
    const now = deps.clock.now();
    const headers = attemptHeaders(sub, messageId, body, Math.floor(now / 1000), now, transformed);
    if (auth) headers["authorization"] = `Bearer ${await deps.tokens.token(auth)}`;
    const http = trusted ? (deps.trustedHttp ?? deps.http) : deps.http;
    return http.send({
      url: sub.url,
      headers,
      body,
      timeoutMs,
      maxResponseBytes: deps.responseExcerptBytes,
      ...(sub.tls === undefined ? {} : { tls: sub.tls, tlsOwner: sub.id }),
    });
  };

  try {
    let res = await once();
    if (res.status === 401 && auth) {
      deps.tokens.invalidate(auth);
      res = await once();
    }
    const retryAfterMs = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers["retry-after"], deps.clock.now()) : undefined;
    const ok = res.status >= 200 && res.status < 300;
    const control = res.headers["webhook-delivery"]?.trim().toLowerCase();
    return {
      startedAt,
      latencyMs: latency(),
      status: res.status,
      response: res.body,
      ...(res.truncated ? { responseTruncated: true } : {}),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(control ? { deliveryControl: control.slice(0, 100) } : {}),
      ...(ok ? {} : { error: `HTTP ${res.status}`, errorKind: "status" }),
    };
  } catch (err) {
    return { startedAt, latencyMs: latency(), ...failure(err) };
  }
}
