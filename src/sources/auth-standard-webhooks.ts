/**
 * Standard Webhooks receiver (webhooks.md §2.2), also GitLab's signing token (sources.md §4):
 * headers `webhook-id`, `webhook-timestamp`, `webhook-signature` (or Svix's `svix-*` aliases);
 * key = base64 of the secret after an optional `whsec_`; signature = base64(HMAC-SHA256(key,
 * `<id>.<timestamp>.<raw body>`)); the header may carry several space-separated `v1,<sig>`
 * entries (key rotation) and entries of other versions (`v1a`, `v2`) are skipped. Timestamp
 * must be Unix seconds within ±toleranceSec of now.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { StandardWebhooksAuthConfig } from "../config/types.js";
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
