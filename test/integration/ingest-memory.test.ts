// Long-horizon dedup (seen ids in KV beyond the stream's duplicate window) and stale marking.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMemoryBus } from "../../src/bus/memory.js";
import type { Bus, Delivery } from "../../src/bus/port.js";
import { STREAM_EVENTS, defaultStreams } from "../../src/bus/streams.js";
import { VirtualClock } from "../../src/core/clock.js";
import type { EventEnvelope } from "../../src/core/envelope.js";
import { openIngestMemory } from "../../src/ingest/ingest-memory.js";
import { createIngestServer } from "../../src/ingest/server.js";
import type { IngestSourceConfig } from "../../src/ingest/server.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";

const MINUTE = 60_000;

async function stored(bus: Bus): Promise<EventEnvelope[]> {
  const got: EventEnvelope[] = [];
  const h = await bus.consume({ stream: STREAM_EVENTS, durable: `read${Math.random().toString(36).slice(2)}` }, async (d: Delivery) => {
    got.push(d.json<EventEnvelope>());
  });
  await new Promise((r) => setTimeout(r, 50));
  await h.stop();
  return got;
}

async function setup(source: Partial<IngestSourceConfig> & Pick<IngestSourceConfig, "name" | "kind">, withMemory = true) {
  const clock = new VirtualClock(Date.UTC(2026, 4, 12, 16));
  const bus = createMemoryBus({ clock });
  // A short duplicate window, so "a retry after the window" is a few virtual minutes away.
  await bus.ensureStreams(defaultStreams().map((s) => (s.name === STREAM_EVENTS ? { ...s, duplicateWindowMs: 2 * MINUTE } : s)));
  const memory = withMemory ? await openIngestMemory(bus) : undefined;
  const app = createIngestServer({ sources: [{ auth: { type: "none" }, bodyLimit: 1 << 20, options: {}, ...source }], bus, bodyLimit: 1 << 20, clock, ...(memory ? { memory } : {}) });
  return { app, bus, clock };
}

async function post(app: Awaited<ReturnType<typeof setup>>["app"], source: string, fixture: string) {
  const headers = { ...fixtureHeaders(`${fixture}.headers.json`) };
  delete headers.Authorization;
  delete headers["X-Api-Key"];
  const res = await app.inject({ method: "POST", url: `/hooks/${source}`, headers, payload: fixtureBytes(`${fixture}.json`) });
  return { status: res.statusCode, body: res.json() as { accepted: number; duplicates: number; events: { duplicate: boolean; stale?: boolean; dropped?: boolean }[] } };
}

describe("long-horizon dedup", () => {
  test("an EventBridge retry after the stream's duplicate window is still a duplicate (KV of seen ids)", async () => {
    const { app, bus, clock } = await setup({ name: "aws", kind: "eventbridge" });
    assert.equal((await post(app, "aws", "aws/spot-interruption-eventbridge")).body.duplicates, 0);
    await clock.advanceTo(clock.now() + 30 * MINUTE);
    const retry = await post(app, "aws", "aws/spot-interruption-eventbridge");
    assert.equal(retry.status, 202);
    assert.equal(retry.body.duplicates, 1);
    assert.equal((await stored(bus)).length, 1, "stored once");
  });

  test("without the KV (or for kinds with short retries by default) only the window protects", async () => {
    const { app, bus, clock } = await setup({ name: "aws", kind: "eventbridge" }, false);
    await post(app, "aws", "aws/spot-interruption-eventbridge");
    await clock.advanceTo(clock.now() + 30 * MINUTE);
    assert.equal((await post(app, "aws", "aws/spot-interruption-eventbridge")).body.duplicates, 0);
    assert.equal((await stored(bus)).length, 2, "the control: past the window JetStream alone stores it again");
  });
});

describe("stale events", () => {
  test("a firing that arrives after its resolved is stored with meta.stale", async () => {
    const { app, bus } = await setup({ name: "am", kind: "alertmanager" });
    await post(app, "am", "alertmanager/resolved");
    const late = await post(app, "am", "alertmanager/firing-queue-depth");
    assert.equal(late.status, 202);
    assert.deepEqual(late.body.events.map((e) => e.stale === true), [true, true]);
    const envs = await stored(bus);
    const firing = envs.filter((e) => e.type === "alertmanager.alert.firing");
    assert.equal(firing.length, 2);
    for (const e of firing) {
      assert.equal(e.stale, true);
      assert.equal((e.data.meta as { stale?: boolean }).stale, true);
    }
    assert.ok(envs.filter((e) => e.type === "alertmanager.alert.resolved").every((e) => e.stale === undefined));
  });

  test("in order, nothing is stale", async () => {
    const { app } = await setup({ name: "am", kind: "alertmanager" });
    await post(app, "am", "alertmanager/firing-queue-depth");
    const resolved = await post(app, "am", "alertmanager/resolved");
    assert.ok(resolved.body.events.every((e) => e.stale === undefined));
  });

  test("dropStale: the late events are answered as dropped and not stored", async () => {
    const { app, bus } = await setup({ name: "am", kind: "alertmanager", dropStale: true });
    await post(app, "am", "alertmanager/resolved");
    const late = await post(app, "am", "alertmanager/firing-queue-depth");
    assert.ok(late.body.events.every((e) => e.dropped === true && e.stale === true));
    assert.equal((await stored(bus)).filter((e) => e.type === "alertmanager.alert.firing").length, 0);
  });
});
