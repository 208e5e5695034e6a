/**
 * Standard Webhooks v1 signing and verification (reference/webhooks.md §2).
 *
 * Sender: `content = msgId "." ts "." body` (raw bytes, never re-serialized),
 * `sig = base64(HMAC-SHA256(key, content))`, header entry `v1,<sig>`. During secret rotation
 * every secret still in its grace period signs too, current secret first, entries separated by
 * one space.
 *
 * Receiver (§2.2): case-insensitive header lookup; all three headers required; timestamp must
 * match ^[0-9]{1,12}$ and lie within ±tolerance (300 s, a skew of exactly 300 s passes);
 * signature header split on spaces, each entry split at its first comma, entries whose version
 * is not `v1` are skipped (`v1a`, `v2`, ...); constant-time comparison; any match is valid.
 *
 * Asymmetric `v1a` (core/ed25519.ts): a `whsk_` private key (string or KeyObject) signs a
 * `v1a,<base64 Ed25519 signature>` entry over the same content; verifying with a `whpk_` public
 * key (or a `whsk_` key, whose public half is used) checks the `v1a` entries only and skips `v1`.
 * HMAC and Ed25519 keys may be mixed in one header (a scheme switch with a grace period).
 */
import type { KeyObject } from "node:crypto";
import { createHmac, createPublicKey, randomBytes, timingSafeEqual } from "node:crypto";
import { HookbookError } from "../core/errors.js";
import { ed25519Sign, ed25519Verify, isEd25519KeyObject, isEd25519PublicKey, isEd25519Secret, parseEd25519PublicKey, parseEd25519Secret } from "../core/ed25519.js";

/**
 * A `whsec_...` / plain base64 secret string or the raw HMAC key bytes (`v1`); or an Ed25519 key
 * (`v1a`): a `whsk_...` / `whpk_...` string or a KeyObject (private to sign, public or private to verify).
 */
export type WebhookSecret = string | Uint8Array | KeyObject;

/** Header names (lower case, as the spec writes them). */
export const WEBHOOK_ID_HEADER = "webhook-id";
export const WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp";
export const WEBHOOK_SIGNATURE_HEADER = "webhook-signature";

/** Default receiver tolerance in seconds, both directions. */
export const DEFAULT_TOLERANCE_SEC = 300;

const SECRET_PREFIX = "whsec_";
const BASE64_STD = /^[A-Za-z0-9+/]*={0,2}$/;
const TIMESTAMP_PATTERN = /^[0-9]{1,12}$/;

/**
 * Key bytes of a Standard Webhooks secret: optional `whsec_` prefix, standard base64, missing
 * padding tolerated. Empty, non-base64 or zero-length keys throw HB_ERR_WEBHOOK_SECRET.
 * (The spec wants 24–64 byte keys; shorter/longer keys are accepted for compatibility with the
 * reference libraries' decoding tests — generateWebhookSecret() always makes 32 bytes.)
 */
export function parseWebhookSecret(secret: string): Buffer {
  const raw = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (raw.length === 0) {
    throw new HookbookError("HB_ERR_WEBHOOK_SECRET", "webhook secret is empty");
  }
  const unpadded = raw.replace(/=+$/, "");
  if (!BASE64_STD.test(raw) || unpadded.length % 4 === 1) {
    throw new HookbookError("HB_ERR_WEBHOOK_SECRET", "webhook secret is not standard base64 (expected whsec_<base64>)");
  }
  const key = Buffer.from(unpadded, "base64");
  if (key.length === 0) {
    throw new HookbookError("HB_ERR_WEBHOOK_SECRET", "webhook secret decodes to zero bytes");
  }
  return key;
}

/** A fresh secret: `whsec_` + standard base64 (padded) of 32 random bytes. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

type ParsedKey = { readonly kind: "hmac"; readonly key: Buffer } | { readonly kind: "ed25519"; readonly key: KeyObject };

function keyOf(secret: WebhookSecret): ParsedKey {
  if (typeof secret === "string") {
    if (isEd25519Secret(secret)) return { kind: "ed25519", key: parseEd25519Secret(secret) };
    if (isEd25519PublicKey(secret)) return { kind: "ed25519", key: parseEd25519PublicKey(secret) };
    return { kind: "hmac", key: parseWebhookSecret(secret) };
  }
  if (secret instanceof Uint8Array) {
    if (secret.length === 0) throw new HookbookError("HB_ERR_WEBHOOK_SECRET", "webhook secret is empty");
    return { kind: "hmac", key: Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) };
  }
  if (isEd25519KeyObject(secret, "private") || isEd25519KeyObject(secret, "public")) return { kind: "ed25519", key: secret };
  throw new HookbookError("HB_ERR_WEBHOOK_SECRET", "webhook key object must be an Ed25519 key");
}

function signedContent(msgId: string, timestamp: string, body: Uint8Array): Uint8Array[] {
  return [Buffer.from(`${msgId}.${timestamp}.`, "utf8"), body];
}

/** One header entry: `v1,<HMAC>` or `v1a,<Ed25519 signature>` (a private key is needed for the latter). */
function signatureEntry(k: ParsedKey, msgId: string, timestamp: string, body: Uint8Array): string {
  if (k.kind === "hmac") return `v1,${computeSignature(k.key, msgId, timestamp, body)}`;
  if (k.key.type !== "private") throw new HookbookError("HB_ERR_WEBHOOK_SECRET", "signing with v1a needs the Ed25519 private key (whsk_), not the public key");
  return `v1a,${ed25519Sign(k.key, signedContent(msgId, timestamp, body))}`;
}

function bodyBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === "string" ? Buffer.from(body, "utf8") : body;
}

function computeSignature(key: Buffer, msgId: string, timestamp: string, body: Uint8Array): string {
  return createHmac("sha256", key)
    .update(`${msgId}.${timestamp}.`, "utf8")
    .update(body)
    .digest("base64");
}

function checkTimestamp(timestampSec: number): string {
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0) {
    throw new HookbookError("HB_ERR_INTERNAL", `webhook timestamp must be a non-negative integer, got ${timestampSec}`);
  }
  return String(timestampSec);
}

/**
 * One signature entry `v1,<base64>` (HMAC secret) or `v1a,<base64>` (Ed25519 private key) over
 * `msgId.timestampSec.body` (body as raw bytes; a string body is taken as UTF-8).
 */
export function signPayload(
  secret: WebhookSecret,
  msgId: string,
  timestampSec: number,
  body: Uint8Array | string,
): string {
  return signatureEntry(keyOf(secret), msgId, checkTimestamp(timestampSec), bodyBytes(body));
}

/**
 * The three Standard Webhooks headers for one attempt. `secrets`: the current secret first,
 * then older ones still inside their rotation grace period; each adds one `v1,` entry (HMAC
 * secret) or `v1a,` entry (Ed25519 private key).
 * `msgId` must be non-empty, contain no `.` and no whitespace (it is part of the signed content
 * and a header value).
 */
export function signatureHeaders(
  secrets: readonly WebhookSecret[],
  msgId: string,
  timestampSec: number,
  body: Uint8Array | string,
): Record<string, string> {
  if (secrets.length === 0) {
    throw new HookbookError("HB_ERR_WEBHOOK_SECRET", "no webhook secret to sign with");
  }
  if (msgId.length === 0 || /[.\s]/.test(msgId)) {
    throw new HookbookError("HB_ERR_INTERNAL", `webhook-id must be non-empty without dots or whitespace: ${JSON.stringify(msgId)}`);
  }
  const ts = checkTimestamp(timestampSec);
  const bytes = bodyBytes(body);
  const entries = secrets.map((s) => signatureEntry(keyOf(s), msgId, ts, bytes));
  return {
    [WEBHOOK_ID_HEADER]: msgId,
    [WEBHOOK_TIMESTAMP_HEADER]: ts,
    [WEBHOOK_SIGNATURE_HEADER]: entries.join(" "),
  };
}

/** Headers as node:http gives them, as a plain record, or a fetch `Headers`. */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export type WebhookVerifyFailure =
  | "missing-header"
  | "invalid-timestamp"
  | "timestamp-too-old"
  | "timestamp-too-new"
  | "no-matching-signature";

export type WebhookVerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: WebhookVerifyFailure };

export interface VerifyOptions {
  /** Current unix time in seconds (default: Date.now()). */
  readonly nowSec?: number;
  /** Allowed skew in seconds, both directions (default 300). */
  readonly toleranceSec?: number;
}

function headerValue(headers: WebhookHeaders, name: string, joinWith: string | undefined): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    const v = (headers as { get(n: string): string | null }).get(name);
    return v === null ? undefined : v;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const values: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    if (typeof value === "string") values.push(value);
    else values.push(...value);
  }
  if (values.length === 0) return undefined;
  if (values.length === 1) return values[0];
  // Repeated id/timestamp headers are ambiguous: reject. Repeated signature headers are merged.
  return joinWith === undefined ? undefined : values.join(joinWith);
}

function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}

/**
 * Verify a received webhook and say why it failed. With an HMAC secret the `v1` entries are
 * checked, with an Ed25519 key (`whpk_`, or `whsk_` whose public half is used) the `v1a` ones.
 * Throws HB_ERR_WEBHOOK_SECRET only when the secret itself is unusable (a configuration error,
 * not a bad request).
 */
export function verifyWebhookDetailed(
  secret: WebhookSecret,
  headers: WebhookHeaders,
  body: Uint8Array | string,
  opts: VerifyOptions = {},
): WebhookVerifyResult {
  const key = keyOf(secret);
  const msgId = headerValue(headers, WEBHOOK_ID_HEADER, undefined);
  const timestamp = headerValue(headers, WEBHOOK_TIMESTAMP_HEADER, undefined);
  const signature = headerValue(headers, WEBHOOK_SIGNATURE_HEADER, " ");
  if (!msgId || timestamp === undefined || !signature) return { ok: false, reason: "missing-header" };
  if (!TIMESTAMP_PATTERN.test(timestamp)) return { ok: false, reason: "invalid-timestamp" };

  const ts = Number(timestamp);
  const now = Math.floor(opts.nowSec ?? Date.now() / 1000);
  const tolerance = opts.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  if (now - ts > tolerance) return { ok: false, reason: "timestamp-too-old" };
  if (ts - now > tolerance) return { ok: false, reason: "timestamp-too-new" };

  const version = key.kind === "hmac" ? "v1" : "v1a";
  const expected = key.kind === "hmac" ? computeSignature(key.key, msgId, timestamp, bodyBytes(body)) : undefined;
  const publicKey = key.kind === "ed25519" ? (key.key.type === "private" ? createPublicKey(key.key) : key.key) : undefined;
  const content = signedContent(msgId, timestamp, bodyBytes(body));
  let matched = false;
  for (const entry of signature.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== version) continue;
    const given = entry.slice(comma + 1);
    // No early exit: every entry is checked, so timing does not reveal which one matched.
    if (expected !== undefined ? constantTimeEqual(given, expected) : publicKey !== undefined && ed25519Verify(publicKey, content, given)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: "no-matching-signature" };
}

/**
 * True when the request carries a valid, fresh Standard Webhooks signature by `secret`;
 * false for any missing header, malformed or stale timestamp, or signature mismatch.
 * Throws HB_ERR_WEBHOOK_SECRET when the secret is unusable.
 */
export function verifyWebhook(
  secret: WebhookSecret,
  headers: WebhookHeaders,
  body: Uint8Array | string,
  opts: VerifyOptions = {},
): boolean {
  return verifyWebhookDetailed(secret, headers, body, opts).ok;
}
