/**
 * Ingest against a real nats-server (its own, random port, temporary store) and the real NATS
 * bus, wired as `hookbook serve` wires it (default streams, the ingest memory): a fixture POST is
 * stored in HB_EVENTS and consumable; the same POST again is answered as duplicates and stored
 * once; with the server stopped the answer is a quick 503 + Retry-After and nothing is stored;
 * with the server back the retry is stored exactly once. The metrics follow every step.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { connectNatsBus } from "../../src/bus/nats/connect.js";
import type { Bus, Delivery } from "../../src/bus/port.js";
import { STREAM_EVENTS, defaultStreams } from "../../src/bus/streams.js";
import type { SourceAuthConfig } from "../../src/config/types.js";
import type { EventEnvelope } from "../../src/core/envelope.js";
import { openIngestMemory } from "../../src/ingest/ingest-memory.js";
import { createIngestServer } from "../../src/ingest/server.js";
import type { IngestSourceConfig } from "../../src/ingest/server.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";
import type { TestNats } from "../helpers/nats.js";
import { natsServerBinary, startTestNats } from "../helpers/nats.js";

const githubHmac: SourceAuthConfig = {
  type: "hmac",
  secret: "It's a Secret to Everybody",
  header: "x-hub-signature-256",
  algorithm: "sha256",
  encoding: "hex",
  prefix: "sha256=",
};

const SOURCES: IngestSourceConfig[] = [
  { name: "alerts", kind: "alertmanager", auth: { type: "bearer", token: "am-fixture-bearer-token" }, bodyLimit: 0, options: {} },
  { name: "github", kind: "github", auth: githubHmac, bodyLimit: 0, options: {} },
];

const post = (app: FastifyInstance, source: string, fixture: string, headersFile = `${fixture}.headers.json`) =>
  app.inject({ method: "POST", url: `/hooks/${source}`, payload: fixtureBytes(`${fixture}.json`), headers: fixtureHeaders(headersFile) });

interface Accepted {
  accepted: number;
  duplicates: number;
  events: { id: string; type: string; duplicate: boolean }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe("ingest on a real nats-server", { skip: natsServerBinary === undefined && "nats-server not installed" }, () => {
  let nats: TestNats;
  let bus: Bus;
  let app: FastifyInstance;
  const registry = new Registry();

  const stored = async (): Promise<number> => (await bus.streamInfo?.(STREAM_EVENTS))?.messages ?? Number.NaN;
  const metric = async (name: string, labels: Record<string, string>): Promise<number> => {
    const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
    return (m?.values ?? [])
      .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
      .reduce((a, v) => a + v.value, 0);
  };

  before(async () => {
    nats = await startTestNats();
    bus = await connectNatsBus({ url: nats.url, name: "ingest-nats-test", publishTimeoutMs: 1500, logger: { warn: () => undefined } });
    await bus.ensureStreams(defaultStreams());
    app = createIngestServer({ sources: SOURCES, bus, bodyLimit: 1024 * 1024, memory: await openIngestMemory(bus), metrics: { registry }, retryAfterSeconds: 2 });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    await bus?.close();
    await nats?.stop();
  });

  it("a fixture POST → 202 after the PubAcks; the events are in HB_EVENTS and consumable", async () => {
    const res = await post(app, "alerts", "alertmanager/firing-queue-depth");
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json<Accepted>();
    assert.equal(body.accepted, 2);
    assert.equal(body.duplicates, 0);
    assert.equal(await stored(), 2);

    const seen: EventEnvelope[] = [];
    const consumer = await bus.consume({ stream: STREAM_EVENTS, durable: "ingest-test-reader", filterSubjects: ["events.alerts.>"] }, async (d: Delivery) => {
      seen.push(d.json<EventEnvelope>());
    });
    try {
      await waitFor("both events consumed", () => seen.length >= 2);
    } finally {
      await consumer.stop();
    }
    assert.deepEqual(seen.map((e) => e.id).sort(), body.events.map((e) => e.id).sort());
    assert.ok(seen.every((e) => e.source === "alerts" && e.kind === "alertmanager" && e.type === "alertmanager.alert.firing"));
    await bus.deleteConsumer?.(STREAM_EVENTS, "ingest-test-reader");
  });

  it("the same POST again → 202 with every event a duplicate; the stream holds them once", async () => {
    const res = await post(app, "alerts", "alertmanager/firing-queue-depth");
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json<Accepted>();
    assert.equal(body.duplicates, 2);
    assert.deepEqual(body.events.map((e) => e.duplicate), [true, true]);
    assert.equal(await stored(), 2);
    // Long-horizon dedup (github is a long-retry kind): stored once, then a duplicate.
    const first = await post(app, "github", "github/push");
    assert.equal(first.statusCode, 202, first.body);
    assert.equal(first.json<Accepted>().duplicates, 0);
    const again = await post(app, "github", "github/push");
    assert.equal(again.json<Accepted>().duplicates, 1);
    assert.equal(await stored(), 3);
  });

  const outage = async (source: string, fixture: string, maxMs: number): Promise<void> => {
    const t0 = Date.now();
    const res = await post(app, source, fixture);
    const elapsed = Date.now() - t0;
    assert.equal(res.statusCode, 503, `${source}: ${res.body}`);
    assert.match(String(res.headers["retry-after"]), /^[1-9]\d*$/);
    assert.deepEqual(Object.keys(res.json<{ error: object }>()), ["error"]);
    assert.equal(res.json<{ error: { code: string } }>().error.code, "HB_ERR_BUS_UNAVAILABLE");
    assert.ok(elapsed < maxMs, `${source}: answered after ${elapsed} ms`);
  };

  it("server stopped → quick 503 + Retry-After with HB_ERR_BUS_UNAVAILABLE", async () => {
    await nats.stopServer();
    await waitFor("the bus to notice", async () => !(await bus.healthy()));
    assert.equal((await app.inject({ url: "/readyz" })).statusCode, 503);
    await outage("alerts", "alertmanager/resolved", 2000);
  });

  // Known issue (reported): a long-retry kind first reads the seen-ids KV, and a KV read while
  // disconnected waits for the JetStream API timeout (5 s) instead of failing fast like publish.
  it("server stopped → a long-dedup source (github) answers 503 just as quickly", async () => {
    await outage("github", "github/pull_request-opened", 2000);
  });

  it("server back → nothing was stored during the outage; the retry is stored exactly once", async () => {
    await nats.startServer();
    await waitFor("the bus to reconnect", () => bus.healthy(), 15_000);
    assert.equal((await app.inject({ url: "/readyz" })).statusCode, 200);
    assert.equal(await stored(), 3, "nothing was stored while the server was down");

    const retry = await post(app, "alerts", "alertmanager/resolved");
    assert.equal(retry.statusCode, 202, retry.body);
    assert.equal(retry.json<Accepted>().duplicates, 0);
    const retryGh = await post(app, "github", "github/pull_request-opened");
    assert.equal(retryGh.statusCode, 202, retryGh.body);
    assert.equal(retryGh.json<Accepted>().duplicates, 0);
    assert.equal(await stored(), 6);
    const again = await post(app, "alerts", "alertmanager/resolved");
    assert.equal(again.json<Accepted>().duplicates, 2);
    assert.equal(await stored(), 6, "stored exactly once");
  });

  it("the metrics followed every step", async () => {
    assert.equal(await metric("hookbook_ingest_requests_total", { source: "alerts", kind: "alertmanager", code: "202" }), 4);
    assert.equal(await metric("hookbook_ingest_requests_total", { source: "alerts", code: "503" }), 1);
    assert.equal(await metric("hookbook_ingest_requests_total", { source: "github", code: "202" }), 3);
    assert.equal(await metric("hookbook_ingest_requests_total", { source: "github", code: "503" }), 1);
    assert.equal(await metric("hookbook_ingest_rejected_total", { reason: "HB_ERR_BUS_UNAVAILABLE" }), 2);
    // received counts the 503 request's events too; accepted only what a 202 confirmed.
    assert.equal(await metric("hookbook_ingest_events_received_total", { source: "alerts" }), 10);
    assert.equal(await metric("hookbook_ingest_events_accepted_total", { source: "alerts" }), 8);
    assert.equal(await metric("hookbook_ingest_events_duplicate_total", { source: "alerts" }), 4);
    assert.equal(await metric("hookbook_ingest_events_accepted_total", { source: "github" }), 3);
    assert.equal(await metric("hookbook_ingest_events_duplicate_total", { source: "github" }), 1);
    const publish = (await registry.getMetricsAsJSON()).find((m) => m.name === "hookbook_ingest_publish_seconds");
    const count = publish?.values.find((v) => (v as { metricName?: string }).metricName === "hookbook_ingest_publish_seconds_count" && v.labels.source === "alerts");
    assert.equal(count?.value, 4, "one publish observation per 202");
    const text = (await app.inject({ url: "/metrics" })).body;
    assert.match(text, /^hookbook_ingest_requests_total\{source="alerts",kind="alertmanager",code="503"\} 1$/m);
  });
});
