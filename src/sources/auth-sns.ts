/**
 * AWS SNS HTTPS message signature (sources.md §5.3), checked on the raw body before the `sns`
 * kind normalizes it:
 *
 *  1. `SigningCertURL` must be `https:` on a host matching `certHostPattern` (default
 *     `^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$`), no port or user info, path ending in
 *     `.pem` — refused (HB_ERR_AUTH_INVALID) before anything is fetched;
 *  2. `TopicArn` must be in `topicArnAllowlist` (when given) and `Timestamp` no older than
 *     `toleranceSec` (default 3600) nor more than `futureSkewSec` (default 300) ahead;
 *  3. the string to sign is `<Key>\n<Value>\n` for each present key, in AWS's order —
 *     Notification: Message, MessageId, Subject, Timestamp, TopicArn, Type; the two confirmation
 *     types: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type;
 *  4. `Signature` (base64) is verified with the certificate's RSA key, PKCS#1 v1.5 with SHA-1
 *     for SignatureVersion "1" and SHA-256 for "2"; the certificate must be inside its validity
 *     period.
 *
 * Certificates are fetched with `ctx.fetchText` and cached by URL (per fetchText function, at
 * most CERT_CACHE_MAX entries). `opts.certPem` replaces the fetch (tests, air-gapped setups); the
 * URL checks still apply. Codes: HB_ERR_AUTH_MISSING (not a signed SNS message: no Signature /
 * SigningCertURL, e.g. raw message delivery), HB_ERR_AUTH_INVALID (everything else, including a
 * certificate URL its host answers with a 4xx: the URL is the sender's claim), HB_ERR_INTERNAL
 * when the certificate cannot be fetched (network, 5xx: transient, the sender retries).
 */
import { X509Certificate, createVerify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { HookbookError } from "../core/errors.js";
import type { Json } from "./normalize-util.js";
import { isObject } from "./normalize-util.js";

export const SNS_CERT_HOST_PATTERN = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;
export const SNS_DEFAULT_TOLERANCE_SEC = 3600;
const DEFAULT_FUTURE_SKEW_SEC = 300;
/** Distinct certificate URLs kept per fetcher (SNS rotates its certificate rarely). */
export const CERT_CACHE_MAX = 16;

export interface SnsVerifyOptions {
  /** Accepted TopicArns; absent or empty = any topic. */
  readonly topicArnAllowlist?: readonly string[];
  /** Host pattern for SigningCertURL; a string is compiled and anchored (`^(?:…)$`). */
  readonly certHostPattern?: RegExp | string;
  /** The signing certificate (PEM) instead of fetching SigningCertURL. */
  readonly certPem?: string;
  /** Oldest accepted Timestamp, seconds before now (default 3600). */
  readonly toleranceSec?: number;
  /** Newest accepted Timestamp, seconds after now (default 300). */
  readonly futureSkewSec?: number;
}

export interface SnsVerifyContext {
  nowMs(): number;
  fetchText(url: string): Promise<string>;
}

const NOTIFICATION_KEYS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"] as const;
const CONFIRMATION_KEYS = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"] as const;

interface CachedCert {
  readonly key: KeyObject;
  readonly validFromMs: number;
  readonly validToMs: number;
}

const certCaches = new WeakMap<SnsVerifyContext["fetchText"], Map<string, Promise<CachedCert>>>();

function invalid(message: string): HookbookError {
  return new HookbookError("HB_ERR_AUTH_INVALID", `SNS signature: ${message}`);
}

/** The exact string SNS signs for this message (throws HB_ERR_AUTH_INVALID on a non-string field). */
export function snsStringToSign(msg: Readonly<Record<string, unknown>>): string {
  const keys = msg.Type === "Notification" ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  let out = "";
  for (const key of keys) {
    const value = msg[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") throw invalid(`${key} must be a string`);
    out += `${key}\n${value}\n`;
  }
  return out;
}

function hostPattern(pattern: RegExp | string | undefined): RegExp {
  if (pattern === undefined) return SNS_CERT_HOST_PATTERN;
  if (typeof pattern !== "string") return pattern;
  return new RegExp(`^(?:${pattern})$`);
}

/** Throws HB_ERR_AUTH_INVALID unless the URL is an acceptable SNS signing-certificate URL. */
export function checkSigningCertUrl(value: string, pattern?: RegExp | string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid("SigningCertURL is not a URL");
  }
  if (url.protocol !== "https:") throw invalid("SigningCertURL must be https");
  if (url.username !== "" || url.password !== "" || url.port !== "") throw invalid("SigningCertURL must not carry credentials or a port");
  if (!hostPattern(pattern).test(url.hostname)) throw invalid(`SigningCertURL host ${url.hostname} is not an SNS host`);
  if (!url.pathname.endsWith(".pem") || url.search !== "" || url.hash !== "") throw invalid("SigningCertURL must name a .pem file");
  return url;
}

function parseCert(pem: string): CachedCert {
  try {
    const cert = new X509Certificate(pem);
    const key = cert.publicKey;
    if (key.asymmetricKeyType !== "rsa") throw new Error("not an RSA key");
    return { key, validFromMs: Date.parse(cert.validFrom), validToMs: Date.parse(cert.validTo) };
  } catch (err) {
    throw new HookbookError("HB_ERR_AUTH_INVALID", "SNS signature: the signing certificate is not a usable RSA certificate", { cause: err });
  }
}

function loadCert(url: string, ctx: SnsVerifyContext): Promise<CachedCert> {
  let cache = certCaches.get(ctx.fetchText);
  if (cache === undefined) {
    cache = new Map();
    certCaches.set(ctx.fetchText, cache);
  }
  const hit = cache.get(url);
  if (hit !== undefined) return hit;
  const pending = ctx.fetchText(url).then(
    (pem) => parseCert(pem),
    (err: unknown) => {
      const status = err !== null && typeof err === "object" ? (err as { status?: unknown }).status : undefined;
      // The URL comes from the message: a 4xx means there is no such certificate, so the message
      // is not authentic (a forged path must not produce 5xx answers and error logs).
      if (typeof status === "number" && status >= 400 && status < 500) {
        throw new HookbookError("HB_ERR_AUTH_INVALID", `SNS signature: no signing certificate at ${url} (${status})`, { cause: err });
      }
      throw new HookbookError("HB_ERR_INTERNAL", `cannot fetch the SNS signing certificate ${url}`, { cause: err });
    },
  );
  if (cache.size >= CERT_CACHE_MAX) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(url, pending);
  const owner = cache;
  // A failed fetch or a bad certificate is not cached: the next message tries again.
  pending.catch(() => {
    if (owner.get(url) === pending) owner.delete(url);
  });
  return pending;
}

function parse(body: Buffer): Json {
  let msg: unknown;
  try {
    msg = JSON.parse(body.toString("utf8"));
  } catch {
    throw new HookbookError("HB_ERR_AUTH_MISSING", "not a signed SNS message (body is not JSON)");
  }
  if (!isObject(msg)) throw new HookbookError("HB_ERR_AUTH_MISSING", "not a signed SNS message (body is not a JSON object)");
  return msg;
}

/** Verifies an SNS HTTPS message (see the file comment); resolves when it is authentic. */
export async function verifySnsRequest(body: Buffer, opts: SnsVerifyOptions, ctx: SnsVerifyContext): Promise<void> {
  const msg = parse(body);
  const { Signature: signature, SigningCertURL: certUrl, SignatureVersion: version } = msg;
  if (typeof signature !== "string" || signature === "" || typeof certUrl !== "string" || certUrl === "") {
    throw new HookbookError("HB_ERR_AUTH_MISSING", "not a signed SNS message (Signature / SigningCertURL missing)");
  }
  if (msg.Type !== "Notification" && msg.Type !== "SubscriptionConfirmation" && msg.Type !== "UnsubscribeConfirmation") {
    throw invalid("unknown message Type");
  }
  const algorithm = version === "1" ? "RSA-SHA1" : version === "2" ? "RSA-SHA256" : undefined;
  if (algorithm === undefined) throw invalid("SignatureVersion must be 1 or 2");
  checkSigningCertUrl(certUrl, opts.certHostPattern);

  const allow = opts.topicArnAllowlist;
  if (allow !== undefined && allow.length > 0 && (typeof msg.TopicArn !== "string" || !allow.includes(msg.TopicArn))) {
    throw invalid("TopicArn is not in the allowlist");
  }
  const sentMs = typeof msg.Timestamp === "string" ? Date.parse(msg.Timestamp) : Number.NaN;
  if (Number.isNaN(sentMs)) throw invalid("Timestamp missing or not a time");
  const now = ctx.nowMs();
  if (now - sentMs > (opts.toleranceSec ?? SNS_DEFAULT_TOLERANCE_SEC) * 1000) throw invalid("message Timestamp is too old");
  if (sentMs - now > (opts.futureSkewSec ?? DEFAULT_FUTURE_SKEW_SEC) * 1000) throw invalid("message Timestamp is in the future");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) throw invalid("Signature is not base64");

  const stringToSign = snsStringToSign(msg);
  const cert = opts.certPem !== undefined ? parseCert(opts.certPem) : await loadCert(certUrl, ctx);
  if (now < cert.validFromMs || now > cert.validToMs) throw invalid("the signing certificate is not valid now");
  const ok = createVerify(algorithm).update(stringToSign, "utf8").verify(cert.key, Buffer.from(signature, "base64"));
  if (!ok) throw invalid("signature does not match the message");
}
