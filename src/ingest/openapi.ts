/**
 * The OpenAPI 3.1 document of the ingest server, generated from the configured sources: one
 * path per source (`POST /hooks/<name>`) with its kind, accepted content types, its auth as
 * security schemes (names and algorithms only, never a secret), every answer with its body,
 * and a link to the JSON Schema of the events it produces (`/schemas/<kind>.json`). Served at
 * `GET /openapi.json`.
 */
import type { SourceAuthConfig } from "../config/types.js";
import { ERROR_CATALOG } from "../core/errors.js";
import type { ErrorCode } from "../core/errors.js";
import type { IngestAuthConfig } from "../sources/auth.js";
import { eventSchemaPath } from "./event-schemas.js";

/** A source as the document needs it (IngestSource of ./pipeline.ts fits). */
export interface OpenApiSource {
  readonly name: string;
  readonly kind: string;
  readonly auth: IngestAuthConfig;
  readonly bodyLimit: number;
  readonly handler: { readonly contentTypes: readonly string[] };
}

export interface IngestOpenApiOptions {
  readonly sources: Iterable<OpenApiSource>;
  /** Names of the schemas served under /schemas (kinds without one get no event schema link). */
  readonly schemas: ReadonlySet<string>;
  readonly maxItemsPerRequest: number;
  readonly maxHeaderSize: number;
  readonly version?: string;
}

type Json = Record<string, unknown>;

/** Where each kind's producer setup and event shape are documented (relative to the repo). */
export const SOURCE_KIND_DOCS: Readonly<Record<string, string>> = {
  webhook: "docs/sources/monitoring-and-git.md",
  alertmanager: "docs/sources/monitoring-and-git.md",
  grafana: "docs/sources/monitoring-and-git.md",
  github: "docs/sources/monitoring-and-git.md",
  gitlab: "docs/sources/monitoring-and-git.md",
  gitea: "docs/sources/monitoring-and-git.md",
  eventbridge: "docs/sources/cloud-and-cluster.md",
  sns: "docs/sources/cloud-and-cluster.md",
  pubsub: "docs/sources/cloud-and-cluster.md",
  "azure-monitor": "docs/sources/cloud-and-cluster.md",
  "azure-scheduled-events": "docs/sources/cloud-and-cluster.md",
  "k8s-events": "docs/sources/cloud-and-cluster.md",
  cloudevents: "docs/sources/cloud-and-cluster.md",
};

/** HB_ERR codes an ingest route can answer, by status. */
const ROUTE_ERRORS: readonly ErrorCode[] = [
  "HB_ERR_BAD_REQUEST",
  "HB_ERR_INVALID_JSON",
  "HB_ERR_INVALID_PAYLOAD",
  "HB_ERR_SIGNATURE_MISSING",
  "HB_ERR_AUTH_MISSING",
  "HB_ERR_AUTH_INVALID",
  "HB_ERR_AUTH_STALE",
  "HB_ERR_CLIENT_CERT_REJECTED",
  "HB_ERR_SOURCE_NOT_FOUND",
  "HB_ERR_METHOD_NOT_ALLOWED",
  "HB_ERR_BODY_TOO_LARGE",
  "HB_ERR_TOO_MANY_ITEMS",
  "HB_ERR_UNSUPPORTED_MEDIA_TYPE",
  "HB_ERR_HEADERS_TOO_LARGE",
  "HB_ERR_REQUEST_TIMEOUT",
  "HB_ERR_BUS_UNAVAILABLE",
  "HB_ERR_BUS_CLOSED",
  "HB_ERR_INTERNAL",
];

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Malformed request: not the producer's format, bad JSON, or a signature header missing. Nothing stored.",
  401: "Credentials missing, invalid, or a signed timestamp outside the replay window. Nothing stored.",
  403: "Client certificate subject not allowed for this source. Nothing stored.",
  404: "No source with this name.",
  405: "Only POST is served on this path (other methods: 405 with `Allow: POST`).",
  408: "The request did not arrive in time.",
  413: "Body over the source's byte limit, or more events than the per-request limit. Nothing stored.",
  415: "Content type (or content encoding) not accepted by this source kind. Nothing stored.",
  431: "Request line and headers over the size limit.",
  500: "Unexpected failure (details only in the server log).",
  503: "The bus cannot store right now: retry after `Retry-After` seconds. Events of the request that were stored keep their ids, so the retry stores only what is missing.",
};

const codesFor = (status: number): ErrorCode[] => ROUTE_ERRORS.filter((c) => ERROR_CATALOG[c].status === status);

function checksOf(auth: IngestAuthConfig): readonly SourceAuthConfig[] {
  return Array.isArray(auth) ? (auth as readonly SourceAuthConfig[]) : [auth as SourceAuthConfig];
}

/** A security scheme for one auth check (undefined for `none`). */
export function securityScheme(auth: SourceAuthConfig): Json | undefined {
  switch (auth.type) {
    case "none":
      return undefined;
    case "bearer":
      return { type: "http", scheme: "bearer", description: "`Authorization: Bearer <token>` equal to the configured token." };
    case "basic":
      return { type: "http", scheme: "basic", description: "`Authorization: Basic …` with the configured user and password." };
    case "hmac": {
      const content = auth.signedContent ?? (auth.timestampHeader === undefined ? "{body}" : "{timestamp}:{body}");
      const parts = [
        `HMAC-${auth.algorithm.toUpperCase()} of \`${content}\` (raw body bytes), ${auth.encoding}`,
        auth.prefix === "" ? "no prefix" : `prefixed \`${auth.prefix}\``,
      ];
      if (auth.timestampHeader !== undefined) parts.push(`timestamp in \`${auth.timestampHeader}\` within ±${auth.toleranceSec ?? 300} s`);
      if (auth.formPayload === true) parts.push("form bodies are signed over their `payload` value");
      return { type: "apiKey", in: "header", name: auth.header, description: `${parts.join("; ")}.` };
    }
    case "standard-webhooks":
      return {
        type: "apiKey",
        in: "header",
        name: "webhook-signature",
        description: `Standard Webhooks: \`webhook-id\`, \`webhook-timestamp\` (±${auth.toleranceSec} s) and \`webhook-signature\` = \`v1,<base64 HMAC-SHA256 of id.timestamp.body>\`.`,
      };
    case "gitlab-token":
      return { type: "apiKey", in: "header", name: "X-Gitlab-Token", description: "GitLab secret token, sent verbatim." };
    case "api-key":
      return { type: "apiKey", in: "header", name: auth.header, description: "A shared key sent verbatim in this header (EventBridge API-destination connection)." };
    case "mtls": {
      const subjects = auth.subjects.length === 0 ? "any certificate that verifies against the server CA" : `subject matching one of: ${auth.subjects.join(" | ")}`;
      return { type: "mutualTLS", description: `Client certificate required: ${subjects}.` };
    }
    case "sns":
      return {
        type: "apiKey",
        in: "header",
        name: "x-amz-sns-message-type",
        description:
          "AWS SNS message signature (SignatureVersion 1 or 2) carried in the body, verified against the certificate at SigningCertURL" +
          `${auth.topicArnAllowlist.length > 0 ? `; TopicArn one of ${auth.topicArnAllowlist.join(", ")}` : ""}; Timestamp within ${auth.toleranceSec} s.`,
      };
    case "oidc":
      return {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description:
          `OIDC ID token (RS256) issued by ${auth.issuers.join(" or ")} for audience \`${auth.audience}\`` +
          `${auth.serviceAccountEmail === undefined ? "" : `, email \`${auth.serviceAccountEmail}\``}; keys from ${auth.jwksUrl}.`,
      };
  }
}

const schemeKey = (source: string, type: string, i: number): string => `${source.replace(/[^A-Za-z0-9_-]/g, "_")}.${type}${i > 0 ? `.${i}` : ""}`;

function errorResponse(status: number): Json {
  const codes = codesFor(status);
  const response: Json = {
    description: `${STATUS_TEXT[status] ?? "Error."} Codes: ${codes.join(", ")}.`,
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
  if (status === 503) response.headers = { "Retry-After": { $ref: "#/components/headers/RetryAfter" } };
  if (status === 405) response.headers = { Allow: { description: "POST", schema: { type: "string", const: "POST" } } };
  return response;
}

function requestBody(source: OpenApiSource): Json {
  const content: Json = {};
  for (const type of source.handler.contentTypes) {
    content[type] =
      type === "application/x-www-form-urlencoded"
        ? { schema: { type: "object", required: ["payload"], properties: { payload: { type: "string", description: "the event JSON" } } } }
        : { schema: { description: `the ${source.kind} producer's own request body, unchanged` } };
  }
  return { required: true, description: `At most ${source.bodyLimit} bytes; authenticated on the raw bytes before parsing.`, content };
}

function sourceOperation(source: OpenApiSource, opts: IngestOpenApiOptions, schemes: Json): Json {
  const checks = checksOf(source.auth).filter((a) => a.type !== "none");
  const requirement: Json = {};
  checks.forEach((check, i) => {
    const scheme = securityScheme(check);
    if (scheme === undefined) return;
    const key = schemeKey(source.name, check.type, i);
    schemes[key] = scheme;
    requirement[key] = [];
  });
  const statuses = [400, ...(checks.length > 0 ? [401] : []), ...(checks.some((c) => c.type === "mtls") ? [403] : []), 404, 405, 413, 415, 431, 503];
  const responses: Json = {
    "202": {
      description: "Every event of the request is stored (each PubAck received); ids are stable across retries.",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Accepted" } } },
    },
  };
  for (const status of statuses) responses[String(status)] = errorResponse(status);
  responses.default = errorResponse(500);
  const doc = SOURCE_KIND_DOCS[source.kind];
  const hasSchema = opts.schemas.has(source.kind);
  const op: Json = {
    operationId: `ingest_${source.name.replace(/[^A-Za-z0-9_]/g, "_")}`,
    summary: `${source.kind} events for source ${source.name}`,
    description:
      `Source kind \`${source.kind}\`${doc === undefined ? "" : ` (producer setup and event shape: ${doc})`}. ` +
      `At most ${opts.maxItemsPerRequest} events per request, ${opts.maxHeaderSize} bytes of request line and headers.` +
      (hasSchema ? ` Each stored event's \`data\` follows ${eventSchemaPath(source.kind)}.` : ""),
    tags: ["sources"],
    "x-hookbook-source-kind": source.kind,
    requestBody: requestBody(source),
    responses,
    security: Object.keys(requirement).length === 0 ? [] : [requirement],
  };
  if (hasSchema) op["x-hookbook-event-schema"] = { $ref: eventSchemaPath(source.kind) };
  return op;
}

const plainGet = (summary: string, ok: Json, extra: Json = {}): Json => ({ get: { summary, tags: ["operations"], security: [], responses: { "200": ok, ...extra } } });

const jsonOk = (description: string, schema: Json): Json => ({ description, content: { "application/json": { schema } } });

function components(opts: IngestOpenApiOptions, kinds: ReadonlySet<string>, schemes: Json): Json {
  const schemas: Json = {
    Error: {
      type: "object",
      required: ["error"],
      additionalProperties: false,
      properties: {
        error: {
          type: "object",
          required: ["code", "message"],
          additionalProperties: false,
          properties: { code: { type: "string", pattern: "^HB_ERR_[A-Z0-9_]+$", examples: ["HB_ERR_AUTH_INVALID"] }, message: { type: "string" } },
        },
      },
    },
    AcceptedEvent: {
      type: "object",
      required: ["id", "type", "duplicate"],
      properties: {
        id: { type: "string", description: "event id, the same on every retry of the producer" },
        type: { type: "string", description: "normalized event type, e.g. alertmanager.alert.firing" },
        duplicate: { type: "boolean", description: "already stored before (a retry): nothing new stored" },
        stale: { type: "boolean", description: "older than the newest event seen for its subject" },
        dropped: { type: "boolean", description: "stale and not stored (source option dropStale)" },
      },
    },
    Accepted: {
      type: "object",
      required: ["accepted", "duplicates", "events"],
      properties: {
        accepted: { type: "integer", minimum: 0, description: "events of the request, all stored now" },
        duplicates: { type: "integer", minimum: 0 },
        events: { type: "array", maxItems: opts.maxItemsPerRequest, items: { $ref: "#/components/schemas/AcceptedEvent" } },
      },
    },
  };
  for (const kind of [...kinds].sort()) if (opts.schemas.has(kind)) schemas[`${kind}.event`] = { $ref: eventSchemaPath(kind) };
  return {
    schemas,
    headers: { RetryAfter: { description: "seconds to wait before retrying", schema: { type: "integer", minimum: 1 } } },
    securitySchemes: schemes,
  };
}

/** The OpenAPI 3.1 document (a plain JSON value). */
export function buildIngestOpenApi(opts: IngestOpenApiOptions): Json {
  const paths: Json = {};
  const schemes: Json = {};
  const kinds = new Set<string>();
  for (const source of opts.sources) {
    kinds.add(source.kind);
    paths[`/hooks/${encodeURIComponent(source.name)}`] = { post: sourceOperation(source, opts, schemes) };
  }
  paths["/healthz"] = plainGet("process is up", jsonOk("up", { type: "object", properties: { status: { const: "ok" } } }));
  paths["/readyz"] = plainGet(
    "the bus is reachable",
    jsonOk("ready", { type: "object", properties: { status: { const: "ready" }, bus: { type: "string" }, durable: { type: "boolean" } } }),
    { "503": errorResponse(503) },
  );
  paths["/metrics"] = plainGet("Prometheus metrics (text exposition format)", { description: "metrics", content: { "text/plain": { schema: { type: "string" } } } });
  paths["/openapi.json"] = plainGet("this document", jsonOk("OpenAPI 3.1", { type: "object" }));
  paths["/schemas/{name}.json"] = {
    get: {
      summary: "JSON Schema of the events of a source kind (docs/sources/<name>.schema.json)",
      tags: ["operations"],
      security: [],
      parameters: [{ name: "name", in: "path", required: true, schema: { type: "string", enum: [...opts.schemas].sort() } }],
      responses: { "200": jsonOk("JSON Schema (draft-07)", { type: "object" }), "404": errorResponse(404) },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "hookbook ingest",
      version: opts.version ?? "0.0.0",
      description:
        "Webhook ingest: each source authenticates the raw request, splits it into events, and answers 202 only after every event is stored on the bus. Errors are `{error: {code, message}}` with a stable HB_ERR code.",
    },
    tags: [
      { name: "sources", description: "one route per configured source" },
      { name: "operations", description: "health, readiness, metrics, this document" },
    ],
    paths,
    components: components(opts, kinds, schemes),
  };
}
