/**
 * The ingest memory shared by several ingest processes over one real nats-server (two buses, two
 * servers: what two `hookbook serve --roles ingest` replicas are): a delivery stored through one
 * is a duplicate at the other after the stream's duplicate window; a late firing at one is stale
 * after the other stored its resolved; a process started later knows both. Once the mirrors have
 * read the buckets, those answers cost no KV get.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { connectNatsBus } from "../../src/bus/nats/connect.js";
import type { Bus, KvBucket } from "../../src/bus/port.js";
import { STREAM_EVENTS, defaultStreams } from "../../src/bus/streams.js";
import { openIngestMemory } from "../../src/ingest/ingest-memory.js";
import type { IngestMemory } from "../../src/ingest/ingest-memory.js";
import { createIngestServer } from "../../src/ingest/server.js";
import type { IngestSourceConfig } from "../../src/ingest/server.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";
import type { TestNats } from "../helpers/nats.js";
import { natsServerBinary, startTestNats } from "../helpers/nats.js";

const SOURCES: IngestSourceConfig[] = [
  { name: "aws", kind: "eventbridge", auth: { type: "api-key", header: "x-api-key", key: "eb-fixture-api-key-5d1c0e" }, bodyLimit: 0, options: {} },
  { name: "am", kind: "alertmanager", auth: { type: "bearer", token: "am-fixture-bearer-token" }, bodyLimit: 0, options: {} },
];
/** The stream's duplicate window in this test: a retry after it is caught by the memory only. */
const WINDOW_MS = 1000;

interface Replica {
  readonly bus: Bus;
  readonly memory: IngestMemory;
  readonly app: FastifyInstance;
  /** KV gets the memory made (a mirror that can answer makes none). */
  gets(): number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The bus, with every KV get counted. */
function countingGets(bus: Bus): { bus: Bus; gets: () => number } {
  let gets = 0;
  const counted: Bus = {
    ...bus,
    kv: async (spec) => {
      const bucket = await bus.kv(spec);
      const wrapped: KvBucket = {
        ...bucket,
        get: (key) => {
          gets++;
          return bucket.get(key);
        },
      };
      return wrapped;
    },
  };
  return { bus: counted, gets: () => gets };
}

async function replica(url: string, name: string): Promise<Replica> {
  const real = await connectNatsBus({ url, name, logger: { warn: () => undefined } });
  const { bus, gets } = countingGets(real);
  const memory = await openIngestMemory(bus, { syncEveryMs: 100 });
  const app = createIngestServer({ sources: SOURCES, bus, bodyLimit: 1 << 20, memory });
  await app.ready();
  return { bus: real, memory, app, gets };
}

async function close(r: Replica | undefined): Promise<void> {
  if (!r) return;
  r.memory.close();
  await r.app.close();
  await r.bus.close();
}

const post = async (r: Replica, source: string, fixture: string) => {
  const res = await r.app.inject({ method: "POST", url: `/hooks/${source}`, headers: fixtureHeaders(`${fixture}.headers.json`), payload: fixtureBytes(`${fixture}.json`) });
  assert.equal(res.statusCode, 202, res.body);
  return res.json<{ accepted: number; duplicates: number; events: { duplicate: boolean; stale?: boolean }[] }>();
};

describe("ingest memory shared by two ingest processes", { skip: natsServerBinary === undefined && "nats-server not installed" }, () => {
  let nats: TestNats;
  let a: Replica | undefined;
  let b: Replica | undefined;
  let c: Replica | undefined;

  before(async () => {
    nats = await startTestNats();
    const setup = await connectNatsBus({ url: nats.url, name: "setup" });
    await setup.ensureStreams(defaultStreams().map((s) => (s.name === STREAM_EVENTS ? { ...s, duplicateWindowMs: WINDOW_MS } : s)));
    await setup.close();
    a = await replica(nats.url, "replica-a");
    b = await replica(nats.url, "replica-b");
    await sleep(300); // both mirrors have read the (empty) buckets
  });

  after(async () => {
    await close(a);
    await close(b);
    await close(c);
    await nats?.stop();
  });

  const storedCount = async (): Promise<number> => (await a?.bus.streamInfo?.(STREAM_EVENTS))?.messages ?? Number.NaN;

  it("an EventBridge retry to the other process after the duplicate window is a duplicate, stored once, with no KV get", async () => {
    const first = await post(a as Replica, "aws", "aws/spot-interruption-eventbridge");
    assert.equal(first.duplicates, 0);
    const storedBefore = await storedCount();
    await sleep(WINDOW_MS + 500); // past JetStream's window; b's mirror has read a's seen id
    const retry = await post(b as Replica, "aws", "aws/spot-interruption-eventbridge");
    assert.equal(retry.duplicates, 1);
    assert.equal(await storedCount(), storedBefore, "nothing new stored");
    assert.equal(b?.gets(), 0, "answered from b's mirror");
  });

  it("a late firing at one process is stale after the other stored the resolved", async () => {
    await post(a as Replica, "am", "alertmanager/resolved");
    await sleep(400);
    const late = await post(b as Replica, "am", "alertmanager/firing-queue-depth");
    assert.deepEqual(
      late.events.map((e) => e.stale === true),
      [true, true],
    );
    assert.equal(b?.gets(), 0);
  });

  it("a process started later loads both buckets: duplicates and staleness without a KV get", async () => {
    c = await replica(nats.url, "replica-c");
    await sleep(400);
    assert.equal((await post(c, "aws", "aws/spot-interruption-eventbridge")).duplicates, 1);
    const late = await post(c, "am", "alertmanager/firing-queue-depth");
    assert.deepEqual(
      late.events.map((e) => e.stale === true),
      [true, true],
    );
    assert.equal(c.gets(), 0);
  });
});
