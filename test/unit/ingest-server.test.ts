import assert from "node:assert/strict";
import { Readable, Writable } from "node:stream";
import { describe, it } from "node:test";
import { VirtualClock } from "../../src/core/clock.js";
import type { EventEnvelope } from "../../src/core/envelope.js";
import { eventSubject } from "../../src/core/envelope.js";
import { stableId } from "../../src/core/ids.js";
import type { HookbookError } from "../../src/core/errors.js";
import { createIngestLogger } from "../../src/ingest/logger.js";
import type { AcceptedBody } from "../../src/ingest/pipeline.js";
import { createIngestServer } from "../../src/ingest/server.js";
import type { IngestServerOptions, IngestSourceConfig } from "../../src/ingest/server.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";
import { RecordingBus } from "../helpers/recording-bus.js";
import { AUTH } from "./sources-git-helper.js";

const NOW = Date.parse("2026-05-12T14:05:00.000Z");
const AM_TOKEN = "am-fixture-bearer-token";
const githubHmac = AUTH.github;

const SOURCES: IngestSourceConfig[] = [
  { name: "alerts", kind: "alertmanager", auth: { type: "bearer", token: AM_TOKEN }, bodyLimit: 0, options: {} },
  { name: "alerts-basic", kind: "alertmanager", auth: { type: "basic", username: "alertmanager", password: "am-fixture-basic-password" }, bodyLimit: 0, options: {} },
  { name: "open", kind: "alertmanager", auth: { type: "none" }, bodyLimit: 0, options: {} },
  { name: "gitops", kind: "webhook", auth: githubHmac, bodyLimit: 0, options: {} },
  { name: "tiny", kind: "webhook", auth: { type: "none" }, bodyLimit: 64, options: {} },
];

function setup(overrides: Partial<IngestServerOptions> = {}) {
  const bus = new RecordingBus();
  const app = createIngestServer({ sources: SOURCES, bus, bodyLimit: 1024 * 1024, clock: new VirtualClock(NOW), ...overrides });
  return { bus, app };
}

type Accepted = AcceptedBody;
type ErrorBody = ReturnType<HookbookError["toBody"]>;

const amFixture = (name: string) => ({
  payload: fixtureBytes(`alertmanager/${name}.json`),
  headers: fixtureHeaders(`alertmanager/${name}.headers.json`),
});

describe("POST /hooks/:source — alertmanager", () => {
  it("firing-queue-depth with its bearer token → 202, two envelopes stored with README dedup keys", async () => {
    const { app, bus } = setup();
    const res = await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture("firing-queue-depth") });
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json<Accepted>();
    const keys = [
      "alertmanager:961eeed636a578b4:firing:2026-05-12T14:02:30.512Z",
      "alertmanager:57c24eb9774b6842:firing:2026-05-12T14:04:00.512Z",
    ];
    assert.deepEqual(body, {
      accepted: 2,
      duplicates: 0,
      events: keys.map((k) => ({ id: stableId(k), type: "alertmanager.alert.firing", duplicate: false })),
    });
    assert.equal(bus.stored.length, 2);
    const subject = eventSubject("alerts", "alertmanager.alert.firing");
    assert.deepEqual(bus.stored.map((p) => p.subject), [subject, subject]);
    assert.deepEqual(bus.stored.map((p) => p.opts?.msgId), keys.map((k) => `alerts:${k}`));
    const env = bus.stored[0]?.json<EventEnvelope>();
    assert.ok(env);
    assert.equal(env.id, stableId(keys[0] as string));
    assert.equal(env.source, "alerts");
    assert.equal(env.kind, "alertmanager");
    assert.equal(env.subject, "us-east-1-prod/training-a100");
    assert.equal(env.time, "2026-05-12T14:02:30.512Z");
    assert.equal(env.receivedAt, "2026-05-12T14:05:00.000Z");
    assert.equal(env.dedupKey, keys[0]);
    const alert = env.data.alert as { labels: { queue: string } };
    assert.equal(alert.labels.queue, "training-a100");
    const meta = env.data.meta as { endpoint: string; headers: Record<string, string>; hosts: string[] };
    assert.equal(meta.endpoint, "alerts");
    assert.equal(meta.headers["user-agent"], "Alertmanager/0.28.1", "inject() sends lower-case names");
    assert.ok(!Object.keys(meta.headers).some((h) => h.toLowerCase() === "authorization"));
    assert.deepEqual(Object.keys(env.data.meta as object).sort(), ["alertmanager", "endpoint", "headers", "hosts"]);
  });

  it("resolved.json (0.34 shape) → 202 with resolved events", async () => {
    const { app, bus } = setup();
    const res = await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture("resolved") });
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(res.json<Accepted>().events.map((e) => e.type), ["alertmanager.alert.resolved", "alertmanager.alert.resolved"]);
    assert.equal(bus.stored[1]?.json<EventEnvelope>().time, "2026-05-12T14:33:30.512Z");
  });

  it("firing-gpu-xid with basic auth, and with auth none", async () => {
    const { app, bus } = setup();
    const basic = await app.inject({ method: "POST", url: "/hooks/alerts-basic", ...amFixture("firing-gpu-xid") });
    assert.equal(basic.statusCode, 202, basic.body);
    const open = await app.inject({ method: "POST", url: "/hooks/open", ...amFixture("firing-gpu-xid") });
    assert.equal(open.statusCode, 202, open.body);
    assert.deepEqual(bus.stored.map((p) => p.opts?.msgId), [
      "alerts-basic:alertmanager:0242a018f88e7cdf:firing:2026-05-12T13:47:42.118Z",
      "open:alertmanager:0242a018f88e7cdf:firing:2026-05-12T13:47:42.118Z",
    ]);
    const wrong = await app.inject({ method: "POST", url: "/hooks/alerts-basic", ...amFixture("firing-queue-depth") });
    assert.equal(wrong.statusCode, 401, "a bearer header on a basic source");
  });

  it("wrong token → 401 HB_ERR_AUTH_INVALID, missing → 401 HB_ERR_AUTH_MISSING; nothing stored", async () => {
    const { app, bus } = setup();
    const { payload, headers } = amFixture("firing-queue-depth");
    const wrong = await app.inject({ method: "POST", url: "/hooks/alerts", payload, headers: { ...headers, Authorization: "Bearer nope" } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json<ErrorBody>().error.code, "HB_ERR_AUTH_INVALID");
    const missing = await app.inject({ method: "POST", url: "/hooks/alerts", payload, headers: { "content-type": "application/json" } });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.json<ErrorBody>().error.code, "HB_ERR_AUTH_MISSING");
    assert.equal(bus.calls.length, 0);
  });

  it("not an Alertmanager body → 400 HB_ERR_INVALID_PAYLOAD naming the field", async () => {
    const { app, bus } = setup();
    const res = await app.inject({ method: "POST", url: "/hooks/open", payload: { receiver: "x" } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_INVALID_PAYLOAD");
    assert.match(res.json<ErrorBody>().error.message, /alerts/);
    assert.equal(bus.calls.length, 0);
  });
});

describe("POST /hooks/:source — webhook with HMAC", () => {
  const payload = fixtureBytes("github/push.json");
  const headers = fixtureHeaders("github/push.headers.json");

  it("good signature → 202; envelope is {payload, meta} keyed on the delivery id", async () => {
    const { app, bus } = setup();
    const res = await app.inject({ method: "POST", url: "/hooks/gitops", payload, headers });
    assert.equal(res.statusCode, 202, res.body);
    const env = bus.stored[0]?.json<EventEnvelope>();
    assert.equal(env?.type, "webhook.received");
    assert.equal(env?.dedupKey, "webhook:gitops:x-github-delivery:3f6c2a80-4e1b-11f1-9a7e-5c1b6e0d8a21");
    assert.equal(env?.time, env?.receivedAt, "no producer time → receivedAt");
    assert.equal(bus.stored[0]?.subject, "events.gitops.webhook.received");
    assert.deepEqual((env?.data.payload as { ref: string }).ref, JSON.parse(payload.toString("utf8")).ref);
    const meta = env?.data.meta as { headers: Record<string, string> };
    assert.equal(meta.headers["x-github-event"], "push");
  });

  it("over a real socket meta.headers keep the sender's spelling (as ansible-rulebook)", async () => {
    const { app, bus } = setup();
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const { port } = app.server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/hooks/gitops`, { method: "POST", body: payload, headers });
      assert.equal(res.status, 202);
      const meta = bus.stored[0]?.json<EventEnvelope>().data.meta as { headers: Record<string, string> };
      assert.equal(meta.headers["X-GitHub-Event"], "push");
      assert.equal(meta.headers["X-GitHub-Delivery"], "3f6c2a80-4e1b-11f1-9a7e-5c1b6e0d8a21");
    } finally {
      await app.close();
    }
  });

  it("bad → 401, missing → 400 HB_ERR_SIGNATURE_MISSING, flipped body byte → 401", async () => {
    const { app, bus } = setup();
    const bad = await app.inject({ method: "POST", url: "/hooks/gitops", payload, headers: { ...headers, "X-Hub-Signature-256": `sha256=${"0".repeat(64)}` } });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json<ErrorBody>().error.code, "HB_ERR_AUTH_INVALID");
    const noSig = { ...headers };
    delete noSig["X-Hub-Signature-256"];
    const missing = await app.inject({ method: "POST", url: "/hooks/gitops", payload, headers: noSig });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json<ErrorBody>().error.code, "HB_ERR_SIGNATURE_MISSING");
    const flipped = Buffer.from(payload);
    flipped[20] = (flipped[20] ?? 0) ^ 0x20;
    const tampered = await app.inject({ method: "POST", url: "/hooks/gitops", payload: flipped, headers });
    assert.equal(tampered.statusCode, 401);
    assert.equal(bus.calls.length, 0);
  });
});

describe("request limits and formats", () => {
  it("over the source's limit → 413 HB_ERR_BODY_TOO_LARGE (declared length)", async () => {
    const { app, bus } = setup();
    const res = await app.inject({ method: "POST", url: "/hooks/tiny", payload: { pad: "x".repeat(100) } });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_BODY_TOO_LARGE");
    assert.equal(bus.calls.length, 0);
  });

  it("chunked body over the source's limit → 413", async () => {
    const { app } = setup();
    const res = await app.inject({
      method: "POST",
      url: "/hooks/tiny",
      headers: { "content-type": "application/json" },
      payload: Readable.from([Buffer.from(`{"pad":"${"x".repeat(100)}"}`)]),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_BODY_TOO_LARGE");
  });

  it("fastify's own body limit error is mapped to our 413 body", async () => {
    const { app } = setup({ bodyLimit: 64, sources: [{ name: "tiny", kind: "webhook", auth: { type: "none" }, bodyLimit: 64, options: {} }] });
    const res = await app.inject({
      method: "POST",
      url: "/hooks/tiny",
      headers: { "content-type": "application/json" },
      payload: Readable.from([Buffer.from(`{"pad":"${"x".repeat(100)}"}`)]),
    });
    assert.equal(res.statusCode, 413);
    assert.deepEqual(Object.keys(res.json<ErrorBody>()), ["error"]);
    assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_BODY_TOO_LARGE");
  });

  it("non-JSON content types and content-encoding → 415 HB_ERR_UNSUPPORTED_MEDIA_TYPE", async () => {
    const { app, bus } = setup();
    for (const headers of [
      { "content-type": "text/plain" },
      { "content-type": "application/x-www-form-urlencoded" },
      { "content-type": "application/json", "content-encoding": "gzip" },
      {},
    ]) {
      const res = await app.inject({ method: "POST", url: "/hooks/open", payload: Buffer.from('{"alerts":[]}'), headers });
      assert.equal(res.statusCode, 415, JSON.stringify(headers));
      assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_UNSUPPORTED_MEDIA_TYPE");
    }
    assert.equal(bus.calls.length, 0);
  });

  it("+json media types are accepted by the webhook kind", async () => {
    const { app } = setup();
    const res = await app.inject({ method: "POST", url: "/hooks/tiny", payload: '{"a":1}', headers: { "content-type": "application/cloudevents+json; charset=utf-8" } });
    assert.equal(res.statusCode, 202, res.body);
  });

  it("invalid JSON → 400 HB_ERR_INVALID_JSON; empty body too", async () => {
    const { app } = setup();
    const res = await app.inject({ method: "POST", url: "/hooks/tiny", payload: '{"a":', headers: { "content-type": "application/json" } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_INVALID_JSON");
    const empty = await app.inject({ method: "POST", url: "/hooks/tiny", headers: { "content-type": "application/json" } });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json<ErrorBody>().error.code, "HB_ERR_INVALID_JSON");
  });
});

describe("routing", () => {
  it("unknown source → 404 HB_ERR_SOURCE_NOT_FOUND (before auth or body checks)", async () => {
    const { app } = setup();
    const res = await app.inject({ method: "POST", url: "/hooks/nope", payload: "x", headers: { "content-type": "text/plain" } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_SOURCE_NOT_FOUND");
  });

  it("other methods on a source → 405 with Allow: POST; unknown paths → JSON 404", async () => {
    const { app } = setup();
    for (const method of ["GET", "PUT", "DELETE", "PATCH"] as const) {
      const res = await app.inject({ method, url: "/hooks/alerts" });
      assert.equal(res.statusCode, 405, method);
      assert.equal(res.headers.allow, "POST");
      assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_METHOD_NOT_ALLOWED");
    }
    const other = await app.inject({ method: "GET", url: "/elsewhere?token=secret" });
    assert.equal(other.statusCode, 404);
    assert.equal(other.json<ErrorBody>().error.code, "HB_ERR_SOURCE_NOT_FOUND");
    assert.ok(!other.body.includes("secret"), "query string not echoed");
  });

  it("a trailing slash is accepted", async () => {
    const { app } = setup();
    const res = await app.inject({ method: "POST", url: "/hooks/alerts/", ...amFixture("firing-queue-depth") });
    assert.equal(res.statusCode, 202, res.body);
  });

  it("bad source configuration throws HB_ERR_CONFIG_INVALID at creation", () => {
    const bus = new RecordingBus();
    const make = (sources: IngestSourceConfig[]) => () => createIngestServer({ sources, bus, bodyLimit: 1000 });
    const src = SOURCES[2] as IngestSourceConfig;
    assert.throws(make([src, src]), /used twice/);
    assert.throws(make([{ ...src, kind: "carrier-pigeon" as "webhook" }]), /unknown kind/);
    assert.throws(make([{ ...src, options: { dataHostPath: 7 } }]), /dataHostPath/);
  });
});

describe("durability: publish, dedup, bus failures", () => {
  it("answers 202 only after every PubAck", async () => {
    const { app, bus } = setup();
    bus.hold = true;
    let settled = false;
    const pending = app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture("firing-queue-depth") }).then((r) => {
      settled = true;
      return r;
    });
    for (let i = 0; i < 50 && bus.pending < 2; i++) await new Promise((r) => setTimeout(r, 2));
    assert.equal(bus.pending, 2, "both publishes in flight at once");
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(settled, false, "no answer before the PubAcks");
    bus.release();
    const res = await pending;
    assert.equal(res.statusCode, 202);
  });

  it("a repeated post is answered with duplicate: true and stores nothing new", async () => {
    const { app, bus } = setup();
    const first = await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture("firing-queue-depth") });
    const again = await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture("firing-queue-depth") });
    assert.equal(first.json<Accepted>().duplicates, 0);
    assert.equal(again.statusCode, 202);
    const body = again.json<Accepted>();
    assert.equal(body.duplicates, 2);
    assert.deepEqual(body.events.map((e) => e.duplicate), [true, true]);
    assert.deepEqual(body.events.map((e) => e.id), first.json<Accepted>().events.map((e) => e.id), "same ids on retry");
    assert.equal(bus.stored.length, 2);
  });

  it("bus unavailable → 503 with Retry-After and the error body", async () => {
    const { app, bus } = setup({ retryAfterSeconds: 7 });
    bus.failWith("HB_ERR_BUS_UNAVAILABLE");
    const res = await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture("firing-queue-depth") });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers["retry-after"], "7");
    assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_BUS_UNAVAILABLE");
  });

  it("bus closed → 503 using the error's own delay for Retry-After", async () => {
    const { app, bus } = setup();
    bus.failWith("HB_ERR_BUS_CLOSED", 2500);
    const res = await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture("firing-queue-depth") });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers["retry-after"], "3");
    assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_BUS_CLOSED");
  });

  it("partial failure → 503; the sender's retry stores only the missing event", async () => {
    const { app, bus } = setup();
    bus.failFrom = { call: 1, error: new (await import("../../src/core/errors.js")).HookbookError("HB_ERR_BUS_UNAVAILABLE", "down") };
    const first = await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture("firing-queue-depth") });
    assert.equal(first.statusCode, 503);
    assert.equal(bus.stored.length, 1);
    bus.failFrom = undefined;
    const retry = await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture("firing-queue-depth") });
    assert.equal(retry.statusCode, 202);
    assert.deepEqual(retry.json<Accepted>().events.map((e) => e.duplicate), [true, false]);
    assert.equal(bus.stored.length, 2);
  });

  it("an unexpected error → 500 HB_ERR_INTERNAL without internals", async () => {
    const { app, bus } = setup();
    bus.failFrom = { call: 0, error: new Error("socket exploded at 0xdeadbeef") };
    const res = await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture("firing-queue-depth") });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json<ErrorBody>(), { error: { code: "HB_ERR_INTERNAL", message: "internal error" } });
  });
});

describe("health", () => {
  it("/healthz 200; /readyz follows bus.healthy()", async () => {
    const { app, bus } = setup();
    assert.deepEqual((await app.inject({ url: "/healthz" })).json(), { status: "ok" });
    assert.equal((await app.inject({ url: "/readyz" })).statusCode, 200);
    bus.isHealthy = false;
    const down = await app.inject({ url: "/readyz" });
    assert.equal(down.statusCode, 503);
    assert.equal(down.json<ErrorBody>().error.code, "HB_ERR_BUS_UNAVAILABLE");
  });

  it("/readyz gives up on a hanging health check", async () => {
    const { app, bus } = setup({ readyTimeoutMs: 20 });
    bus.healthy = () => new Promise<boolean>(() => {});
    assert.equal((await app.inject({ url: "/readyz" })).statusCode, 503);
  });
});

/** A stream that keeps each line written to it. */
function lineSink(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString("utf8"));
      cb();
    },
  });
  return { lines, sink };
}

describe("logging", () => {
  it("logs refusals at warn and, at debug, every stored request; never credentials", async () => {
    const { lines, sink } = lineSink();
    const { app } = setup({ logger: createIngestLogger({ level: "debug", destination: sink }) });
    const { payload, headers } = amFixture("firing-queue-depth");
    await app.inject({ method: "POST", url: "/hooks/alerts", payload, headers: { ...headers, Authorization: "Bearer wrong-secret-guess" } });
    await app.inject({ method: "POST", url: "/hooks/alerts", payload, headers });
    const all = lines.join("");
    assert.match(all, /HB_ERR_AUTH_INVALID/);
    assert.match(all, /"level":20[^\n]*events stored/, "the stored request is logged at debug");
    assert.ok(!all.includes("wrong-secret-guess"));
    assert.ok(!all.includes(AM_TOKEN));
  });

  it("makes a request's logger only when the request logs: none for stored requests at info, refusals carry the request id", async () => {
    const { lines, sink } = lineSink();
    const logger = createIngestLogger({ level: "info", destination: sink });
    let children = 0;
    const child = logger.child.bind(logger);
    logger.child = ((...args: Parameters<typeof child>) => {
      children++;
      return child(...args);
    }) as typeof logger.child;
    const { app } = setup({ logger });
    await app.ready();
    const { payload, headers } = amFixture("firing-queue-depth");
    const before = children;
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ method: "POST", url: "/hooks/alerts", payload, headers })).statusCode, 202);
    assert.equal(children, before, "no child logger for requests that log nothing at this level");
    assert.equal(lines.length, 0);
    await app.inject({ method: "POST", url: "/hooks/alerts", payload, headers: { ...headers, Authorization: "Bearer wrong-secret-guess" } });
    assert.equal(children, before + 1, "the refused request logged through its own child");
    const refusal = JSON.parse(lines.find((l) => l.includes("HB_ERR_AUTH_INVALID")) ?? "{}") as { reqId?: unknown; level?: number };
    assert.equal(refusal.level, 40);
    assert.ok(refusal.reqId !== undefined && refusal.reqId !== "", "the line carries the request id");
    assert.ok(!lines.join("").includes("wrong-secret-guess"));
  });

  it("redacts authorization and signature headers wherever they are logged", () => {
    const { lines, sink } = lineSink();
    const log = createIngestLogger({ destination: sink });
    log.info({ req: { headers: { authorization: "Bearer t0ken", "x-hub-signature-256": "sha256=abc", accept: "*/*" } } }, "x");
    log.info({ headers: { cookie: "session=c00kie" }, auth: { token: "t0ken2" } }, "y");
    const all = lines.join("");
    for (const secret of ["t0ken", "sha256=abc", "c00kie", "t0ken2"]) assert.ok(!all.includes(secret), secret);
    assert.match(all, /\*\/\*/);
  });
});
