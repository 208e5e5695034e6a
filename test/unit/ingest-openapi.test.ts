import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SourceAuthConfig } from "../../src/config/types.js";
import { SOURCE_KINDS } from "../../src/config/types.js";
import { buildIngestOpenApi } from "../../src/ingest/openapi.js";
import { createIngestServer } from "../../src/ingest/server.js";
import { resolveSources } from "../../src/ingest/source-set.js";
import type { IngestSourceConfig } from "../../src/ingest/server.js";
import { sourceKindHandler } from "../../src/sources/registry.js";
import { RecordingBus } from "../helpers/recording-bus.js";

type Json = Record<string, unknown>;

const SECRET = "s3cr3t-never-in-the-document";
const hmac: SourceAuthConfig = { type: "hmac", secret: SECRET, header: "x-hub-signature-256", algorithm: "sha256", encoding: "hex", prefix: "sha256=" };

const SOURCES: IngestSourceConfig[] = [
  ...SOURCE_KINDS.map((kind): IngestSourceConfig => ({ name: `open-${kind}`, kind, auth: { type: "none" }, bodyLimit: 0, options: {} })),
  { name: "gh", kind: "github", auth: hmac, bodyLimit: 0, options: {} },
  { name: "am", kind: "alertmanager", auth: { type: "bearer", token: SECRET }, bodyLimit: 4096, options: {} },
  { name: "am-basic", kind: "alertmanager", auth: { type: "basic", username: "am", password: SECRET }, bodyLimit: 0, options: {} },
  {
    name: "gl-both",
    kind: "gitlab",
    auth: [
      { type: "gitlab-token", token: SECRET },
      { type: "standard-webhooks", secret: "whsec_Z2l0bGFiLWZpeHR1cmUtdGVzdC1zaWduaW5nLWtleSE=", toleranceSec: 300 },
    ],
    bodyLimit: 0,
    options: {},
  },
  { name: "eb", kind: "eventbridge", auth: { type: "api-key", header: "x-api-key", key: SECRET }, bodyLimit: 0, options: {} },
  { name: "sns", kind: "sns", auth: { type: "sns", topicArnAllowlist: ["arn:aws:sns:us-east-1:1:t"], certHostPattern: "^sns\\.", autoConfirm: false, toleranceSec: 3600 }, bodyLimit: 0, options: {} },
  {
    name: "ps",
    kind: "pubsub",
    auth: { type: "oidc", audience: "https://x.example/push", issuers: ["https://accounts.google.com"], jwksUrl: "https://keys.example/jwks", clockSkewSec: 60 },
    bodyLimit: 0,
    options: {},
  },
];

async function openapiOf(sources: IngestSourceConfig[] = SOURCES, extra: { schemasDir?: string } = {}) {
  const app = createIngestServer({ sources, bus: new RecordingBus(), bodyLimit: 1024 * 1024, maxItemsPerRequest: 500, ...extra });
  const res = await app.inject({ url: "/openapi.json" });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers["content-type"]), /^application\/json/);
  return { app, doc: JSON.parse(res.body) as Json, text: res.body };
}

/** Every `$ref` in the document. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function pointer(doc: Json, ref: string): unknown {
  return ref
    .slice(2)
    .split("/")
    .reduce<unknown>((node, part) => (node !== null && typeof node === "object" ? (node as Json)[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined), doc);
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document with one POST path per configured source", async () => {
    const { doc } = await openapiOf();
    assert.equal(doc.openapi, "3.1.0");
    const info = doc.info as Json;
    assert.equal(typeof info.title, "string");
    assert.equal(typeof info.version, "string");
    const paths = doc.paths as Record<string, Json>;
    const operationIds = new Set<string>();
    for (const source of SOURCES) {
      const op = paths[`/hooks/${source.name}`]?.post as Json | undefined;
      assert.ok(op, `no path for ${source.name}`);
      assert.equal(op["x-hookbook-source-kind"], source.kind);
      assert.match(String(op.summary), new RegExp(source.kind));
      operationIds.add(String(op.operationId));
      const content = (op.requestBody as { content: Json }).content;
      assert.deepEqual(Object.keys(content), [...(sourceKindHandler(source.kind)?.contentTypes ?? [])], source.name);
      const responses = op.responses as Record<string, Json>;
      for (const status of ["202", "400", "404", "405", "413", "415", "431", "503"]) assert.ok(responses[status], `${source.name} ${status}`);
      assert.equal(responses["401"] !== undefined, source.auth !== undefined && !(!Array.isArray(source.auth) && (source.auth as SourceAuthConfig).type === "none"), `${source.name} 401`);
      assert.deepEqual((responses["202"]?.content as Json)["application/json"], { schema: { $ref: "#/components/schemas/Accepted" } });
      assert.deepEqual((responses["400"]?.content as Json)["application/json"], { schema: { $ref: "#/components/schemas/Error" } });
      assert.ok((responses["503"]?.headers as Json)["Retry-After"]);
      assert.match(String(responses["413"]?.description), /HB_ERR_TOO_MANY_ITEMS/);
      assert.match(String(op.description), /500 events per request/);
    }
    assert.equal(operationIds.size, SOURCES.length, "operationIds are unique");
    for (const ops of ["/healthz", "/readyz", "/metrics", "/openapi.json"]) assert.ok(paths[ops]?.get, ops);
  });

  it("answer bodies: Error is {error:{code,message}}, Accepted is {accepted, duplicates, events:[{id,type,duplicate}]}", async () => {
    const { doc } = await openapiOf();
    const schemas = (doc.components as Json).schemas as Record<string, Json>;
    assert.deepEqual(schemas.Error?.required, ["error"]);
    const error = (schemas.Error?.properties as Json).error as Json;
    assert.deepEqual(error.required, ["code", "message"]);
    assert.deepEqual(schemas.Accepted?.required, ["accepted", "duplicates", "events"]);
    assert.deepEqual(schemas.AcceptedEvent?.required, ["id", "type", "duplicate"]);
    assert.equal(((schemas.Accepted?.properties as Json).events as Json).maxItems, 500);
  });

  it("auth schemes become security schemes (names and algorithms only, never a secret)", async () => {
    const { doc, text } = await openapiOf();
    assert.ok(!text.includes(SECRET), "a secret leaked into the document");
    const schemes = (doc.components as Json).securitySchemes as Record<string, Json>;
    const paths = doc.paths as Record<string, { post: Json }>;
    const security = (name: string) => paths[`/hooks/${name}`]?.post.security as Record<string, string[]>[];
    assert.deepEqual(security("open-webhook"), [], "auth none: explicitly no security");
    const schemeOf = (name: string, i = 0): Json | undefined => {
      const key = Object.keys(security(name)[0] ?? {})[i];
      return key === undefined ? undefined : schemes[key];
    };
    assert.deepEqual(schemeOf("am"), { type: "http", scheme: "bearer", description: schemeOf("am")?.description });
    assert.equal(schemeOf("am-basic")?.scheme, "basic");
    assert.equal(schemeOf("gh")?.type, "apiKey");
    assert.equal(schemeOf("gh")?.name, "x-hub-signature-256");
    assert.match(String(schemeOf("gh")?.description), /HMAC-SHA256/);
    assert.equal(schemeOf("eb")?.name, "x-api-key");
    assert.equal(schemeOf("ps")?.bearerFormat, "JWT");
    assert.match(String(schemeOf("ps")?.description), /https:\/\/x\.example\/push/);
    assert.match(String(schemeOf("sns")?.description), /SNS/);
    // A list of checks is one requirement naming every scheme (all must pass).
    assert.equal(security("gl-both").length, 1);
    assert.deepEqual(Object.keys(security("gl-both")[0] ?? {}).map((k) => schemes[k]?.name), ["X-Gitlab-Token", "webhook-signature"]);
    for (const requirement of Object.values(paths).flatMap((p) => (p.post?.security as Record<string, string[]>[] | undefined) ?? [])) {
      for (const key of Object.keys(requirement)) assert.ok(schemes[key], `security requirement ${key} has no scheme`);
    }
  });

  it("mtls becomes a mutualTLS scheme", () => {
    const sources = resolveSources({ sources: [{ name: "m", kind: "alertmanager", auth: { type: "mtls", subjects: ["CN=am"] }, bodyLimit: 0, options: {} }], bodyLimit: 100 });
    const doc = buildIngestOpenApi({ sources: sources.values(), schemas: new Set(), maxItemsPerRequest: 10, maxHeaderSize: 2048 });
    const schemes = (doc.components as Json).securitySchemes as Record<string, Json>;
    assert.deepEqual(Object.values(schemes).map((s) => s.type), ["mutualTLS"]);
    const responses = ((doc.paths as Record<string, { post: Json }>)["/hooks/m"]?.post.responses ?? {}) as Json;
    assert.ok(responses["403"], "403 for a client certificate with the wrong subject");
  });

  it("every internal $ref resolves; event schemas are linked by URL and served from docs/sources", async () => {
    const { app, doc } = await openapiOf();
    const all = refs(doc);
    for (const ref of all.filter((r) => r.startsWith("#/"))) assert.notEqual(pointer(doc, ref), undefined, ref);
    const external = [...new Set(all.filter((r) => r.startsWith("/schemas/")))];
    assert.equal(external.length, SOURCE_KINDS.length, "one event schema per kind");
    for (const kind of SOURCE_KINDS) {
      const op = (doc.paths as Record<string, { post: Json }>)[`/hooks/open-${kind}`]?.post;
      assert.deepEqual(op?.["x-hookbook-event-schema"], { $ref: `/schemas/${kind}.json` });
    }
    for (const url of external) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      const schema = JSON.parse(res.body) as Json;
      assert.equal(typeof schema.$schema, "string");
      assert.equal(schema.$id, undefined, "served without $id so relative $refs resolve against the served URL");
      for (const ref of refs(schema).filter((r) => !r.startsWith("#"))) {
        const target = new URL(ref, `http://ingest${url}`);
        assert.equal((await app.inject({ url: target.pathname })).statusCode, 200, `${url} → ${ref}`);
      }
    }
    const missing = await app.inject({ url: "/schemas/nope.json" });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<{ error: { code: string } }>().error.code, "HB_ERR_SOURCE_NOT_FOUND");
    assert.equal((await app.inject({ url: "/schemas/..%2fpackage.json" })).statusCode, 404);
  });

  it("without the docs folder (a packaged install) the server still starts: no schema links, /schemas answers 404", async () => {
    const { app, doc } = await openapiOf(SOURCES.slice(0, 2), { schemasDir: "/nonexistent/hookbook-docs" });
    assert.equal(refs(doc).filter((r) => r.startsWith("/schemas/")).length, 0);
    assert.equal((await app.inject({ url: "/schemas/webhook.json" })).statusCode, 404);
  });
});
