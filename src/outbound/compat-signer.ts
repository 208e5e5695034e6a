/**
 * The compatibility signature scheme (`signing: "hmac-sha256-hex"`), for receivers written for
 * GitHub-style webhooks:
 *
 *   X-Webhook-Id:        msg_<outcome id>      (same on every retry: deduplicate on it)
 *   X-Webhook-Timestamp: <unix seconds>        (informational: NOT covered by the signature)
 *   X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body>[,sha256=<hex>…]
 *
 * The HMAC key is the secret string exactly as shown (UTF-8 bytes, `whsec_` prefix included),
 * the way GitHub receivers use theirs. During a secret rotation every secret still in its grace
 * period adds one `sha256=` entry, current first, comma-separated: a receiver accepts any match.
 * Weaker than Standard Webhooks: the timestamp and id are not signed, so a captured request can
 * be replayed; receivers must deduplicate on X-Webhook-Id.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const COMPAT_ID_HEADER = "x-webhook-id";
export const COMPAT_TIMESTAMP_HEADER = "x-webhook-timestamp";
export const COMPAT_SIGNATURE_HEADER = "x-webhook-signature";

/** `sha256=<hex>` of `body` keyed with the secret string's UTF-8 bytes. */
export function compatSignature(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac("sha256", Buffer.from(secret, "utf8")).update(body).digest("hex")}`;
}

/** The three X-Webhook-* headers for one attempt; `secrets`: current first, then old ones in grace. */
export function compatSignatureHeaders(
  secrets: readonly string[],
  msgId: string,
  timestampSec: number,
  body: Uint8Array | string,
): Record<string, string> {
  return {
    [COMPAT_ID_HEADER]: msgId,
    [COMPAT_TIMESTAMP_HEADER]: String(timestampSec),
    [COMPAT_SIGNATURE_HEADER]: secrets.map((s) => compatSignature(s, body)).join(","),
  };
}

/** True when any `sha256=` entry of the header matches `body` under `secret` (constant-time per entry). */
export function verifyCompatSignature(secret: string, header: string | undefined | null, body: Uint8Array | string): boolean {
  if (!header) return false;
  const expected = Buffer.from(compatSignature(secret, body), "utf8");
  let ok = false;
  for (const entry of header.split(",")) {
    const given = Buffer.from(entry.trim(), "utf8");
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}
