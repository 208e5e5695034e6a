/**
 * Preparation threads (server.ingestThreads): requests prepared in a thread are answered and
 * stored byte for byte as when prepared in the HTTP thread — every source kind with offline auth,
 * refusals, the OIDC path that fetches a JWKS from the thread — and a thread that crashes or
 * stops answering is replaced without losing what comes after.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import type { FastifyInstance } from "fastify";
import { createMemoryBus } from "../../src/bus/memory.js";
import type { Bus, StoredMessage } from "../../src/bus/port.js";
import { STREAM_EVENTS, defaultStreams } from "../../src/bus/streams.js";
import { VirtualClock } from "../../src/core/clock.js";
import { isHookbookError } from "../../src/core/errors.js";
import { THREAD_READY, ThreadPreparer, inlinePreparer, spawnPrepareThread } from "../../src/ingest/prepare-pool.js";
import type { PrepareThreadData } from "../../src/ingest/prepare-pool.js";
import { createIngestServer } from "../../src/ingest/server.js";
import type { IngestSourceConfig } from "../../src/ingest/server.js";
import { resolveSources } from "../../src/ingest/source-set.js";
import { fixtureBytes, fixtureHeaders, fixturePath } from "../helpers/fixtures.js";
import { AUTH, GRAFANA_TS } from "../unit/sources-git-helper.js";
import { readFileSync } from "node:fs";

/** A minute after Grafana's signed timestamp (GitLab's signing-token timestamp is an hour earlier: its source allows a day). */
const NOW = (GRAFANA_TS + 60) * 1000;

function sources(jwksUrl: string): IngestSourceConfig[] {
  const authed = (name: string, kind: IngestSourceConfig["kind"], auth: IngestSourceConfig["auth"]): IngestSourceConfig => ({ name, kind, auth, bodyLimit: 0, options: {} });
  return [
    authed("am", "alertmanager", { type: "bearer", token: "am-fixture-bearer-token" }),
    authed("gh", "github", AUTH.github),
    authed("graf", "grafana", AUTH.grafana),
    authed("gl", "gitlab", AUTH.gitlabToken),
    authed("gl-signed", "gitlab", { ...AUTH.gitlabSigning, toleranceSec: 86_400 }),
    authed("gitea", "gitea", AUTH.gitea),
    authed("eb", "eventbridge", { type: "api-key", header: "x-api-key", key: "eb-fixture-api-key-5d1c0e" }),
    authed("ce", "cloudevents", { type: "bearer", token: "ce-fixture-token" }),
    authed("kee", "k8s-events", { type: "bearer", token: "kee-fixture-token" }),
    authed("ps", "pubsub", {
      type: "oidc",
      audience: "https://events.gpu.acme.example/ingest/gcp/pubsub",
      issuers: ["https://accounts.google.com"],
      serviceAccountEmail: "pubsub-push@acme-gpu-prod.iam.gserviceaccount.com",
      jwksUrl,
      clockSkewSec: 86_400,
    }),
    { ...authed("small", "alertmanager", { type: "none" }), bodyLimit: 64 },
  ];
}

interface Case {
  readonly source: string;
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

const fx = (source: string, body: string, headers: string, extra: Record<string, string> = {}): Case => ({ source, body: fixtureBytes(body), headers: { ...fixtureHeaders(headers), ...extra } });

const CASES: readonly Case[] = [
  fx("am", "alertmanager/firing-queue-depth.json", "alertmanager/firing-queue-depth.headers.json"),
  fx("am", "alertmanager/resolved.json", "alertmanager/resolved.headers.json"),
  fx("gh", "github/push.json", "github/push.headers.json"),
  fx("gh", "github/workflow_job-queued.json", "github/workflow_job-queued.headers.json"),
  fx("gh", "github/push.form.txt", "github/push.form.headers.json"),
  fx("graf", "grafana/alert.json", "grafana/alert.headers.json"),
  fx("gl", "gitlab/merge_request.json", "gitlab/merge_request.headers.json"),
  fx("gl-signed", "gitlab/push.json", "gitlab/push.signing-token.headers.json"),
  fx("gitea", "gitea/push.json", "gitea/push.headers.json"),
  fx("eb", "aws/spot-interruption-eventbridge.json", "aws/spot-interruption-eventbridge.headers.json"),
  fx("ce", "cloudevents/batch.json", "cloudevents/batch.headers.json"),
  fx("ce", "cloudevents/binary.json", "cloudevents/binary.headers.json"),
  fx("kee", "k8s/event-failedscheduling-gpu.json", "k8s/event-failedscheduling-gpu.headers.json"),
  fx("ps", "gcp/pubsub-push-preempted.json", "gcp/pubsub-push-preempted.headers.json"),
  // refusals: wrong secret, tampered body, not JSON, over the source's body limit
  fx("am", "alertmanager/firing-queue-depth.json", "alertmanager/firing-queue-depth.headers.json", { Authorization: "Bearer wrong" }),
  { ...fx("gh", "github/push.json", "github/push.headers.json"), body: Buffer.from(fixtureBytes("github/push.json").toString("utf8").replace("main", "evil")) },
  { source: "kee", body: Buffer.from("{not json"), headers: { "content-type": "application/json", authorization: "Bearer kee-fixture-token" } },
  fx("small", "alertmanager/firing-queue-depth.json", "alertmanager/firing-queue-depth.headers.json"),
];

interface Stack {
  readonly app: FastifyInstance;
  readonly bus: Bus;
}

async function stack(threads: number, jwksUrl: string): Promise<Stack> {
  const clock = new VirtualClock(NOW);
  const bus = createMemoryBus({ clock });
  await bus.ensureStreams(defaultStreams());
  const app = createIngestServer({ sources: sources(jwksUrl), bus, bodyLimit: 1 << 20, clock, threads, authFetch: { allowHttp: true } });
  await app.ready();
  return { app, bus };
}

async function storedMessages(bus: Bus): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  for await (const m of bus.readMessages?.(STREAM_EVENTS) ?? []) out.push(m);
  return out;
}

describe("preparation threads", () => {
  let jwks: Server;
  let jwksUrl = "";
  let inline: Stack;
  let threaded: Stack;

  before(async () => {
    const body = readFileSync(fixturePath("gcp/test-keys/jwks.json"));
    jwks = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(body));
    await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    inline = await stack(0, jwksUrl);
    threaded = await stack(2, jwksUrl);
  });

  after(async () => {
    await inline?.app.close();
    await threaded?.app.close();
    jwks?.close();
  });

  it("its threads are ready before the tests below, and /metrics says how many", async () => {
    const threadsMetric = async (app: FastifyInstance) => /^hookbook_ingest_threads (\d+)$/m.exec((await app.inject({ method: "GET", url: "/metrics" })).body)?.[1];
    // app.ready() waits up to 5 s for them; a machine this slow to start a thread gets more time here
    const deadline = Date.now() + 30_000;
    while ((await threadsMetric(threaded.app)) !== "2" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await threadsMetric(threaded.app), "2");
    assert.equal(await threadsMetric(inline.app), "0");
  });

  it("answers and stores exactly what the HTTP thread does, for every kind, refusals included", async () => {
    let accepted = 0;
    for (const c of CASES) {
      const request = { method: "POST" as const, url: `/hooks/${c.source}`, headers: c.headers, payload: c.body };
      const [a, b] = await Promise.all([inline.app.inject(request), threaded.app.inject(request)]);
      assert.equal(b.statusCode, a.statusCode, `${c.source}: ${b.body} vs ${a.body}`);
      assert.deepEqual(b.json(), a.json(), c.source);
      if (a.statusCode === 202) accepted++;
    }
    assert.equal(accepted, 14, "every fixture case is accepted (the refusals are the last four)");
    const [one, two] = await Promise.all([storedMessages(inline.bus), storedMessages(threaded.bus)]);
    assert.ok(one.length >= 14);
    assert.equal(two.length, one.length);
    for (const [i, m] of one.entries()) {
      const t = two[i] as StoredMessage;
      assert.equal(t.subject, m.subject);
      assert.deepEqual(t.headers, m.headers, "the same Nats-Msg-Id");
      assert.equal(Buffer.from(t.data).toString("utf8"), Buffer.from(m.data).toString("utf8"), `${m.subject}: the same envelope bytes`);
    }
  });

  it("a burst of concurrent requests over several threads is answered in full", async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        threaded.app.inject({ method: "POST", url: "/hooks/kee", headers: { "content-type": "application/json", authorization: "Bearer kee-fixture-token" }, payload: fixtureBytes("k8s/event-failedscheduling-gpu.json").toString("utf8").replace('"resourceVersion": "', `"resourceVersion": "${i}`) }),
      ),
    );
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      answers.map(() => 202),
    );
    assert.equal(new Set(answers.map((r) => r.json<{ events: { id: string }[] }>().events[0]?.id)).size, 200, "200 distinct events");
  });
});

describe("a preparation thread that fails", () => {
  const data: PrepareThreadData = { sources: sources("https://keys.invalid/jwks.json"), bodyLimit: 1 << 20, limits: { maxItemsPerRequest: 1000 } };
  const resolved = resolveSources(data);
  const am = resolved.get("am");
  const clock = new VirtualClock(NOW);
  const req = () => ({ body: fixtureBytes("alertmanager/firing-queue-depth.json"), rawHeaders: Object.entries(fixtureHeaders("alertmanager/firing-queue-depth.headers.json")).flat(), receivedAt: new Date(NOW).toISOString() });
  const fallback = inlinePreparer({ nowMs: () => clock.now(), fetchText: async () => "" }, data.limits);

  /** The first thread runs `script`; the ones after it are the real preparation thread. */
  const spawnFirst = (script: string) => {
    let spawned = 0;
    return (d: PrepareThreadData): Worker => (spawned++ === 0 ? new Worker(script, { eval: true }) : spawnPrepareThread(d));
  };

  const isInternal = (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_INTERNAL";
  /** A thread script: says it is ready, then does `onMessage` with each batch. */
  const script = (onMessage: string) => `const port = require("node:worker_threads").parentPort; port.on("message", ${onMessage}); port.postMessage(${JSON.stringify(THREAD_READY)});`;
  const ready = async (pool: ThreadPreparer) => {
    await pool.whenReady(30_000);
    assert.equal(pool.threads, 1, "the thread is ready");
  };

  it("takes no work before it is ready: requests meanwhile are prepared inline", async () => {
    assert.ok(am);
    // a thread that would crash on work, and says it is ready only when told
    const late = `const port = require("node:worker_threads").parentPort; port.on("message", () => process.exit(3)); setTimeout(() => port.postMessage(${JSON.stringify(THREAD_READY)}), 300);`;
    const pool = new ThreadPreparer({ ...data, threads: 1, clock, fallback, spawn: spawnFirst(late) });
    try {
      assert.equal(pool.threads, 0);
      assert.equal((await pool.prepare(am, req())).length, 2, "prepared inline while the thread starts");
      await ready(pool);
      await assert.rejects(Promise.resolve(pool.prepare(am, req())), isInternal, "now work goes to the thread");
    } finally {
      await pool.close();
    }
  });

  it("crashes: its requests get HB_ERR_INTERNAL, the next are prepared (inline, then in the new thread)", async () => {
    assert.ok(am);
    const pool = new ThreadPreparer({ ...data, threads: 1, clock, fallback, spawn: spawnFirst(script("() => process.exit(3)")) });
    try {
      await ready(pool);
      await assert.rejects(Promise.resolve(pool.prepare(am, req())), isInternal);
      const meanwhile = await pool.prepare(am, req());
      assert.equal(meanwhile.length, 2, "prepared while the thread restarts");
      await ready(pool);
      const later = await pool.prepare(am, req());
      assert.deepEqual(
        later.map((e) => e.type),
        ["alertmanager.alert.firing", "alertmanager.alert.firing"],
      );
    } finally {
      await pool.close();
    }
  });

  it("stops answering: after stallTimeoutMs it is replaced and its requests get HB_ERR_INTERNAL", async () => {
    assert.ok(am);
    const pool = new ThreadPreparer({ ...data, threads: 1, clock, fallback, spawn: spawnFirst(script("() => {}")), stallTimeoutMs: 200 });
    try {
      await ready(pool);
      const started = Date.now();
      await assert.rejects(Promise.resolve(pool.prepare(am, req())), isInternal);
      assert.ok(Date.now() - started >= 150, "not before the stall timeout");
      // prepared inline until the new thread is ready, then in it; a thread still starting is never judged stalled
      assert.equal((await pool.prepare(am, req())).length, 2);
      await ready(pool);
      assert.equal((await pool.prepare(am, req())).length, 2);
    } finally {
      await pool.close();
    }
  });
});
