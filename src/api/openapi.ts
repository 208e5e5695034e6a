/** OpenAPI 3.1 description of the admin API (served at GET /api/openapi.json). */

const error = { $ref: "#/components/responses/Error" };
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" } };
const json = (schema: object): object => ({ content: { "application/json": { schema } } });
const ref = (name: string): object => ({ $ref: `#/components/schemas/${name}` });

function op(summary: string, ok: string, okSchema: object | undefined, extra: object = {}): object {
  return {
    summary,
    responses: { [ok]: okSchema === undefined ? { description: "done" } : { description: "ok", ...json(okSchema) }, "4XX": error, "5XX": error },
    ...extra,
  };
}

/** GET …/secret and rotate-secret answers: `secret` is what receivers verify with (ed25519: the public key, also as `public_key`). */
function signingKeyView(extra: "previous" | "previous_expires_at"): object {
  return {
    type: "object",
    required: ["secret"],
    properties: {
      secret: { type: "string", description: "whsec_… (HMAC schemes) or, for signing ed25519, the PUBLIC key whpk_<base64 of 32 bytes>" },
      public_key: { type: "string", description: "signing ed25519 only: whpk_<base64 of the raw 32-byte Ed25519 public key>" },
      ...(extra === "previous"
        ? { previous: { type: "array", items: { type: "object", properties: { expires_at: { type: "string", format: "date-time" } } } } }
        : { previous_expires_at: { type: "string", format: "date-time" } }),
    },
  };
}

const subscriptionInput = {
  type: "object",
  additionalProperties: false,
  required: ["url", "events"],
  properties: {
    url: { type: "string", format: "uri" },
    events: { type: "array", items: { type: "string" }, description: "type patterns: action.*, rule.fired, *" },
    secret: {
      type: "string",
      description: "whsec_<base64 of 24–64 bytes> (signing ed25519: the Ed25519 private key whsk_<base64 of the 32-byte seed>); generated when absent",
    },
    description: { type: "string" },
    headers: { type: "object", additionalProperties: { type: "string" } },
    auth: {
      oneOf: [
        { type: "object", required: ["type", "header", "value"], properties: { type: { const: "api_key" }, header: { type: "string" }, value: { type: "string" } } },
        {
          type: "object",
          required: ["type", "token_url", "client_id", "client_secret"],
          properties: {
            type: { const: "oauth2" },
            token_url: { type: "string" },
            client_id: { type: "string" },
            client_secret: { type: "string" },
            scope: { type: "string" },
            auth_method: { enum: ["client_secret_basic", "client_secret_post"] },
          },
        },
      ],
    },
    tls: {
      type: ["object", "null"],
      additionalProperties: false,
      description:
        "client certificate presented to the endpoint (mTLS): cert_pem and key_pem together, ca_pem with them or alone (trust only); write-only; https:// urls only; null clears it on PATCH",
      properties: {
        cert_pem: { type: "string", description: "PEM client certificate (optionally followed by intermediates); must not have expired" },
        key_pem: { type: "string", description: "PEM private key (unencrypted) belonging to cert_pem; never returned" },
        ca_pem: { type: "string", description: "PEM CA bundle trusted for the endpoint's server certificate, on top of the system's" },
      },
    },
    filter: { type: "object", description: "payload filter: $eq $neq $gt $gte $lt $lte $in $nin $exist $regex $and $or" },
    signing: {
      enum: ["standard", "hmac-sha256-hex", "ed25519"],
      description: "standard = Standard Webhooks HMAC (v1); ed25519 = Standard Webhooks asymmetric (v1a); hmac-sha256-hex = GitHub-style X-Webhook-Signature",
    },
    timeout_ms: { type: "integer", minimum: 100, maximum: 30000 },
    max_in_flight: { type: "integer", minimum: 1, maximum: 64 },
    rate_limit: {
      type: ["object", "null"],
      additionalProperties: false,
      required: ["requests"],
      description: "at most `requests` attempts per `period_ms` (token bucket; throttled messages wait, not counted as attempts); null clears it on PATCH",
      properties: {
        requests: { type: "integer", minimum: 1, maximum: 1_000_000 },
        period_ms: { type: "integer", minimum: 1000, maximum: 3_600_000, default: 1000 },
      },
    },
    transform: {
      oneOf: [{ $ref: "#/components/schemas/Transform" }, { type: "null" }],
      description: "payload transformation (Jinja templates rendered against the outcome); null clears it on PATCH",
    },
    delivery_mode: {
      enum: ["at_least_once", "at_most_once", null],
      default: "at_least_once",
      description:
        "at_least_once: every failure is retried; at_most_once: only attempts that never reached the receiver (dns, connect, tls, ssrf, proxy, oauth2) are retried, anything else is dead-lettered `at_most_once`; null = default on PATCH",
    },
  },
};

/** `Idempotency-Key` on the creating POSTs (outbound/idempotency.ts). */
const idempotencyKey = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "same key + route + body within 12 h → the first (2xx) answer again, header Idempotent-Replayed: true, nothing runs twice; another body → 409 HB_ERR_IDEMPOTENCY_KEY_REUSED; while the first call runs → 409 HB_ERR_IDEMPOTENCY_IN_PROGRESS with Retry-After",
  schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
};

const transformSchema = {
  type: "object",
  additionalProperties: false,
  required: ["body"],
  description:
    "body: a JSON value whose strings may be Jinja templates, rendered against the outcome (variables id, type, timestamp, data, event; StrictUndefined); a template that is only `{{ expr }}` keeps the value's type. headers: {name: template} rendered to text. Rendered body at most 256 KiB.",
  properties: {
    body: { description: "any JSON value; strings with {{ }}, {% %} or {# #} are templates" },
    headers: { type: "object", maxProperties: 20, additionalProperties: { type: "string", maxLength: 16384 } },
    content_type: { type: "string", default: "application/json", description: "a body rendering to a string is sent as that text when this is not JSON" },
  },
};

export function openApiDocument(): object {
  const id = { parameters: [idParam] };
  return {
    openapi: "3.1.0",
    info: { title: "hookbook admin API", version: "0.1.0" },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      responses: { Error: { description: "error", ...json({ type: "object", properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } } } }) } },
      schemas: {
        SubscriptionInput: subscriptionInput,
        Transform: transformSchema,
        TransformPreview: {
          type: "object",
          required: ["ok", "transformed"],
          description: "ok: the rendered request (body exactly as it would be sent); not ok: the rendering error with the template's path",
          properties: {
            ok: { type: "boolean" },
            transformed: { type: "boolean", description: "false when the endpoint has no transform (the outcome is sent as is)" },
            content_type: { type: "string" },
            headers: { type: "object", additionalProperties: { type: "string" } },
            body: { type: "string" },
            size_bytes: { type: "integer" },
            error: { type: "object", properties: { code: { type: "string" }, path: { type: "string" }, message: { type: "string" } } },
          },
        },
        Endpoint: {
          type: "object",
          description: "an endpoint; secrets and auth credentials redacted",
          properties: {
            rate_limit: {
              type: ["object", "null"],
              properties: { requests: { type: "integer" }, period_ms: { type: "integer" } },
            },
            breaker: ref("Breaker"),
            transform: { oneOf: [ref("Transform"), { type: "null" }] },
            delivery_mode: { enum: ["at_least_once", "at_most_once"] },
            tls: {
              type: ["object", "null"],
              description: "the client certificate the endpoint presents (never its key)",
              properties: {
                subject: { type: ["string", "null"] },
                issuer: { type: ["string", "null"] },
                not_after: { type: ["string", "null"], format: "date-time" },
                fingerprint256: { type: ["string", "null"] },
                ca: { type: "boolean", description: "a CA bundle is trusted for the endpoint's server certificate" },
              },
            },
          },
        },
        Attempt: { type: "object", description: "one delivery attempt (time, status, latency, response excerpt, error)" },
        DeadLetter: {
          type: "object",
          description: "a dead-lettered message: outcome, last attempt, reason",
          properties: {
            reason: { enum: ["exhausted", "gone", "receiver_disabled", "aborted", "endpoint_disabled", "endpoint_deleted", "invalid_message", "transform_failed", "at_most_once"] },
            error: { type: "string", description: "transform_failed: the rendering error, naming the template's path" },
            transformed: {
              type: "object",
              description: "the body is the endpoint's transform of the outcome (sent again as is by replay), with its content type and rendered headers",
              properties: { content_type: { type: "string" }, headers: { type: "object", additionalProperties: { type: "string" } } },
            },
          },
        },
        Breaker: {
          type: "object",
          description: "circuit breaker of an endpoint: open = no attempts until retry_at; half_open = one attempt at a time",
          required: ["state", "consecutive_failures"],
          properties: {
            state: { enum: ["closed", "open", "half_open"] },
            opened_at: { type: "string", format: "date-time", description: "while open or half-open" },
            retry_at: { type: "string", format: "date-time", description: "while open: when it half-opens" },
            consecutive_failures: { type: "integer" },
          },
        },
      },
    },
    paths: {
      "/api/webhooks": {
        get: op("List endpoints (config endpoints are read-only)", "200", { type: "object", properties: { data: { type: "array", items: ref("Endpoint") } } }),
        post: op("Create a subscription; the answer adds `secret` (signing ed25519: the public key whpk_, also as `public_key`)", "201", ref("Endpoint"), { parameters: [idempotencyKey], requestBody: { required: true, ...json(ref("SubscriptionInput")) } }),
      },
      "/api/webhooks/{id}": {
        ...id,
        get: op("Get an endpoint", "200", ref("Endpoint")),
        patch: op("Update a subscription (null clears a field)", "200", ref("Endpoint"), { requestBody: json({ type: "object" }) }),
        delete: op("Delete a subscription; queued messages are dead-lettered", "204", undefined),
      },
      "/api/webhooks/{id}/enable": { ...id, post: op("Enable", "200", ref("Endpoint")) },
      "/api/webhooks/{id}/disable": { ...id, post: op("Disable; queued messages are dead-lettered", "200", ref("Endpoint")) },
      "/api/webhooks/{id}/secret": { ...id, get: op("What receivers verify with: the signing secret, or for ed25519 the public key (whpk_; never the private key)", "200", signingKeyView("previous")) },
      "/api/webhooks/{id}/rotate-secret": {
        ...id,
        post: op("Rotate the secret (ed25519: a new key pair); the old one keeps signing for the grace period (default 24 h, max 7 d)", "200", signingKeyView("previous_expires_at"), {
          parameters: [idempotencyKey],
          requestBody: json({ type: "object", properties: { secret: { type: "string" }, grace_period_seconds: { type: "integer" } } }),
        }),
      },
      "/api/webhooks/{id}/replay": {
        ...id,
        post: op("Resend one message, same webhook-id", "202", { type: "object" }, { parameters: [idempotencyKey], requestBody: json({ type: "object", required: ["message_id"], properties: { message_id: { type: "string" } } }) }),
      },
      "/api/webhooks/{id}/recover": {
        ...id,
        post: op("Resend every dead letter in [since, until] (≤ 14 days)", "202", { type: "object" }, {
          parameters: [idempotencyKey],
          requestBody: json({ type: "object", required: ["since"], properties: { since: { type: "string", format: "date-time" }, until: { type: "string", format: "date-time" } } }),
        }),
      },
      "/api/webhooks/{id}/attempts": { ...id, get: op("Newest attempts (?limit=1..1000)", "200", { type: "object", properties: { data: { type: "array", items: ref("Attempt") } } }) },
      "/api/webhooks/{id}/dead-letters": { ...id, get: op("Newest dead letters (?limit=1..1000)", "200", { type: "object", properties: { data: { type: "array", items: ref("DeadLetter") } } }) },
      "/api/webhooks/{id}/stats": {
        ...id,
        get: op("Success rate, p50/p95 latency, failures in 24 h, last success, queue, circuit breaker", "200", { type: "object", properties: { breaker: ref("Breaker") } }),
      },
      "/api/webhooks/{id}/test": { ...id, post: op("Send a signed webhook.test event (through the endpoint's transform) and return the receiver's answer", "200", { type: "object" }) },
      "/api/webhooks/{id}/transform/preview": {
        ...id,
        post: op("Render the endpoint's transform (or `transform` given here) against `outcome` (default: a sample webhook.test event); nothing is sent", "200", ref("TransformPreview"), {
          requestBody: json({
            type: "object",
            additionalProperties: false,
            properties: {
              outcome: { type: "object", required: ["type", "data"], properties: { id: { type: "string" }, type: { type: "string" }, timestamp: { type: "string" }, data: { type: "object" } } },
              transform: ref("Transform"),
            },
          }),
        }),
      },
    },
  };
}
