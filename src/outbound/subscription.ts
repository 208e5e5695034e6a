/**
 * Endpoint subscriptions: what the admin API stores in KV (`hb_webhooks`, one JSON value per
 * id) and what config endpoints become at run time. Config endpoints are read-only; only their
 * enabled/disabled state lives in KV (`hb_webhook_health`).
 */
import type { EndpointConfig } from "../config/types.js";
import { HookbookError } from "../core/errors.js";
import type { ClientTls } from "./client-tls.js";
import type { OAuth2ClientCredentials } from "./oauth2-token.js";
import type { RateLimit } from "./rate-limiter.js";
import { parseDelay } from "./retry-schedule.js";
import type { WebhookTransform } from "./transform.js";
import { parseTransform } from "./transform.js";

/** `standard`: Standard Webhooks HMAC (`v1`, whsec_); `ed25519`: Standard Webhooks asymmetric (`v1a`, whsk_/whpk_); `hmac-sha256-hex`: compat-signer.ts. */
export type SigningScheme = "standard" | "hmac-sha256-hex" | "ed25519";
export const SIGNING_SCHEMES: readonly SigningScheme[] = ["standard", "hmac-sha256-hex", "ed25519"];

export interface ApiKeyAuth {
  readonly type: "api_key";
  /** Header name, lower case. */
  readonly header: string;
  readonly value: string;
}

export type EndpointAuth = ApiKeyAuth | OAuth2ClientCredentials;

/** A secret replaced by a rotation, still signing until `expiresAt` (ms since epoch). */
export interface RetiredSecret {
  readonly secret: string;
  readonly expiresAt: number;
}

export type EndpointStatus = "enabled" | "disabled";

/**
 * at_least_once (default): every failed attempt is retried by the schedule. at_most_once: only
 * attempts that provably never reached the receiver (DNS, connect, TLS, SSRF, proxy refusal,
 * OAuth2 token failure) are retried; any other failure is final (Convoy's at-most-once mode).
 */
export type DeliveryMode = "at_least_once" | "at_most_once";
export const DELIVERY_MODES: readonly DeliveryMode[] = ["at_least_once", "at_most_once"];

/** Why an endpoint is disabled: by an operator, 410 Gone, failing continuously too long, or the receiver's `webhook-delivery: disable`. */
export type DisabledReason = "manual" | "gone" | "failing" | "receiver";

export interface Subscription {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  /** Payload filter (payload-filter.ts), as given. */
  readonly filter?: unknown;
  readonly description?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth?: EndpointAuth;
  /** Client certificate presented to the receiver (mTLS), and extra trust for its server certificate. */
  readonly tls?: ClientTls;
  readonly signing: SigningScheme;
  readonly secret: string;
  readonly previousSecrets: readonly RetiredSecret[];
  readonly status: EndpointStatus;
  readonly disabledReason?: DisabledReason;
  /** ms since epoch */
  readonly disabledAt?: number;
  /** Request timeout; default the service's (15 s). */
  readonly timeoutMs?: number;
  /** Messages in flight at once; default the service's (8). */
  readonly maxInFlight?: number;
  /** At most `requests` attempts per `periodMs` (token bucket, rate-limiter.ts); none = unlimited. */
  readonly rateLimit?: RateLimit;
  /** Retry policy of failed attempts; absent = at_least_once. */
  readonly deliveryMode?: DeliveryMode;
  /** Payload transformation (transform.ts), rendered by the router per outcome; none = the outcome as is. */
  readonly transform?: WebhookTransform;
  /** ms since epoch (0 for config endpoints). */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type EndpointSource = "api" | "config";

/** Secrets that sign right now: the current one first, then retired ones still in their grace period. */
export function signingSecrets(sub: Subscription, now: number): string[] {
  return [sub.secret, ...sub.previousSecrets.filter((s) => s.expiresAt > now).map((s) => s.secret)];
}

/** A config endpoint as a subscription (status from its stored state). */
export function subscriptionOfConfig(ep: EndpointConfig, state: { status: EndpointStatus; disabledReason?: DisabledReason; disabledAt?: number }): Subscription {
  return {
    id: ep.id,
    url: ep.url,
    events: [...ep.events],
    headers: { ...ep.headers },
    ...(ep.tls === undefined
      ? {}
      : {
          tls: {
            ...(ep.tls.certPem === undefined ? {} : { certPem: ep.tls.certPem }),
            ...(ep.tls.keyPem === undefined ? {} : { keyPem: ep.tls.keyPem }),
            ...(ep.tls.caPem === undefined ? {} : { caPem: ep.tls.caPem }),
            ...(ep.tls.servername === undefined ? {} : { servername: ep.tls.servername }),
          },
        }),
    signing: ep.signing ?? "standard",
    secret: ep.secret,
    previousSecrets: [],
    status: state.status,
    ...(state.disabledReason === undefined ? {} : { disabledReason: state.disabledReason }),
    ...(state.disabledAt === undefined ? {} : { disabledAt: state.disabledAt }),
    timeoutMs: ep.timeoutMs,
    ...(ep.rateLimit === undefined ? {} : { rateLimit: configRateLimit(ep.rateLimit) }),
    ...(ep.deliveryMode === undefined || ep.deliveryMode === "at_least_once" ? {} : { deliveryMode: ep.deliveryMode }),
    ...(ep.transform === undefined ? {} : { transform: configTransform(ep.id, ep.transform) }),
    createdAt: 0,
    updatedAt: 0,
  };
}

/** A config endpoint's `rateLimit` ({requests, period: ms | "1s" | "60s"}), checked at start (service.ts). */
export function configRateLimit(r: { readonly requests: number; readonly period?: number | string }): RateLimit {
  const periodMs = r.period === undefined ? 1000 : typeof r.period === "number" ? r.period : (parseDelay(r.period) ?? Number.NaN);
  return { requests: r.requests, periodMs };
}

/** A config endpoint's `transform` ({body, headers?, contentType?}), checked like the API's; a bad one stops the start. */
export function configTransform(endpointId: string, t: unknown): WebhookTransform {
  try {
    return parseTransform(t, "transform", undefined, "contentType");
  } catch (err) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `outbound endpoint ${endpointId}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
