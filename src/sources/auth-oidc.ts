/**
 * OIDC ID token in `Authorization: Bearer <JWT>`, as GCP Pub/Sub push sends it (sources.md §6):
 *
 *  - RS256 only (the header `alg` must be exactly "RS256": `none`, HS256 and friends are refused;
 *    a `crit` header is refused), `kid` required;
 *  - the key is looked up by `kid` in the JWKS at `jwksUrl` (default Google's), fetched with
 *    `ctx.fetchText` and cached per URL for `jwksTtlSec` (default 3600); an unknown `kid` triggers
 *    one refetch unless the JWKS was fetched less than `jwksRefetchCooldownSec` (default 30) ago,
 *    so a stream of made-up kids cannot hammer the JWKS endpoint; when a refresh fails the cached
 *    keys stay in use;
 *  - signature (RSASSA-PKCS1-v1_5 SHA-256) over `<header>.<payload>`;
 *  - claims: `iss` in `issuers` (default `https://accounts.google.com`, `accounts.google.com`),
 *    `aud` equals / contains `audience`, `exp` required and not passed, `nbf` reached, `iat` not in
 *    the future — each with `leewaySec` (default 300); a fresh `iat` is not demanded (Pub/Sub
 *    reuses tokens for up to an hour); with `serviceAccountEmail`, `email` must equal it and
 *    `email_verified` must be true.
 *
 * Codes: HB_ERR_AUTH_MISSING (no bearer token), HB_ERR_AUTH_INVALID (anything wrong with the
 * token), HB_ERR_INTERNAL when the JWKS cannot be fetched or parsed and no cached copy exists
 * (transient: Pub/Sub retries). Returns the verified claims.
 */
import { createPublicKey, verify as verifySignature } from "node:crypto";
import type { JsonWebKey, KeyObject } from "node:crypto";
import { HookbookError } from "../core/errors.js";
import type { Json } from "./normalize-util.js";
import { isObject } from "./normalize-util.js";
import { headerValue } from "./types.js";

export const GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";
export const GOOGLE_ISSUERS: readonly string[] = ["https://accounts.google.com", "accounts.google.com"];
const DEFAULT_LEEWAY_SEC = 300;
const DEFAULT_JWKS_TTL_SEC = 3600;
const DEFAULT_REFETCH_COOLDOWN_SEC = 30;
/** Longest token accepted (Google ID tokens are about 1 KB). */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** Smaller RSA keys in a JWKS are ignored. */
const MIN_RSA_BITS = 2048;

export interface OidcVerifyOptions {
  /** Required `aud` (Pub/Sub: the push endpoint URL unless an audience is configured). */
  readonly audience: string;
  readonly issuers?: readonly string[];
  /** When set: `email` must equal it and `email_verified` must be true. */
  readonly serviceAccountEmail?: string;
  readonly jwksUrl?: string;
  /** Clock leeway for exp / nbf / iat, seconds. */
  readonly leewaySec?: number;
  readonly jwksTtlSec?: number;
  readonly jwksRefetchCooldownSec?: number;
}

export interface OidcVerifyContext {
  nowMs(): number;
  fetchText(url: string): Promise<string>;
}

export type OidcClaims = Readonly<Record<string, unknown>>;

interface JwksEntry {
  readonly keys: ReadonlyMap<string, KeyObject>;
  readonly fetchedAtMs: number;
}

interface JwksSlot {
  entry?: JwksEntry;
  pending?: Promise<JwksEntry>;
  lastAttemptMs?: number;
}

const jwksCaches = new WeakMap<OidcVerifyContext["fetchText"], Map<string, JwksSlot>>();

function invalid(message: string): HookbookError {
  return new HookbookError("HB_ERR_AUTH_INVALID", `OIDC token: ${message}`);
}

const B64URL = /^[A-Za-z0-9_-]+$/;

function decodeSegment(segment: string, what: string): Json {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    if (isObject(value)) return value;
  } catch {
    // fall through
  }
  throw invalid(`${what} is not a base64url JSON object`);
}

/**
 * Parses a JWKS document into kid → RSA public key; keys that are not RSA signing keys of at
 * least 2048 bits (or are malformed) are skipped.
 */
export function parseJwks(text: string): Map<string, KeyObject> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new HookbookError("HB_ERR_INTERNAL", "the JWKS is not JSON", { cause: err });
  }
  if (!isObject(doc) || !Array.isArray(doc.keys)) throw new HookbookError("HB_ERR_INTERNAL", "the JWKS has no keys array");
  const keys = new Map<string, KeyObject>();
  for (const jwk of doc.keys) {
    if (!isObject(jwk) || typeof jwk.kid !== "string" || jwk.kty !== "RSA") continue;
    if (jwk.use !== undefined && jwk.use !== "sig") continue;
    if (jwk.alg !== undefined && jwk.alg !== "RS256") continue;
    if (typeof jwk.n !== "string" || typeof jwk.e !== "string" || !B64URL.test(jwk.n) || !B64URL.test(jwk.e)) continue;
    try {
      const key = createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS) keys.set(jwk.kid, key);
    } catch {
      // A malformed key is skipped; the others stay usable.
    }
  }
  return keys;
}

function slotFor(url: string, ctx: OidcVerifyContext): JwksSlot {
  let cache = jwksCaches.get(ctx.fetchText);
  if (cache === undefined) {
    cache = new Map();
    jwksCaches.set(ctx.fetchText, cache);
  }
  let slot = cache.get(url);
  if (slot === undefined) {
    slot = {};
    cache.set(url, slot);
  }
  return slot;
}

function refresh(slot: JwksSlot, url: string, ctx: OidcVerifyContext): Promise<JwksEntry> {
  if (slot.pending !== undefined) return slot.pending;
  slot.lastAttemptMs = ctx.nowMs();
  const pending = ctx
    .fetchText(url)
    .then(
      (text) => ({ keys: parseJwks(text), fetchedAtMs: ctx.nowMs() }),
      (err: unknown) => {
        throw new HookbookError("HB_ERR_INTERNAL", `cannot fetch the JWKS ${url}`, { cause: err });
      },
    )
    .then((entry) => {
      slot.entry = entry;
      return entry;
    })
    .finally(() => {
      if (slot.pending === pending) slot.pending = undefined;
    });
  slot.pending = pending;
  return pending;
}

async function keyFor(kid: string, opts: OidcVerifyOptions, ctx: OidcVerifyContext): Promise<KeyObject> {
  const url = opts.jwksUrl ?? GOOGLE_JWKS_URL;
  const slot = slotFor(url, ctx);
  const now = ctx.nowMs();
  let fetchedNow = false;
  if (slot.entry === undefined || now - slot.entry.fetchedAtMs >= (opts.jwksTtlSec ?? DEFAULT_JWKS_TTL_SEC) * 1000) {
    try {
      await refresh(slot, url, ctx);
      fetchedNow = true;
    } catch (err) {
      if (slot.entry === undefined) throw err;
    }
  }
  let key = slot.entry?.keys.get(kid);
  const cooldownMs = (opts.jwksRefetchCooldownSec ?? DEFAULT_REFETCH_COOLDOWN_SEC) * 1000;
  if (key === undefined && !fetchedNow && now - (slot.lastAttemptMs ?? 0) >= cooldownMs) {
    await refresh(slot, url, ctx);
    key = slot.entry?.keys.get(kid);
  }
  if (key === undefined) throw invalid("unknown signing key (kid)");
  return key;
}

function bearerToken(headers: Readonly<Record<string, string>>): string {
  const header = headerValue(headers, "authorization")?.trim();
  if (header === undefined || header === "") throw new HookbookError("HB_ERR_AUTH_MISSING", "missing authorization header");
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw invalid("authorization scheme must be Bearer");
  return m[1] as string;
}

function numericClaim(claims: Json, name: string, required: boolean): number | undefined {
  const value = claims[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(`${name} claim missing or not a number`);
  return value;
}

function checkClaims(claims: Json, opts: OidcVerifyOptions, nowMs: number): void {
  const issuers = opts.issuers ?? GOOGLE_ISSUERS;
  if (typeof claims.iss !== "string" || !issuers.includes(claims.iss)) throw invalid("issuer not accepted");
  const aud = claims.aud;
  const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  if (opts.audience === "" || !audiences.includes(opts.audience)) throw invalid("audience does not match");
  const now = nowMs / 1000;
  const leeway = opts.leewaySec ?? DEFAULT_LEEWAY_SEC;
  const exp = numericClaim(claims, "exp", true) as number;
  if (now >= exp + leeway) throw invalid("token expired");
  const nbf = numericClaim(claims, "nbf", false);
  if (nbf !== undefined && now < nbf - leeway) throw invalid("token not valid yet (nbf)");
  const iat = numericClaim(claims, "iat", false);
  if (iat !== undefined && iat > now + leeway) throw invalid("token issued in the future (iat)");
  if (opts.serviceAccountEmail !== undefined) {
    if (claims.email !== opts.serviceAccountEmail) throw invalid("email is not the expected service account");
    if (claims.email_verified !== true) throw invalid("email is not verified");
  }
}

/** Verifies the bearer JWT of a request (see the file comment) and returns its claims. */
export async function verifyOidcRequest(
  headers: Readonly<Record<string, string>>,
  opts: OidcVerifyOptions,
  ctx: OidcVerifyContext,
): Promise<OidcClaims> {
  const token = bearerToken(headers);
  if (token.length > MAX_TOKEN_LENGTH) throw invalid("token too long");
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) throw invalid("not a signed JWT (header.payload.signature)");
  const [h, p, s] = parts as [string, string, string];
  const header = decodeSegment(h, "header");
  if (header.alg !== "RS256") throw invalid("alg must be RS256");
  if (header.crit !== undefined) throw invalid("crit header parameters are not supported");
  if (typeof header.kid !== "string" || header.kid === "") throw invalid("kid missing");
  const claims = decodeSegment(p, "payload");
  const key = await keyFor(header.kid, opts, ctx);
  const ok = verifySignature("RSA-SHA256", Buffer.from(`${h}.${p}`, "ascii"), key, Buffer.from(s, "base64url"));
  if (!ok) throw invalid("signature does not match");
  checkClaims(claims, opts, ctx.nowMs());
  return claims;
}
