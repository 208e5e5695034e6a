/** JSON Schema of the config file (YAML or JSON). Documented key by key in docs/configuration.md. */
import { SERVE_ROLES, SOURCE_KINDS } from "./types.js";

const secretRef = {
  oneOf: [
    { type: "string", minLength: 1 },
    { type: "object", additionalProperties: false, required: ["env"], properties: { env: { type: "string", minLength: 1 } } },
    { type: "object", additionalProperties: false, required: ["file"], properties: { file: { type: "string", minLength: 1 } } },
  ],
};

const tolerance = { type: "integer", minimum: 1, maximum: 86_400 };
const headerName = { type: "string", pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" };
const obj = (type: string, required: readonly string[], properties: Record<string, unknown>) => ({
  type: "object",
  additionalProperties: false,
  required: ["type", ...required],
  properties: { type: { const: type }, ...properties },
});

/** One auth check; `sources[].auth` is one of these or a non-empty list (all must pass). */
const authCheck = {
  oneOf: [
    obj("none", [], {}),
    obj("bearer", ["token"], { token: secretRef }),
    obj("basic", ["username", "password"], { username: { type: "string", minLength: 1 }, password: secretRef }),
    obj("hmac", ["secret"], {
      secret: secretRef,
      header: headerName,
      algorithm: { enum: ["sha256", "sha512", "sha1"] },
      encoding: { enum: ["hex", "base64"] },
      prefix: { type: "string" },
      timestampHeader: headerName,
      signedContent: { type: "string", pattern: "\\{body\\}" },
      toleranceSec: tolerance,
      formPayload: { type: "boolean" },
    }),
    obj("standard-webhooks", ["secret"], { secret: secretRef, toleranceSec: tolerance }),
    obj("gitlab-token", ["token"], { token: secretRef }),
    obj("api-key", ["key"], { header: headerName, key: secretRef }),
    obj("mtls", [], { subjects: { type: "array", items: { type: "string", minLength: 1 } } }),
    obj("sns", [], {
      topicArnAllowlist: { type: "array", items: { type: "string", pattern: "^arn:aws[a-z-]*:sns:" } },
      certHostPattern: { type: "string", minLength: 1 },
      autoConfirm: { type: "boolean" },
      toleranceSec: tolerance,
    }),
    obj("oidc", ["audience"], {
      audience: { type: "string", minLength: 1 },
      issuers: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } },
      serviceAccountEmail: { type: "string", minLength: 1 },
      jwksUrl: { type: "string", pattern: "^https?://" },
      clockSkewSec: { type: "integer", minimum: 0, maximum: 3600 },
    }),
  ],
};

const auth = { oneOf: [authCheck, { type: "array", minItems: 1, items: authCheck }] };

export const CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    server: {
      type: "object",
      additionalProperties: false,
      properties: {
        host: { type: "string" },
        port: { type: "integer", minimum: 0, maximum: 65535 },
        bodyLimit: { type: "integer", minimum: 1 },
        maxItemsPerRequest: { type: "integer", minimum: 1 },
        maxHeaderSize: { type: "integer", minimum: 1024, maximum: 1_048_576 },
        ingestThreads: { oneOf: [{ type: "integer", minimum: 0, maximum: 64 }, { const: "auto" }] },
        tls: {
          type: "object",
          additionalProperties: false,
          required: ["cert", "key"],
          properties: {
            cert: { type: "string", minLength: 1 },
            key: { type: "string", minLength: 1 },
            ca: { type: "string", minLength: 1 },
            requestCert: { type: "boolean" },
          },
        },
      },
    },
    dataDir: { type: "string", minLength: 1 },
    roles: { type: "array", minItems: 1, uniqueItems: true, items: { enum: [...SERVE_ROLES] } },
    nats: {
      type: "object",
      additionalProperties: false,
      properties: { url: { type: "string" }, embedded: { type: "boolean" }, binary: { type: "string" } },
    },
    rulebooks: { type: "array", items: { type: "string", minLength: 1 } },
    vars: { type: "string" },
    sources: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "kind"],
        properties: {
          name: { type: "string", pattern: "^[A-Za-z0-9_-]+$" },
          kind: { enum: [...SOURCE_KINDS] },
          auth,
          bodyLimit: { type: "integer", minimum: 1 },
          options: { type: "object" },
          longDedup: { type: "boolean" },
          dropStale: { type: "boolean" },
        },
      },
    },
    actions: {
      type: "object",
      additionalProperties: false,
      properties: {
        dryRun: { type: "boolean" },
        paused: { type: "boolean" },
        commandTimeoutMs: { type: "integer", minimum: 1 },
        httpTimeoutMs: { type: "integer", minimum: 1 },
      },
    },
    engine: {
      type: "object",
      additionalProperties: false,
      properties: { evaluator: { enum: ["compiled", "json-rules-engine"] } },
    },
    outbound: {
      type: "object",
      additionalProperties: false,
      properties: {
        endpoints: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["id", "url", "secret"],
            properties: {
              id: { type: "string", pattern: "^[A-Za-z0-9_-]+$" },
              url: { type: "string", pattern: "^https?://" },
              secret: secretRef,
              signing: { enum: ["standard", "ed25519", "hmac-sha256-hex"] },
              deliveryMode: { enum: ["at_least_once", "at_most_once"] },
              events: { type: "array", items: { type: "string", minLength: 1 } },
              headers: { type: "object", additionalProperties: { type: "string" } },
              timeoutMs: { type: "integer", minimum: 1 },
              rateLimit: {
                type: "object",
                additionalProperties: false,
                required: ["requests"],
                properties: { requests: { type: "integer", minimum: 1 }, period: { type: ["integer", "string"] } },
              },
              transform: {
                type: "object",
                additionalProperties: false,
                required: ["body"],
                properties: { body: {}, headers: { type: "object", additionalProperties: { type: "string" } }, contentType: { type: "string", minLength: 1 } },
              },
              tls: {
                type: "object",
                additionalProperties: false,
                properties: {
                  cert: { type: "string", minLength: 1 },
                  key: { type: "string", minLength: 1 },
                  ca: { type: "string", minLength: 1 },
                  servername: { type: "string", minLength: 1 },
                },
              },
            },
          },
        },
        retry: {
          type: "object",
          additionalProperties: false,
          properties: {
            schedule: { oneOf: [{ enum: ["default", "short"] }, { type: "array", minItems: 1, items: { type: ["integer", "string"] } }] },
            maxAttempts: { type: "integer", minimum: 1 },
            initialDelayMs: { type: "integer", minimum: 1 },
            maxDelayMs: { type: "integer", minimum: 1 },
          },
        },
        ssrf: {
          type: "object",
          additionalProperties: false,
          properties: { allow: { type: "array", items: { type: "string", minLength: 1 } }, httpsOnly: { type: "boolean" } },
        },
        disableAfterMs: { type: "integer", minimum: 1 },
        rotationGraceMs: { type: "integer", minimum: 0 },
        reconcileIntervalMs: { type: "integer", minimum: 100 },
        breaker: {
          type: "object",
          additionalProperties: false,
          properties: {
            enabled: { type: "boolean" },
            failures: { type: "integer", minimum: 1 },
            ratio: { type: "number", exclusiveMinimum: 0, maximum: 1 },
            minAttempts: { type: "integer", minimum: 1 },
            window: { type: ["integer", "string"] },
            cooldown: { type: ["integer", "string"] },
            maxCooldown: { type: ["integer", "string"] },
            halfOpenSuccesses: { type: "integer", minimum: 1 },
          },
        },
        deliveryMaxBytes: { type: "integer", minimum: 1024 },
        secretKey: secretRef,
        secretKeys: { type: "array", items: secretRef },
        proxy: {
          type: "object",
          additionalProperties: false,
          required: ["url"],
          properties: { url: secretRef, noProxy: { type: "array", items: { type: "string", minLength: 1 } } },
        },
      },
    },
    api: {
      type: "object",
      additionalProperties: false,
      properties: { token: secretRef },
    },
    integrations: {
      type: "object",
      additionalProperties: { type: "object" },
      description: "per external system settings; any value {env: NAME} or {file: PATH} is resolved as a secret",
    },
    log: {
      type: "object",
      additionalProperties: false,
      properties: { level: { enum: ["fatal", "error", "warn", "info", "debug", "trace", "silent"] } },
    },
  },
} as const;
