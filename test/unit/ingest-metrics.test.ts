import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Counter, Registry, register as globalRegistry } from "prom-client";
import type { SourceAuthConfig } from "../../src/config/types.js";
import { createIngestServer, ingestMetricsRegistry } from "../../src/ingest/server.js";
import type { IngestServerOptions, IngestSourceConfig } from "../../src/ingest/server.js";
import { IngestMetrics, UNKNOWN_SOURCE_LABEL } from "../../src/ingest/metrics.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";
import { RecordingBus } from "../helpers/recording-bus.js";

const bearer: SourceAuthConfig = { type: "bearer", token: "am-fixture-bearer-token" };
const SOURCES: IngestSourceConfig[] = [
  { name: "alerts", kind: "alertmanager", auth: bearer, bodyLimit: 0, options: {} },
  { name: "open", kind: "webhook", auth: { type: "none" }, bodyLimit: 0, options: {} },
];

function setup(overrides: Partial<IngestServerOptions> = {}) {
  const bus = new RecordingBus();
  const registry = new Registry();
  const app = createIngestServer({ sources: SOURCES, bus, bodyLimit: 1024 * 1024, metrics: { registry }, ...overrides });
  return { app, bus, registry };
}

const amFixture = () => ({ payload: fixtureBytes("alertmanager/firing-queue-depth.json"), headers: fixtureHeaders("alertmanager/firing-queue-depth.headers.json") });

async function value(registry: Registry, name: string, labels: Record<string, string> = {}, metricName = name): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? [])
    .filter((v) => ((v as { metricName?: string }).metricName ?? name) === metricName && Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
    .reduce((a, v) => a + v.value, 0);
}

describe("ingest metrics", () => {
  it("a 202 counts the request, its events received/accepted, the publish and request latencies", async () => {
    const { app, registry } = setup();
    const res = await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture() });
    assert.equal(res.statusCode, 202);
    assert.equal(await value(registry, "hookbook_ingest_requests_total", { source: "alerts", kind: "alertmanager", code: "202" }), 1);
    assert.equal(await value(registry, "hookbook_ingest_events_received_total", { source: "alerts" }), 2);
    assert.equal(await value(registry, "hookbook_ingest_events_accepted_total", { source: "alerts" }), 2);
    assert.equal(await value(registry, "hookbook_ingest_events_duplicate_total", { source: "alerts" }), 0);
    assert.equal(await value(registry, "hookbook_ingest_publish_seconds", { source: "alerts" }, "hookbook_ingest_publish_seconds_count"), 1);
    assert.equal(await value(registry, "hookbook_ingest_request_seconds", { source: "alerts" }, "hookbook_ingest_request_seconds_count"), 1);
    assert.equal(await value(registry, "hookbook_ingest_rejected_total"), 0);
  });

  it("a retry counts duplicates; refusals count by HB_ERR code; unknown names share one label", async () => {
    const { app, registry } = setup();
    await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture() });
    await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture() });
    const { payload, headers } = amFixture();
    await app.inject({ method: "POST", url: "/hooks/alerts", payload, headers: { ...headers, Authorization: "Bearer wrong" } });
    await app.inject({ method: "POST", url: "/hooks/open", payload: "{", headers: { "content-type": "application/json" } });
    await app.inject({ method: "GET", url: "/hooks/open" });
    for (const name of ["a1", "b2", "c3"]) await app.inject({ method: "POST", url: `/hooks/${name}`, payload: "{}", headers: { "content-type": "application/json" } });
    assert.equal(await value(registry, "hookbook_ingest_events_duplicate_total", { source: "alerts" }), 2);
    assert.equal(await value(registry, "hookbook_ingest_events_accepted_total", { source: "alerts" }), 4);
    assert.equal(await value(registry, "hookbook_ingest_rejected_total", { source: "alerts", reason: "HB_ERR_AUTH_INVALID" }), 1);
    assert.equal(await value(registry, "hookbook_ingest_requests_total", { source: "alerts", code: "401" }), 1);
    assert.equal(await value(registry, "hookbook_ingest_rejected_total", { source: "open", reason: "HB_ERR_INVALID_JSON" }), 1);
    assert.equal(await value(registry, "hookbook_ingest_rejected_total", { source: "open", reason: "HB_ERR_METHOD_NOT_ALLOWED" }), 1);
    assert.equal(await value(registry, "hookbook_ingest_rejected_total", { source: UNKNOWN_SOURCE_LABEL, reason: "HB_ERR_SOURCE_NOT_FOUND" }), 3);
    assert.equal(await value(registry, "hookbook_ingest_requests_total", { source: UNKNOWN_SOURCE_LABEL, kind: UNKNOWN_SOURCE_LABEL, code: "404" }), 3);
    // Only the events of authenticated, well-formed requests are received.
    assert.equal(await value(registry, "hookbook_ingest_events_received_total", { source: "alerts" }), 4);
    assert.equal(await value(registry, "hookbook_ingest_events_received_total", { source: "open" }), 0);
  });

  it("bus down: the events were received but not accepted, rejected as HB_ERR_BUS_UNAVAILABLE, no publish observation", async () => {
    const { app, bus, registry } = setup();
    bus.failWith("HB_ERR_BUS_UNAVAILABLE");
    const res = await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture() });
    assert.equal(res.statusCode, 503);
    assert.equal(await value(registry, "hookbook_ingest_events_received_total", { source: "alerts" }), 2);
    assert.equal(await value(registry, "hookbook_ingest_events_accepted_total", { source: "alerts" }), 0);
    assert.equal(await value(registry, "hookbook_ingest_rejected_total", { source: "alerts", reason: "HB_ERR_BUS_UNAVAILABLE" }), 1);
    assert.equal(await value(registry, "hookbook_ingest_requests_total", { source: "alerts", code: "503" }), 1);
    assert.equal(await value(registry, "hookbook_ingest_publish_seconds", {}, "hookbook_ingest_publish_seconds_count"), 0);
  });

  it("publish latency spans the wait for the PubAcks", async () => {
    const { app, bus, registry } = setup();
    bus.hold = true;
    const pending = app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture() });
    while (bus.pending < 2) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, 60));
    bus.release();
    assert.equal((await pending).statusCode, 202);
    const sum = await value(registry, "hookbook_ingest_publish_seconds", { source: "alerts" }, "hookbook_ingest_publish_seconds_sum");
    assert.ok(sum >= 0.05 && sum < 5, `publish seconds ${sum}`);
  });

  it("GET /metrics serves the registry in Prometheus text format", async () => {
    const { app, registry } = setup();
    await app.inject({ method: "POST", url: "/hooks/alerts", ...amFixture() });
    const res = await app.inject({ url: "/metrics" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], registry.contentType);
    assert.match(res.body, /^# TYPE hookbook_ingest_requests_total counter$/m);
    assert.match(res.body, /^hookbook_ingest_requests_total\{source="alerts",kind="alertmanager",code="202"\} 1$/m);
    assert.match(res.body, /^hookbook_ingest_publish_seconds_bucket\{le="\+Inf",source="alerts"\} 1$/m);
    for (const name of [
      "hookbook_ingest_events_received_total",
      "hookbook_ingest_events_accepted_total",
      "hookbook_ingest_events_duplicate_total",
      "hookbook_ingest_events_stale_total",
      "hookbook_ingest_events_dropped_total",
      "hookbook_ingest_rejected_total",
      "hookbook_ingest_client_errors_total",
      "hookbook_ingest_request_seconds",
    ]) {
      assert.match(res.body, new RegExp(`^# TYPE ${name} `, "m"), name);
    }
  });

  it("registries are isolated: a fresh one per server by default, never prom-client's global one", async () => {
    const a = createIngestServer({ sources: SOURCES, bus: new RecordingBus(), bodyLimit: 1024 });
    const b = createIngestServer({ sources: SOURCES, bus: new RecordingBus(), bodyLimit: 1024 });
    await a.inject({ method: "POST", url: "/hooks/nope", payload: "{}", headers: { "content-type": "application/json" } });
    const ra = ingestMetricsRegistry(a);
    const rb = ingestMetricsRegistry(b);
    assert.ok(ra && rb && ra !== rb);
    assert.equal(await value(ra, "hookbook_ingest_requests_total"), 1);
    assert.equal(await value(rb, "hookbook_ingest_requests_total"), 0);
    assert.equal(globalRegistry.getSingleMetric("hookbook_ingest_requests_total"), undefined);
  });

  it("a passed registry is used and served; Registry.merge brings other components' metrics onto /metrics", async () => {
    const other = new Registry();
    new Counter({ name: "hookbook_engine_events_total", help: "engine events", registers: [other] }).inc(3);
    const merged = Registry.merge([other]);
    const { app } = setup({ metrics: { registry: merged } });
    assert.equal(ingestMetricsRegistry(app), merged);
    const text = (await app.inject({ url: "/metrics" })).body;
    assert.match(text, /^hookbook_engine_events_total 3$/m);
    assert.match(text, /^# TYPE hookbook_ingest_requests_total counter$/m);
  });

  it("IngestMetrics reuses metrics already on a registry (a second server on the same registry)", () => {
    const registry = new Registry();
    const first = new IngestMetrics(registry);
    first.requestRejected("s", "HB_ERR_AUTH_INVALID");
    assert.doesNotThrow(() => new IngestMetrics(registry).requestRejected("s", "HB_ERR_AUTH_INVALID"));
    assert.doesNotThrow(() => createIngestServer({ sources: SOURCES, bus: new RecordingBus(), bodyLimit: 1024, metrics: { registry } }));
  });
});
