import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { createIngestServer } from "../../src/ingest/server.js";
import type { IngestServerOptions, IngestSourceConfig } from "../../src/ingest/server.js";
import { DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_ITEMS_PER_REQUEST, headerBytes } from "../../src/ingest/limits.js";
import { MAX_JSON_DEPTH, jsonNestedDeeperThan } from "../../src/sources/webhook.js";
import { fixtureBytes } from "../helpers/fixtures.js";
import { RecordingBus } from "../helpers/recording-bus.js";

const LONG_NAME = `gpu-${"x".repeat(150)}`;
const SOURCES: IngestSourceConfig[] = [
  { name: "alerts", kind: "alertmanager", auth: { type: "none" }, bodyLimit: 0, options: {} },
  { name: "ce", kind: "cloudevents", auth: { type: "none" }, bodyLimit: 0, options: {} },
  { name: "open", kind: "webhook", auth: { type: "none" }, bodyLimit: 0, options: {} },
  { name: LONG_NAME, kind: "webhook", auth: { type: "none" }, bodyLimit: 0, options: {} },
];

function setup(overrides: Partial<IngestServerOptions> = {}) {
  const bus = new RecordingBus();
  const registry = new Registry();
  const app = createIngestServer({ sources: SOURCES, bus, bodyLimit: 4 * 1024 * 1024, metrics: { registry }, ...overrides });
  return { app, bus, registry };
}

interface ErrorBody {
  error: { code: string; message: string };
}

function alerts(n: number): Buffer {
  const doc = JSON.parse(fixtureBytes("alertmanager/firing-queue-depth.json").toString("utf8")) as { alerts: Record<string, unknown>[] };
  const first = doc.alerts[0] ?? {};
  doc.alerts = Array.from({ length: n }, (_, i) => ({ ...first, fingerprint: i.toString(16).padStart(16, "0") }));
  return Buffer.from(JSON.stringify(doc));
}

const JSON_CT = { "content-type": "application/json" };

/** Raw bytes over a socket; resolves with everything the server sent before closing. */
function rawExchange(app: FastifyInstance, request: string): Promise<string> {
  const { port } = app.server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    socket.on("close", () => resolve(data));
    socket.on("error", (err) => (data === "" ? reject(err) : resolve(data)));
    socket.write(request);
    setTimeout(() => socket.end(), 2000).unref();
  });
}

function parseRaw(text: string): { status: number; headers: string; body: string } {
  const split = text.indexOf("\r\n\r\n");
  const head = text.slice(0, split);
  return { status: Number(head.split(" ")[1]), headers: head.toLowerCase(), body: text.slice(split + 4) };
}

describe("items per request", () => {
  it("defaults to 1000; 1001 events → 413 HB_ERR_TOO_MANY_ITEMS and nothing stored", async () => {
    assert.equal(DEFAULT_MAX_ITEMS_PER_REQUEST, 1000);
    const { app, bus } = setup();
    const over = await app.inject({ method: "POST", url: "/hooks/alerts", payload: alerts(1001), headers: JSON_CT });
    assert.equal(over.statusCode, 413);
    assert.equal(over.json<ErrorBody>().error.code, "HB_ERR_TOO_MANY_ITEMS");
    assert.equal(bus.calls.length, 0);
    const max = await app.inject({ method: "POST", url: "/hooks/alerts", payload: alerts(1000), headers: JSON_CT });
    assert.equal(max.statusCode, 202);
    assert.equal(bus.stored.length, 1000);
  });

  it("maxItemsPerRequest applies to every kind that fans out (alerts, CloudEvents batches)", async () => {
    const { app, bus } = setup({ maxItemsPerRequest: 2 });
    assert.equal((await app.inject({ method: "POST", url: "/hooks/alerts", payload: alerts(2), headers: JSON_CT })).statusCode, 202);
    assert.equal((await app.inject({ method: "POST", url: "/hooks/alerts", payload: alerts(3), headers: JSON_CT })).statusCode, 413);
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ specversion: "1.0", id: `b${i}`, source: "/t", type: "t.x" })));
    const ce = await app.inject({ method: "POST", url: "/hooks/ce", payload: batch(3), headers: { "content-type": "application/cloudevents-batch+json" } });
    assert.equal(ce.statusCode, 413);
    assert.equal(ce.json<ErrorBody>().error.code, "HB_ERR_TOO_MANY_ITEMS");
    assert.equal(bus.stored.length, 2);
  });
});

describe("header size", () => {
  it("defaults to 16 KiB; over the limit → 431 HB_ERR_HEADERS_TOO_LARGE (inject)", async () => {
    assert.equal(DEFAULT_MAX_HEADER_SIZE, 16_384);
    const { app, bus } = setup();
    const res = await app.inject({ method: "POST", url: "/hooks/open", payload: "{}", headers: { ...JSON_CT, "x-pad": "p".repeat(17_000) } });
    assert.equal(res.statusCode, 431);
    assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_HEADERS_TOO_LARGE");
    assert.equal(bus.calls.length, 0);
    assert.equal((await app.inject({ method: "POST", url: "/hooks/open", payload: "{}", headers: { ...JSON_CT, "x-pad": "p".repeat(15_000) } })).statusCode, 202);
  });

  it("on a real socket Node refuses the oversized headers; the answer is our JSON 431 and the server keeps serving", async () => {
    const { app, registry } = setup({ maxHeaderSize: 2048 });
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const raw = await rawExchange(app, `POST /hooks/open HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Pad: ${"p".repeat(4096)}\r\nContent-Length: 2\r\n\r\n{}`);
      const res = parseRaw(raw);
      assert.equal(res.status, 431, raw.slice(0, 200));
      assert.match(res.headers, /content-type: application\/json/);
      assert.deepEqual(JSON.parse(res.body), { error: { code: "HB_ERR_HEADERS_TOO_LARGE", message: "request headers are over the size limit" } });
      const garbage = parseRaw(await rawExchange(app, "THIS IS NOT HTTP\r\n\r\n"));
      assert.equal(garbage.status, 400);
      assert.equal((JSON.parse(garbage.body) as ErrorBody).error.code, "HB_ERR_BAD_REQUEST");
      const { port } = app.server.address() as { port: number };
      const ok = await fetch(`http://127.0.0.1:${port}/hooks/open`, { method: "POST", body: "{}", headers: JSON_CT });
      assert.equal(ok.status, 202);
      const text = await registry.metrics();
      assert.match(text, /^hookbook_ingest_client_errors_total\{reason="HB_ERR_HEADERS_TOO_LARGE"\} 1$/m);
      assert.match(text, /^hookbook_ingest_client_errors_total\{reason="HB_ERR_BAD_REQUEST"\} 1$/m);
    } finally {
      await app.close();
    }
  });

  it("headerBytes counts the request line and every header", () => {
    const raw = { method: "POST", url: "/hooks/a", rawHeaders: ["Host", "x", "X-A", "12345"] } as unknown as Parameters<typeof headerBytes>[0];
    assert.equal(headerBytes(raw), "POST /hooks/a HTTP/1.1\r\n".length + "Host: x\r\n".length + "X-A: 12345\r\n".length + 2);
  });
});

describe("malformed requests get the catalog body", () => {
  it(`JSON nested deeper than ${MAX_JSON_DEPTH} levels → 400 HB_ERR_INVALID_PAYLOAD (it would overflow the stack when stored)`, async () => {
    const { app, bus } = setup();
    for (const body of [`${"[".repeat(100_000)}${"]".repeat(100_000)}`, `${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${"}".repeat(MAX_JSON_DEPTH + 1)}`]) {
      const res = await app.inject({ method: "POST", url: "/hooks/open", payload: body, headers: JSON_CT });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_INVALID_PAYLOAD");
    }
    const fine = `${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`;
    assert.equal((await app.inject({ method: "POST", url: "/hooks/open", payload: fine, headers: JSON_CT })).statusCode, 202);
    assert.equal(bus.stored.length, 1);
  });

  it("the depth scan skips brackets inside strings and escapes", () => {
    assert.equal(jsonNestedDeeperThan(Buffer.from(JSON.stringify({ a: "[".repeat(1000), b: '\\"[[[' })), 3), false);
    assert.equal(jsonNestedDeeperThan(Buffer.from(`${"[".repeat(5)}"x"${"]".repeat(5)}`), 4), true);
  });

  it("bad percent-encoding → 400 HB_ERR_BAD_REQUEST; a name longer than any source → 404; long source names route", async () => {
    const { app } = setup();
    const bad = await app.inject({ method: "POST", url: "/hooks/%ZZ", payload: "{}", headers: JSON_CT });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(Object.keys(bad.json<ErrorBody>().error).sort(), ["code", "message"]);
    assert.equal(bad.json<ErrorBody>().error.code, "HB_ERR_BAD_REQUEST");
    const long = await app.inject({ method: "POST", url: `/hooks/${"y".repeat(500)}`, payload: "{}", headers: JSON_CT });
    assert.equal(long.statusCode, 404);
    assert.equal(long.json<ErrorBody>().error.code, "HB_ERR_SOURCE_NOT_FOUND");
    assert.equal((await app.inject({ method: "POST", url: `/hooks/${LONG_NAME}`, payload: "{}", headers: JSON_CT })).statusCode, 202);
  });

  it("a request arriving while the server closes → 503 HB_ERR_BUS_CLOSED with Retry-After (pipelined on a kept-alive socket)", async () => {
    const { app, bus } = setup();
    await app.listen({ host: "127.0.0.1", port: 0 });
    bus.hold = true;
    const request = (body: string) => `POST /hooks/open HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const { port } = app.server.address() as { port: number };
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    const closed = new Promise((resolve) => socket.on("close", resolve));
    socket.write(request('{"n":1}'));
    while (bus.pending < 1) await new Promise((r) => setTimeout(r, 2));
    const closing = app.close();
    await new Promise((r) => setTimeout(r, 20));
    socket.write(request('{"n":2}'));
    await new Promise((r) => setTimeout(r, 20));
    bus.release();
    await closing;
    socket.end();
    await closed;
    const answers = data.split(/(?=HTTP\/1\.1 )/);
    assert.equal(parseRaw(answers[0] ?? "").status, 202, data);
    const second = parseRaw(answers[1] ?? "");
    assert.equal(second.status, 503, data);
    assert.match(second.headers, /retry-after: \d+/);
    assert.equal((JSON.parse(second.body) as ErrorBody).error.code, "HB_ERR_BUS_CLOSED");
    assert.equal(bus.stored.length, 1);
  });
});
