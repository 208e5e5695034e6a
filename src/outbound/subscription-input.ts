/**
 * Validation of admin-API bodies (snake_case JSON) into subscription fields. Every problem is
 * an HB error naming the field (OUTBOUND_CODES.invalid, or .secret for unusable secrets);
 * unknown fields are refused so typos do not pass silently. The URL's SSRF check needs DNS and
 * happens in the service.
 */
import type { ClientTls } from "./client-tls.js";
import { ClientTlsError, inspectClientTls } from "./client-tls.js";
import { eventPatternError } from "./endpoint-match.js";
import { outboundError } from "./outbound-errors.js";
import { compileFilter } from "./payload-filter.js";
import type { RateLimit } from "./rate-limiter.js";
import { RATE_LIMIT_MAX_REQUESTS, RATE_LIMIT_PERIOD } from "./rate-limiter.js";
import { generateEd25519KeyPair, isEd25519Secret, parseEd25519Secret } from "../core/ed25519.js";
import { generateWebhookSecret, parseWebhookSecret } from "./signer.js";
import type { DeliveryMode, EndpointAuth, SigningScheme } from "./subscription.js";
import { DELIVERY_MODES, SIGNING_SCHEMES } from "./subscription.js";
import { SENSITIVE_HEADER } from "./subscription-view.js";
import type { WebhookTransform } from "./transform.js";
import { parseTransform, reservedTransformHeader } from "./transform.js";

export interface SubscriptionInput {
  readonly url: string;
  readonly events: readonly string[];
  readonly secret?: string;
  readonly description?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth?: EndpointAuth;
  readonly filter?: unknown;
  readonly signing: SigningScheme;
  readonly timeoutMs?: number;
  readonly maxInFlight?: number;
  readonly rateLimit?: RateLimit;
  readonly tls?: ClientTls;
  readonly transform?: WebhookTransform;
  readonly deliveryMode?: DeliveryMode;
}

/** PATCH: absent = unchanged, null = cleared (optional fields only). */
export interface SubscriptionPatch {
  readonly url?: string;
  readonly events?: readonly string[];
  readonly description?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth?: EndpointAuth | null;
  readonly filter?: unknown;
  readonly signing?: SigningScheme;
  readonly timeoutMs?: number | null;
  readonly maxInFlight?: number | null;
  readonly rateLimit?: RateLimit | null;
  readonly tls?: ClientTls | null;
  readonly transform?: WebhookTransform | null;
  /** null = back to the default (at_least_once). */
  readonly deliveryMode?: DeliveryMode | null;
}

export interface RotateInput {
  readonly secret?: string;
  /** Grace period of the old secret in ms. */
  readonly graceMs?: number;
}

export const LIMITS = {
  urlLength: 2048,
  events: 100,
  patternLength: 200,
  description: 1000,
  headers: 50,
  headerValue: 4096,
  timeoutMs: { min: 100, max: 30_000 },
  maxInFlight: { min: 1, max: 64 },
  rateLimitRequests: { min: 1, max: RATE_LIMIT_MAX_REQUESTS },
  rateLimitPeriodMs: { min: RATE_LIMIT_PERIOD.min, max: RATE_LIMIT_PERIOD.max },
  /** Longest rotation grace period: 7 days. */
  graceMs: 7 * 24 * 3_600_000,
} as const;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;
const COMPAT_SECRET = /^[\x21-\x7e]{16,512}$/;
/** Set by hookbook on every request; a subscription cannot override them. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  "content-type",
  "content-length",
  "host",
  "connection",
  "transfer-encoding",
  "user-agent",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "x-webhook-id",
  "x-webhook-timestamp",
  "x-webhook-signature",
]);

const CREATE_FIELDS = new Set(["url", "events", "secret", "description", "headers", "auth", "filter", "signing", "timeout_ms", "max_in_flight", "rate_limit", "tls", "transform", "delivery_mode"]);
const PATCH_FIELDS = new Set(["url", "events", "description", "headers", "auth", "filter", "signing", "timeout_ms", "max_in_flight", "rate_limit", "tls", "transform", "delivery_mode"]);

const bad = (field: string, message: string): Error => outboundError("invalid", `${field}: ${message}`);

function asObject(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw outboundError("invalid", `${what} must be a JSON object`);
  return body as Record<string, unknown>;
}

function checkFields(o: Record<string, unknown>, allowed: ReadonlySet<string>, extra = ""): void {
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) throw bad(k, `unknown field${extra} (allowed: ${[...allowed].join(", ")})`);
  }
}

function str(v: unknown, field: string, max: number, min = 1): string {
  if (typeof v !== "string" || v.length < min || v.length > max) throw bad(field, `must be a string of ${min}–${max} characters`);
  return v;
}

function int(v: unknown, field: string, range: { min: number; max: number }): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < range.min || v > range.max) throw bad(field, `must be an integer between ${range.min} and ${range.max}`);
  return v;
}

function parseUrl(v: unknown): string {
  const url = str(v, "url", LIMITS.urlLength);
  if (!/^https?:\/\//i.test(url)) throw outboundError("urlForbidden", "url: must be an http:// or https:// URL");
  return url;
}

function parseEvents(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > LIMITS.events) throw bad("events", `must be a non-empty list of at most ${LIMITS.events} event type patterns`);
  return v.map((p, i) => {
    const pattern = str(p, `events[${i}]`, LIMITS.patternLength);
    const err = eventPatternError(pattern);
    if (err !== undefined) throw bad(`events[${i}]`, err);
    return pattern;
  });
}

function parseHeaders(v: unknown): Record<string, string> {
  const o = asObject(v, "headers");
  const entries = Object.entries(o);
  if (entries.length > LIMITS.headers) throw bad("headers", `at most ${LIMITS.headers} headers`);
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) throw bad(`headers.${name}`, "not a valid header name");
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) throw bad(`headers.${name}`, "is set by hookbook and cannot be overridden");
    if (typeof value !== "string" || value.length > LIMITS.headerValue || !HEADER_VALUE.test(value)) {
      throw bad(`headers.${name}`, `value must be a string of at most ${LIMITS.headerValue} characters without line breaks`);
    }
    if (lower in out) throw bad(`headers.${name}`, "given twice (header names are case-insensitive)");
    out[lower] = value;
  }
  return out;
}

function parseAuth(v: unknown): EndpointAuth {
  const o = asObject(v, "auth");
  if (o["type"] === "api_key") {
    checkFields(o, new Set(["type", "header", "value"]), " in auth");
    const header = str(o["header"], "auth.header", 100);
    if (!HEADER_NAME.test(header) || RESERVED_HEADERS.has(header.toLowerCase())) throw bad("auth.header", "not a usable header name");
    const value = str(o["value"], "auth.value", LIMITS.headerValue);
    if (!HEADER_VALUE.test(value)) throw bad("auth.value", "must not contain line breaks");
    return { type: "api_key", header: header.toLowerCase(), value };
  }
  if (o["type"] === "oauth2") {
    checkFields(o, new Set(["type", "token_url", "client_id", "client_secret", "scope", "auth_method"]), " in auth");
    const tokenUrl = str(o["token_url"], "auth.token_url", LIMITS.urlLength);
    if (!/^https?:\/\//i.test(tokenUrl)) throw bad("auth.token_url", "must be an http:// or https:// URL");
    const method = o["auth_method"];
    if (method !== undefined && method !== "client_secret_basic" && method !== "client_secret_post") {
      throw bad("auth.auth_method", "must be client_secret_basic or client_secret_post");
    }
    return {
      type: "oauth2",
      tokenUrl,
      clientId: str(o["client_id"], "auth.client_id", 512),
      clientSecret: str(o["client_secret"], "auth.client_secret", 2048),
      ...(o["scope"] === undefined ? {} : { scope: str(o["scope"], "auth.scope", 1024) }),
      ...(method === undefined ? {} : { authMethod: method }),
    };
  }
  throw bad("auth.type", 'must be "api_key" or "oauth2"');
}

function parseFilter(v: unknown): unknown {
  const compiled = compileFilter(v);
  if (!compiled.ok) throw bad("filter", compiled.error);
  return v;
}

/** `rate_limit: {requests, period_ms?}` (period default 1 s). */
function parseRateLimit(v: unknown): RateLimit {
  const o = asObject(v, "rate_limit");
  checkFields(o, new Set(["requests", "period_ms"]), " in rate_limit");
  return {
    requests: int(o["requests"], "rate_limit.requests", LIMITS.rateLimitRequests),
    periodMs: o["period_ms"] === undefined ? RATE_LIMIT_PERIOD.default : int(o["period_ms"], "rate_limit.period_ms", LIMITS.rateLimitPeriodMs),
  };
}

/** PEM material up to this size (a certificate chain or CA bundle). */
const PEM_MAX = 64 * 1024;

/**
 * `tls: {cert_pem, key_pem, ca_pem?}` (or `{ca_pem}` alone: trust without a client certificate):
 * the key must belong to the certificate, which must not have expired.
 */
function parseTls(v: unknown, now = Date.now()): ClientTls {
  const o = asObject(v, "tls");
  checkFields(o, new Set(["cert_pem", "key_pem", "ca_pem"]), " in tls");
  const pem = (field: string): { [k: string]: string } => {
    const value = o[field];
    if (value === undefined || value === null) return {};
    const name = field === "cert_pem" ? "certPem" : field === "key_pem" ? "keyPem" : "caPem";
    return { [name]: str(value, `tls.${field}`, PEM_MAX) };
  };
  const material: ClientTls = { ...pem("cert_pem"), ...pem("key_pem"), ...pem("ca_pem") };
  try {
    inspectClientTls(material, now);
  } catch (err) {
    if (err instanceof ClientTlsError) throw bad(`tls.${err.part}_pem`, err.message);
    throw err;
  }
  return material;
}

/** A client certificate is presented over TLS only: refuse it for an http:// URL. */
export function checkTlsUrl(url: string, tls: ClientTls | undefined | null): void {
  if (tls && !/^https:\/\//i.test(url)) throw bad("tls", "a client certificate needs an https:// url");
}

/** `transform: {body, headers?, content_type?}` (transform.ts); credential-looking header names belong in `headers` (encrypted at rest). */
export function parseTransformField(v: unknown): WebhookTransform {
  return parseTransform(v, "transform", (name) =>
    reservedTransformHeader(name) ?? (SENSITIVE_HEADER.test(name) ? "looks like a credential: put it in headers or auth (encrypted at rest; transforms are not)" : undefined),
  );
}

function parseDeliveryMode(v: unknown): DeliveryMode {
  if (typeof v !== "string" || !DELIVERY_MODES.includes(v as DeliveryMode)) throw bad("delivery_mode", `must be one of ${DELIVERY_MODES.join(", ")}`);
  return v as DeliveryMode;
}

function parseSigning(v: unknown): SigningScheme {
  if (typeof v !== "string" || !SIGNING_SCHEMES.includes(v as SigningScheme)) throw bad("signing", `must be one of ${SIGNING_SCHEMES.join(", ")}`);
  return v as SigningScheme;
}

/** True when `scheme` signs with an Ed25519 key pair (its secret is a `whsk_` private key). */
export const isAsymmetric = (scheme: SigningScheme): boolean => scheme === "ed25519";

/** A fresh secret for `scheme`: `whsec_` + 32 random bytes, or a `whsk_` Ed25519 private key. */
export function generateSecretFor(scheme: SigningScheme): string {
  return isAsymmetric(scheme) ? generateEd25519KeyPair().secret : generateWebhookSecret();
}

/** Throws OUTBOUND_CODES.secret when `secret` cannot sign with `scheme`. */
export function checkSecretFor(scheme: SigningScheme, secret: string, field = "secret"): void {
  if (scheme === "ed25519") {
    try {
      parseEd25519Secret(secret);
    } catch (err) {
      throw outboundError("secret", `${field}: ${(err as Error).message} (signing ed25519 wants the private key whsk_<base64 of the 32-byte seed>; omit it to get a generated key pair)`);
    }
    return;
  }
  if (isEd25519Secret(secret)) throw outboundError("secret", `${field}: an Ed25519 private key (whsk_) signs only with signing "ed25519"`);
  if (scheme === "hmac-sha256-hex") {
    if (!COMPAT_SECRET.test(secret)) throw outboundError("secret", `${field}: must be 16–512 printable characters without spaces`);
    return;
  }
  let key: Buffer;
  try {
    key = parseWebhookSecret(secret);
  } catch (err) {
    throw outboundError("secret", `${field}: ${(err as Error).message}`);
  }
  if (key.length < 24 || key.length > 64) throw outboundError("secret", `${field}: the key must be 24–64 bytes (whsec_ + base64); omit it to get a generated one`);
}

function checkAuthHeaders(headers: Readonly<Record<string, string>>, auth: EndpointAuth | undefined | null): void {
  if (!auth) return;
  const taken = auth.type === "api_key" ? auth.header : "authorization";
  if (taken in headers) throw bad(`headers.${taken}`, "is set by auth");
}

export function parseCreateInput(body: unknown): SubscriptionInput {
  const o = asObject(body, "request body");
  checkFields(o, CREATE_FIELDS);
  const signing = o["signing"] === undefined ? "standard" : parseSigning(o["signing"]);
  const headers = o["headers"] === undefined ? {} : parseHeaders(o["headers"]);
  const auth = o["auth"] === undefined || o["auth"] === null ? undefined : parseAuth(o["auth"]);
  checkAuthHeaders(headers, auth);
  let secret: string | undefined;
  if (o["secret"] !== undefined && o["secret"] !== null) {
    secret = str(o["secret"], "secret", 512);
    checkSecretFor(signing, secret);
  }
  const input: SubscriptionInput = {
    url: parseUrl(o["url"]),
    events: parseEvents(o["events"]),
    headers,
    signing,
    ...(secret === undefined ? {} : { secret }),
    ...(o["description"] === undefined || o["description"] === null ? {} : { description: str(o["description"], "description", LIMITS.description, 0) }),
    ...(auth === undefined ? {} : { auth }),
    ...(o["filter"] === undefined || o["filter"] === null ? {} : { filter: parseFilter(o["filter"]) }),
    ...(o["timeout_ms"] === undefined ? {} : { timeoutMs: int(o["timeout_ms"], "timeout_ms", LIMITS.timeoutMs) }),
    ...(o["max_in_flight"] === undefined ? {} : { maxInFlight: int(o["max_in_flight"], "max_in_flight", LIMITS.maxInFlight) }),
    ...(o["rate_limit"] === undefined || o["rate_limit"] === null ? {} : { rateLimit: parseRateLimit(o["rate_limit"]) }),
    ...(o["tls"] === undefined || o["tls"] === null ? {} : { tls: parseTls(o["tls"]) }),
    ...(o["transform"] === undefined || o["transform"] === null ? {} : { transform: parseTransformField(o["transform"]) }),
    ...(o["delivery_mode"] === undefined || o["delivery_mode"] === null ? {} : { deliveryMode: parseDeliveryMode(o["delivery_mode"]) }),
  };
  checkTlsUrl(input.url, input.tls);
  return input;
}

export function parsePatchInput(body: unknown): SubscriptionPatch {
  const o = asObject(body, "request body");
  if ("secret" in o) throw bad("secret", "cannot be patched; POST /api/webhooks/:id/rotate-secret");
  checkFields(o, PATCH_FIELDS);
  const patch: { -readonly [K in keyof SubscriptionPatch]: SubscriptionPatch[K] } = {};
  if (o["url"] !== undefined) patch.url = parseUrl(o["url"]);
  if (o["events"] !== undefined) patch.events = parseEvents(o["events"]);
  if (o["description"] !== undefined) patch.description = o["description"] === null ? null : str(o["description"], "description", LIMITS.description, 0);
  if (o["headers"] !== undefined) patch.headers = o["headers"] === null ? {} : parseHeaders(o["headers"]);
  if (o["auth"] !== undefined) patch.auth = o["auth"] === null ? null : parseAuth(o["auth"]);
  if (o["filter"] !== undefined) patch.filter = o["filter"] === null ? null : parseFilter(o["filter"]);
  if (o["signing"] !== undefined) patch.signing = parseSigning(o["signing"]);
  if (o["timeout_ms"] !== undefined) patch.timeoutMs = o["timeout_ms"] === null ? null : int(o["timeout_ms"], "timeout_ms", LIMITS.timeoutMs);
  if (o["max_in_flight"] !== undefined) patch.maxInFlight = o["max_in_flight"] === null ? null : int(o["max_in_flight"], "max_in_flight", LIMITS.maxInFlight);
  if (o["rate_limit"] !== undefined) patch.rateLimit = o["rate_limit"] === null ? null : parseRateLimit(o["rate_limit"]);
  if (o["tls"] !== undefined) patch.tls = o["tls"] === null ? null : parseTls(o["tls"]);
  if (o["transform"] !== undefined) patch.transform = o["transform"] === null ? null : parseTransformField(o["transform"]);
  if (o["delivery_mode"] !== undefined) patch.deliveryMode = o["delivery_mode"] === null ? null : parseDeliveryMode(o["delivery_mode"]);
  return patch;
}

/** Checks a patch's headers against the auth it leaves in place. */
export function checkPatchedHeaders(headers: Readonly<Record<string, string>>, auth: EndpointAuth | undefined): void {
  checkAuthHeaders(headers, auth);
}

export function parseRotateInput(body: unknown): RotateInput {
  if (body === undefined || body === null || body === "") return {};
  const o = asObject(body, "request body");
  checkFields(o, new Set(["secret", "grace_period_seconds"]));
  const out: { secret?: string; graceMs?: number } = {};
  if (o["secret"] !== undefined && o["secret"] !== null) out.secret = str(o["secret"], "secret", 512);
  if (o["grace_period_seconds"] !== undefined) {
    out.graceMs = int(o["grace_period_seconds"], "grace_period_seconds", { min: 0, max: LIMITS.graceMs / 1000 }) * 1000;
  }
  return out;
}
