/** JSON Schema of the config file (YAML or JSON). Documented key by key in docs/configuration.md. */
const secretRef = {
  oneOf: [
    { type: "string", minLength: 1 },
    { type: "object", additionalProperties: false, required: ["env"], properties: { env: { type: "string", minLength: 1 } } },
    { type: "object", additionalProperties: false, required: ["file"], properties: { file: { type: "string", minLength: 1 } } },
  ],
};

const auth = {
  oneOf: [
    { type: "object", additionalProperties: false, required: ["type"], properties: { type: { const: "none" } } },
    { type: "object", additionalProperties: false, required: ["type", "token"], properties: { type: { const: "bearer" }, token: secretRef } },
    { type: "object", additionalProperties: false, required: ["type", "username", "password"], properties: { type: { const: "basic" }, username: { type: "string", minLength: 1 }, password: secretRef } },
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "secret"],
      properties: {
        type: { const: "hmac" },
        secret: secretRef,
        header: { type: "string", minLength: 1 },
        algorithm: { enum: ["sha256", "sha512", "sha1"] },
        encoding: { enum: ["hex", "base64"] },
        prefix: { type: "string" },
      },
    },
  ],
};

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
      },
    },
    dataDir: { type: "string", minLength: 1 },
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
          kind: { enum: ["webhook", "alertmanager"] },
          auth,
          bodyLimit: { type: "integer", minimum: 1 },
          options: { type: "object" },
        },
      },
    },
    actions: {
      type: "object",
      additionalProperties: false,
      properties: {
        dryRun: { type: "boolean" },
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
              events: { type: "array", items: { type: "string", minLength: 1 } },
              headers: { type: "object", additionalProperties: { type: "string" } },
              timeoutMs: { type: "integer", minimum: 1 },
            },
          },
        },
        retry: {
          type: "object",
          additionalProperties: false,
          properties: {
            maxAttempts: { type: "integer", minimum: 1 },
            initialDelayMs: { type: "integer", minimum: 1 },
            maxDelayMs: { type: "integer", minimum: 1 },
          },
        },
      },
    },
    log: {
      type: "object",
      additionalProperties: false,
      properties: { level: { enum: ["fatal", "error", "warn", "info", "debug", "trace", "silent"] } },
    },
  },
} as const;
