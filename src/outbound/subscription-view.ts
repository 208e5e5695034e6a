/** How the admin API shows an endpoint: snake_case, secrets and auth credentials redacted. */
import { clientCertInfo } from "./client-tls.js";
import type { ClientTls } from "./client-tls.js";
import type { BreakerView } from "./circuit-breaker.js";
import type { EndpointEntry } from "./endpoint-registry.js";
import { ed25519PublicKeyOf } from "../core/ed25519.js";
import type { EndpointAuth, SigningScheme } from "./subscription.js";
import { transformView } from "./transform.js";

export const REDACTED = "[redacted]";

/**
 * What the API shows of a signing secret (create, GET …/secret, rotate-secret): what a receiver
 * verifies with. HMAC schemes: `secret` = the shared `whsec_…` secret. ed25519: the private
 * `whsk_` key never leaves hookbook; `secret` and `public_key` both carry the public `whpk_…` key.
 */
export function secretView(signing: SigningScheme, secret: string): { secret: string; public_key?: string } {
  if (signing !== "ed25519") return { secret };
  const publicKey = ed25519PublicKeyOf(secret);
  return { secret: publicKey, public_key: publicKey };
}

export type AuthView =
  | { readonly type: "api_key"; readonly header: string; readonly value: string }
  | {
      readonly type: "oauth2";
      readonly token_url: string;
      readonly client_id: string;
      readonly client_secret: string;
      readonly scope: string | null;
      readonly auth_method: string;
    };

/** The client certificate an endpoint presents (never its key); all null with a CA bundle only. */
export interface TlsView {
  readonly subject: string | null;
  readonly issuer: string | null;
  readonly not_after: string | null;
  readonly fingerprint256: string | null;
  /** True when a CA bundle is trusted for the receiver's server certificate. */
  readonly ca: boolean;
}

export interface EndpointView {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly filter: unknown;
  readonly description: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: AuthView | null;
  readonly tls: TlsView | null;
  readonly signing: string;
  readonly status: string;
  readonly disabled_reason: string | null;
  readonly disabled_at: string | null;
  readonly timeout_ms: number;
  readonly max_in_flight: number;
  /** Attempts per period (token bucket); null = unlimited. */
  readonly rate_limit: { readonly requests: number; readonly period_ms: number } | null;
  /** at_least_once (default) or at_most_once (only attempts that never reached the receiver are retried). */
  readonly delivery_mode: string;
  /** Payload transformation (templates), as given; null = the outcome is sent as is. */
  readonly transform: { readonly body: unknown; readonly headers: Readonly<Record<string, string>>; readonly content_type: string } | null;
  /** Circuit breaker: closed, open (no attempts until retry_at) or half_open (one at a time). */
  readonly breaker: BreakerView;
  /** "config" endpoints come from the config file and are read-only (enable/disable aside). */
  readonly source: string;
  readonly read_only: boolean;
  readonly created_at: string | null;
  readonly updated_at: string | null;
}

function authView(auth: EndpointAuth | undefined): AuthView | null {
  if (auth === undefined) return null;
  if (auth.type === "api_key") return { type: "api_key", header: auth.header, value: REDACTED };
  return {
    type: "oauth2",
    token_url: auth.tokenUrl,
    client_id: auth.clientId,
    client_secret: REDACTED,
    scope: auth.scope ?? null,
    auth_method: auth.authMethod ?? "client_secret_basic",
  };
}

function tlsView(tls: ClientTls | undefined): TlsView | null {
  if (tls === undefined) return null;
  const info = tls.certPem === undefined ? null : clientCertInfo(tls.certPem);
  return {
    subject: info?.subject ?? null,
    issuer: info?.issuer ?? null,
    not_after: info === null || Number.isNaN(info.notAfter) ? null : new Date(info.notAfter).toISOString(),
    fingerprint256: info?.fingerprint256 ?? null,
    ca: tls.caPem !== undefined,
  };
}

/** Header values that look like credentials are not shown (and are encrypted at rest). */
export const SENSITIVE_HEADER = /authorization|token|secret|password|api[-_]?key|cookie|signature/i;

function headersView(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SENSITIVE_HEADER.test(k) ? REDACTED : v]));
}

const iso = (ms: number | undefined): string | null => (ms === undefined || ms === 0 ? null : new Date(ms).toISOString());

const CLOSED: BreakerView = { state: "closed", consecutive_failures: 0 };

export function endpointView(entry: EndpointEntry, defaults: { timeoutMs: number; maxInFlight: number }, breaker: BreakerView = CLOSED): EndpointView {
  const s = entry.sub;
  return {
    id: s.id,
    url: s.url,
    events: s.events,
    filter: s.filter ?? null,
    description: s.description ?? null,
    headers: headersView(s.headers),
    auth: authView(s.auth),
    tls: tlsView(s.tls),
    signing: s.signing,
    status: s.status,
    disabled_reason: s.status === "disabled" ? (s.disabledReason ?? null) : null,
    disabled_at: s.status === "disabled" ? iso(s.disabledAt) : null,
    timeout_ms: s.timeoutMs ?? defaults.timeoutMs,
    max_in_flight: s.maxInFlight ?? defaults.maxInFlight,
    rate_limit: s.rateLimit === undefined ? null : { requests: s.rateLimit.requests, period_ms: s.rateLimit.periodMs },
    delivery_mode: s.deliveryMode ?? "at_least_once",
    transform: transformView(s.transform),
    breaker,
    source: entry.source,
    read_only: entry.source === "config",
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}
