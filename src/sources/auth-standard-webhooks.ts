/**
 * Standard Webhooks receiver (webhooks.md §2.2), also GitLab's signing token (sources.md §4):
 * headers `webhook-id`, `webhook-timestamp`, `webhook-signature` (or Svix's `svix-*` aliases);
 * key = base64 of the secret after an optional `whsec_`; signature = base64(HMAC-SHA256(key,
 * `<id>.<timestamp>.<raw body>`)); the header may carry several space-separated `v1,<sig>`
 * entries (key rotation) and entries of other versions are skipped. With a `whpk_` secret (the
 * sender's Ed25519 public key: base64 of the raw 32 bytes) the asymmetric scheme is checked
 * instead: `v1a,<base64 Ed25519 signature of the same content>` entries. Timestamp must be Unix
 * seconds within ±toleranceSec of now.
 */
import type { KeyObject } from "node:crypto";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { StandardWebhooksAuthConfig } from "../config/types.js";
import { ed25519Verify, isEd25519PublicKey, parseEd25519PublicKey } from "../core/ed25519.js";
import { HookbookError } from "../core/errors.js";
import type { AuthContext, AuthRequest } from "./auth-context.js";
import { checkedTimestamp } from "./auth-hmac.js";
import { headerValue } from "./types.js";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The HMAC key of a `whsec_…` secret; HB_ERR_CONFIG_INVALID when it is empty or not base64. */
export function standardWebhooksKey(secret: string): Buffer {
  const encoded = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  if (encoded === "" || !BASE64.test(encoded)) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", "standard-webhooks secret must be whsec_ followed by base64");
  }
  const key = Buffer.from(encoded, "base64");
  if (key.length === 0) throw new HookbookError("HB_ERR_CONFIG_INVALID", "standard-webhooks secret decodes to an empty key");
  return key;
}

/** The Ed25519 public key of a `whpk_…` secret; HB_ERR_CONFIG_INVALID when it is not one. */
export function standardWebhooksPublicKey(secret: string): KeyObject {
  try {
    return parseEd25519PublicKey(secret);
  } catch (err) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `standard-webhooks public key: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function header(req: AuthRequest, name: string): string | undefined {
  const value = headerValue(req.headers, `webhook-${name}`) ?? headerValue(req.headers, `svix-${name}`);
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

export function verifyStandardWebhooks(auth: StandardWebhooksAuthConfig, req: AuthRequest, ctx: AuthContext): void {
  const id = header(req, "id");
  const signatures = header(req, "signature");
  if (id === undefined) throw new HookbookError("HB_ERR_SIGNATURE_MISSING", "webhook-id header not found");
  if (signatures === undefined) throw new HookbookError("HB_ERR_SIGNATURE_MISSING", "webhook-signature header not found");
  const timestamp = checkedTimestamp(header(req, "timestamp"), "webhook-timestamp", auth.toleranceSec, ctx);
  if (isEd25519PublicKey(auth.secret)) {
    verifyEd25519(auth.secret, id, timestamp, signatures, req.body);
    return;
  }
  let key: Buffer;
  try {
    key = standardWebhooksKey(auth.secret);
  } catch {
    throw new HookbookError("HB_ERR_AUTH_INVALID", "no usable standard-webhooks secret configured for this source");
  }
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`, "utf8").update(req.body).digest();
  let matched = false;
  for (const entry of signatures.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
    const encoded = entry.slice(comma + 1);
    if (!BASE64.test(encoded)) continue;
    const presented = Buffer.from(encoded, "base64");
    // Check every entry (no early exit) so timing does not tell which one matched.
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) matched = true;
  }
  if (!matched) throw new HookbookError("HB_ERR_AUTH_INVALID", "no webhook-signature entry matches the body");
}

/** `v1a` entries checked against the sender's public key; any valid one is enough. */
function verifyEd25519(secret: string, id: string, timestamp: number | string, signatures: string, body: Buffer): void {
  let key: KeyObject;
  try {
    key = standardWebhooksPublicKey(secret);
  } catch {
    throw new HookbookError("HB_ERR_AUTH_INVALID", "no usable standard-webhooks public key configured for this source");
  }
  const content = [Buffer.from(`${id}.${timestamp}.`, "utf8"), body];
  let matched = false;
  for (const entry of signatures.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1a") continue;
    // Check every entry (no early exit), as for v1.
    if (ed25519Verify(key, content, entry.slice(comma + 1))) matched = true;
  }
  if (!matched) throw new HookbookError("HB_ERR_AUTH_INVALID", "no webhook-signature v1a entry matches the body");
}
