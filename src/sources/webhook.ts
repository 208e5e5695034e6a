/**
 * Generic JSON webhook, shaped exactly like ansible-rulebook's `ansible.eda.webhook` source:
 * one event per request, `data = { payload: <parsed body>, meta: { endpoint, headers } }` with
 * the Authorization header removed from `meta.headers` (eda-rulebook-semantics.md §5.2, §5.4).
 *
 * Differences from ansible, on purpose:
 *  - The body must be a JSON object or array. ansible accepts any JSON value, but a bare
 *    string/number/null body is a misconfigured sender and no `event.payload.<x>` can match it,
 *    so it is refused (HB_ERR_INVALID_PAYLOAD) instead of stored.
 *  - Object keys named `__proto__` are dropped while parsing (prototype-pollution guard).
 *
 * dedupKey: the sender's delivery id when a well-known, retry-stable header is present
 * (`webhook:<source>:<header>:<value>`), else `webhook:<source>:sha256:<hex of the body>`.
 * Request-id style headers (x-request-id, x-correlation-id) are deliberately ignored: proxies
 * and clients mint a new one per attempt, so they would defeat dedup of retries. Consequence
 * of the body-hash fallback: a sender without a delivery id that posts the very same bytes
 * twice inside the stream's duplicate window gets the second one deduplicated; such senders
 * should add a unique field or an `Idempotency-Key` / `webhook-id` header.
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { HookbookError } from "../core/errors.js";
import { isUtf8 } from "node:buffer";
import { sha256Hex } from "../core/ids.js";
import { rememberJsonSource } from "../core/json.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";
import { headerValue } from "./types.js";

export const WEBHOOK_EVENT_TYPE = "webhook.received";

/** Delivery-id headers that stay the same when the sender retries, in lookup order. */
export const DELIVERY_ID_HEADERS: readonly string[] = [
  "webhook-id", // Standard Webhooks (also GitLab signing tokens)
  "svix-id", // Svix, the Standard Webhooks reference sender
  "x-github-delivery",
  "x-gitea-delivery",
  "x-gogs-delivery",
  "idempotency-key", // GitLab, IETF draft-ietf-httpapi-idempotency-key-header
  "x-gitlab-event-uuid",
];

/** Longest delivery id taken as is; longer values are hashed into the key. */
const MAX_DELIVERY_ID = 200;

/**
 * Deepest array/object nesting accepted. JSON.parse copes with any depth, but everything after it
 * that recurses (JSON.stringify when the event is stored, rule evaluation) overflows the stack at
 * a few thousand levels; no producer nests anywhere near this.
 */
export const MAX_JSON_DEPTH = 256;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** True when the JSON text nests arrays/objects deeper than `max` (strings skipped; bytes, so UTF-8 safe). */
export function jsonNestedDeeperThan(body: Uint8Array, max: number): boolean {
  if (body.length <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * JSON.parse that maps a syntax error to HB_ERR_INVALID_JSON, refuses nesting deeper than
 * MAX_JSON_DEPTH (HB_ERR_INVALID_PAYLOAD) and drops `__proto__` keys.
 */
export function parseJsonBody(body: Buffer): unknown {
  if (jsonNestedDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new HookbookError("HB_ERR_INVALID_PAYLOAD", `body nests arrays/objects deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const text = body.toString("utf8");
  try {
    // The reviver is slower, so only take it when the key could be present (also \u-escaped).
    const suspicious = text.includes("__proto__") || text.includes("\\u");
    if (suspicious) return JSON.parse(text, dropProtoKeys);
    const value: unknown = JSON.parse(text);
    // Stored as it came: the envelope encoder copies these bytes instead of serializing the value again.
    if (typeof value === "object" && value !== null && isUtf8(body)) rememberJsonSource(value, body);
    return value;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new HookbookError("HB_ERR_INVALID_JSON", `body is not valid JSON: ${detail}`, { cause: err });
  }
}

function dropProtoKeys(key: string, value: unknown): unknown {
  return key === "__proto__" ? undefined : value;
}

/** The headers rulebooks see as `meta.headers`: everything except Authorization (any case). */
export function metaHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== "authorization") out[name] = value;
  }
  return out;
}

/** `webhook:<source>:<header>:<id>` from the first delivery-id header present, else undefined. */
export function deliveryDedupKey(source: string, headers: Readonly<Record<string, string>>): string | undefined {
  for (const name of DELIVERY_ID_HEADERS) {
    const value = headerValue(headers, name)?.trim();
    if (value === undefined || value === "") continue;
    const id = value.length > MAX_DELIVERY_ID ? `sha256:${sha256Hex(value)}` : value;
    return `webhook:${source}:${name}:${id}`;
  }
  return undefined;
}

function normalize(req: NormalizeRequest): NormalizedEvent[] {
  const payload = parseJsonBody(req.body);
  if (payload === null || typeof payload !== "object") {
    throw new HookbookError("HB_ERR_INVALID_PAYLOAD", "webhook body must be a JSON object or array");
  }
  const dedupKey =
    deliveryDedupKey(req.endpoint, req.headers) ?? `webhook:${req.endpoint}:sha256:${sha256Hex(req.body)}`;
  return [
    {
      type: WEBHOOK_EVENT_TYPE,
      dedupKey,
      data: { payload, meta: { endpoint: req.endpoint, headers: metaHeaders(req.headers) } },
    },
  ];
}

export const webhookSource: SourceKindHandler = {
  kind: "webhook",
  contentTypes: ["application/json", "application/*+json"],
  normalize,
};
