/**
 * Ingest throughput: `node --import tsx bench/ingest.ts [--duration 10] [--connections 100]`.
 *
 * In one run, with autocannon in a separate process sending the same mix of requests to both:
 *   (a) bare:    fastify answering 202 after its default JSON parse, nothing stored;
 *   (b) durable: the real ingest routes POST /hooks/<source> as `hookbook serve` runs them
 *                (auth on the raw bytes, normalize, ingest memory, publish, 202 only after every
 *                JetStream PubAck) on its own nats-server -js with a file store in a temp dir.
 * The mix is what a GPU platform sends (MIX below): Alertmanager groups (bearer), Kubernetes
 * events from kubernetes-event-exporter (bearer), GitHub workflow_job deliveries (HMAC-SHA256
 * signed per request by the load generator) and EventBridge spot-interruption warnings (API
 * key). Every request carries a fresh dedup identity, so JetStream dedup never short-circuits.
 * Prints req/s, p99 latency and the durable/bare ratio, then one JSON line. Numbers are
 * printed, never asserted: absolute figures drift between runs, compare the ratio.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { connectNatsBus } from "../src/bus/nats/connect.js";
import { startNatsServer } from "../src/bus/nats/server-process.js";
import { STREAM_EVENTS, defaultStreams } from "../src/bus/streams.js";
import type { SourceConfig } from "../src/config/types.js";
import { openIngestMemory } from "../src/ingest/ingest-memory.js";
import { createIngestServer } from "../src/ingest/server.js";

interface LoadResult {
  readonly reqPerSec: number;
  readonly p99Ms: number;
  readonly p50Ms: number;
  readonly total: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/** One kind of request of the mix; `__N__` in the body is replaced by a number unique to the request. */
interface RequestKind {
  readonly source: string;
  /** Share of the requests, out of the sum of all weights. */
  readonly weight: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Header set to the request's unique id (a delivery id). */
  readonly idHeader?: string;
  /** Sign the body: `<header>: <prefix><hex HMAC-SHA256(secret, body)>`. */
  readonly hmac?: { readonly header: string; readonly prefix: string; readonly secret: string };
}

interface LoadConfig {
  readonly urlBase: string;
  readonly kinds: readonly RequestKind[];
  readonly runId: number;
  readonly connections: number;
  readonly duration: number;
}

const TOKEN = "bench-bearer-token";
const HMAC_SECRET = "bench-github-hook-secret";
const API_KEY = "bench-eventbridge-api-key";
const N = "__N__";

const SOURCES: SourceConfig[] = [
  { name: "alerts", kind: "alertmanager", auth: { type: "bearer", token: TOKEN }, bodyLimit: 0, options: {} },
  { name: "k8s", kind: "k8s-events", auth: { type: "bearer", token: TOKEN }, bodyLimit: 0, options: {} },
  {
    name: "github",
    kind: "github",
    auth: { type: "hmac", secret: HMAC_SECRET, header: "x-hub-signature-256", algorithm: "sha256", encoding: "hex", prefix: "sha256=" },
    bodyLimit: 0,
    options: {},
  },
  { name: "spot", kind: "eventbridge", auth: { type: "api-key", header: "x-api-key", key: API_KEY }, bodyLimit: 0, options: {} },
];

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** A one-alert Alertmanager v4 group (~1.3 KB); each request is a different alert (fingerprint). */
function alertmanagerBody(): string {
  return JSON.stringify({
    receiver: "gpu-automation-webhook",
    status: "firing",
    alerts: [
      {
        status: "firing",
        labels: { alertname: "GPUJobQueueDepthHigh", cluster: "us-east-1-prod", gpu_type: "a100-80gb", queue: "training-a100", severity: "warning", team: "gpu-platform" },
        annotations: {
          description: "Queue training-a100 (a100-80gb) on us-east-1-prod has had more than 50 pending jobs for 10m. Current depth: 87.",
          runbook_url: "https://runbooks.gpu.acme.example/alerts/gpu-job-queue-depth",
          summary: "GPU job queue training-a100 has 87 pending jobs",
        },
        startsAt: "2026-05-12T14:50:00Z",
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "https://prometheus.gpu.acme.example/graph?g0.expr=sum+by+(cluster%2C+queue%2C+gpu_type)+(gpuaas_job_queue_depth%7Bstate%3D%22pending%22%7D)+%3E+50&g0.tab=1",
        fingerprint: N,
      },
    ],
    groupLabels: { alertname: "GPUJobQueueDepthHigh", cluster: "us-east-1-prod" },
    commonLabels: { alertname: "GPUJobQueueDepthHigh", cluster: "us-east-1-prod", gpu_type: "a100-80gb", queue: "training-a100", severity: "warning", team: "gpu-platform" },
    commonAnnotations: { runbook_url: "https://runbooks.gpu.acme.example/alerts/gpu-job-queue-depth" },
    externalURL: "https://alertmanager.gpu.acme.example",
    version: "4",
    groupKey: '{}/{team="gpu-platform"}:{alertname="GPUJobQueueDepthHigh", cluster="us-east-1-prod"}',
    truncatedAlerts: 0,
  });
}

/** A FailedScheduling event for lack of GPUs, as kubernetes-event-exporter posts it (~1.5 KB). */
function k8sEventBody(): string {
  return JSON.stringify({
    metadata: { name: `llama3-ft-7b-0-x7k2p.${N}`, namespace: "team-nlp", uid: `9d3b6f1a-0e4c-4b72-a8d5-${N}`, resourceVersion: N, creationTimestamp: "2026-05-12T14:55:02Z" },
    reason: "FailedScheduling",
    message: "0/24 nodes are available: 16 Insufficient nvidia.com/gpu, 8 node(s) didn't match Pod's node affinity/selector. preemption: 0/24 nodes are available: 16 No preemption victims found for incoming pod, 8 Preemption is not helpful for scheduling.",
    source: {},
    firstTimestamp: null,
    lastTimestamp: null,
    type: "Warning",
    eventTime: "2026-05-12T14:55:02.118394Z",
    action: "Scheduling",
    reportingComponent: "default-scheduler",
    reportingInstance: "default-scheduler-ip-10-0-12-34",
    clusterName: "us-east-1-prod",
    involvedObject: {
      kind: "Pod",
      namespace: "team-nlp",
      name: "llama3-ft-7b-0-x7k2p",
      uid: "2e6a9c0f-7b31-4d58-b2e4-f1a8c3d7e960",
      apiVersion: "v1",
      resourceVersion: "918291040",
      labels: { "job-name": "llama3-ft-7b", "kueue.x-k8s.io/queue-name": "training-a100" },
      ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: "llama3-ft-7b", uid: "5a0f2e7c-1b9d-4c63-8e4a-d2f7b1c9e036", controller: true, blockOwnerDeletion: true }],
      deleted: false,
    },
  });
}

/** A workflow_job "queued" delivery for a GPU runner (~2 KB; real ones are larger). */
function githubBody(): string {
  return JSON.stringify({
    action: "queued",
    workflow_job: {
      id: Number(`1${"0".repeat(9)}`),
      run_id: 9876543210,
      workflow_name: "gpu-integration",
      head_branch: "main",
      run_url: "https://api.github.com/repos/acme-gpu/trainer/actions/runs/9876543210",
      run_attempt: 1,
      node_id: "CR_kwDOBench",
      head_sha: "4f1c0e9b8a7d6c5b4a3928171605f4e3d2c1b0a9",
      url: "https://api.github.com/repos/acme-gpu/trainer/actions/jobs/__N__",
      html_url: "https://github.com/acme-gpu/trainer/actions/runs/9876543210/job/__N__",
      status: "queued",
      conclusion: null,
      created_at: "2026-05-12T15:01:10Z",
      started_at: "2026-05-12T15:01:10Z",
      completed_at: null,
      name: "train-smoke (a100)",
      steps: [],
      labels: ["self-hosted", "linux", "gpu-a100"],
      runner_id: null,
      runner_name: null,
      runner_group_id: null,
      runner_group_name: null,
    },
    repository: {
      id: 734221905,
      name: "trainer",
      full_name: "acme-gpu/trainer",
      private: true,
      owner: { login: "acme-gpu", id: 91234567, type: "Organization" },
      html_url: "https://github.com/acme-gpu/trainer",
      default_branch: "main",
    },
    organization: { login: "acme-gpu", id: 91234567 },
    sender: { login: "octo-sre", id: 5123456, type: "User" },
  });
}

/** An EC2 Spot Instance Interruption Warning from an EventBridge API destination. */
function eventBridgeBody(): string {
  return JSON.stringify({
    version: "0",
    id: `7d3f9a1e-5b2c-4e8d-9f06-${N}`,
    "detail-type": "EC2 Spot Instance Interruption Warning",
    source: "aws.ec2",
    account: "123456789012",
    time: "2026-05-12T15:20:04Z",
    region: "us-east-1",
    resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def567890"],
    detail: { "instance-id": "i-0abc1234def567890", "instance-action": "terminate" },
  });
}

/** The mix, by share of requests: alert groups and cluster events dominate, git and cloud events are rarer. */
const MIX: readonly RequestKind[] = [
  { source: "alerts", weight: 4, headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: alertmanagerBody() },
  { source: "k8s", weight: 3, headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: k8sEventBody() },
  {
    source: "github",
    weight: 2,
    headers: { "content-type": "application/json", "x-github-event": "workflow_job", "user-agent": "GitHub-Hookshot/7c2f1e4" },
    body: githubBody().replace('"id":1000000000', `"id":${N}`),
    idHeader: "x-github-delivery",
    hmac: { header: "x-hub-signature-256", prefix: "sha256=", secret: HMAC_SECRET },
  },
  { source: "spot", weight: 1, headers: { "content-type": "application/json; charset=utf-8", "x-api-key": API_KEY, "user-agent": "Amazon/EventBridge/ApiDestinations" }, body: eventBridgeBody() },
];

/** The load generator, run in its own node process so it does not share the server's event loop. */
const LOADGEN = `
const { createHmac } = require("node:crypto");
const autocannon = require(process.argv[1]);
const cfg = JSON.parse(process.argv[2]);
const wheel = cfg.kinds.flatMap((k) => Array(k.weight).fill(k));
let i = 0;
(async () => {
  const r = await autocannon({
    url: cfg.urlBase,
    connections: cfg.connections,
    duration: cfg.duration,
    requests: [{
      method: "POST",
      setupRequest(req) {
        const n = i++;
        const k = wheel[n % wheel.length];
        const unique = String(cfg.runId * 1e9 + n);
        const body = k.body.split("${N}").join(unique);
        const headers = { ...k.headers };
        if (k.idHeader) headers[k.idHeader] = "bench-" + unique;
        if (k.hmac) headers[k.hmac.header] = k.hmac.prefix + createHmac("sha256", k.hmac.secret).update(body).digest("hex");
        req.path = "/hooks/" + k.source;
        req.headers = headers;
        req.body = body;
        return req;
      },
    }],
  });
  process.stdout.write(JSON.stringify({
    reqPerSec: r.requests.average, p99Ms: r.latency.p99, p50Ms: r.latency.p50, total: r.requests.total,
    ok2xx: r["2xx"], non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
  }));
})().catch((err) => { console.error(err); process.exit(1); });
`;

function runLoad(cfg: LoadConfig): Promise<LoadResult> {
  const autocannonPath = createRequire(import.meta.url).resolve("autocannon");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", LOADGEN, autocannonPath, JSON.stringify(cfg)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => (out += chunk));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === "string") throw new Error("no port");
  return `http://127.0.0.1:${addr.port}`;
}

function line(name: string, r: LoadResult): string {
  return `${name.padEnd(8)} ${r.reqPerSec.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50Ms).padStart(4)} ms   p99 ${String(r.p99Ms).padStart(4)} ms   2xx ${r.ok2xx}   non-2xx ${r.non2xx}   errors ${r.errors}`;
}

async function main(): Promise<void> {
  const duration = argValue("--duration", 10);
  const connections = argValue("--connections", 100);
  const warmup = Math.min(2, duration);
  const avgBytes = Math.round(MIX.reduce((sum, k) => sum + k.weight * Buffer.byteLength(k.body), 0) / MIX.reduce((sum, k) => sum + k.weight, 0));
  let run = 1;
  // Every run gets its own range of unique ids, so no request repeats an earlier one.
  const load = (urlBase: string, seconds: number) => runLoad({ urlBase, kinds: MIX, runId: run++, connections, duration: seconds });

  const storeDir = await mkdtemp(join(tmpdir(), "hookbook-bench-"));
  const nats = await startNatsServer({ storeDir });
  const bus = await connectNatsBus({ url: nats.url, name: "hookbook-bench" });
  const bare = Fastify({ logger: false });
  bare.post("/hooks/:source", async (_req, reply) => reply.code(202).send({ accepted: 1 }));
  // As `hookbook serve` runs it: with the ingest memory (long-horizon dedup, stale marking).
  const durable = createIngestServer({ sources: SOURCES, bus, bodyLimit: 1024 * 1024, memory: await openIngestMemory(bus) });
  try {
    await bus.ensureStreams(defaultStreams());
    const bareUrl = await listen(bare);
    const durableUrl = await listen(durable);
    const shares = MIX.map((k) => `${k.source} ${k.weight}`).join(", ");
    console.log(`ingest bench: mix ${shares} (avg body ${avgBytes} B), ${connections} connections, ${duration} s per target (+${warmup} s warm-up), nats ${nats.url}`);

    await load(bareUrl, warmup);
    const bareResult = await load(bareUrl, duration);
    console.log(line("bare", bareResult));

    await load(durableUrl, warmup);
    const before = (await bus.streamInfo?.(STREAM_EVENTS))?.messages;
    const durableResult = await load(durableUrl, duration);
    const after = (await bus.streamInfo?.(STREAM_EVENTS))?.messages;
    console.log(line("durable", durableResult));
    const stored = before !== undefined && after !== undefined ? after - before : undefined;
    if (stored !== undefined) console.log(`events stored on ${STREAM_EVENTS} during the durable run: ${stored} (2xx counted: ${durableResult.ok2xx}; one event per request in this mix; up to ${connections} more were in flight when the timer stopped)`);

    const ratio = bareResult.reqPerSec > 0 ? durableResult.reqPerSec / bareResult.reqPerSec : 0;
    console.log(`durable/bare throughput ratio: ${ratio.toFixed(2)}x`);
    console.log(
      JSON.stringify({
        bench: "ingest",
        mix: MIX.map((k) => ({ source: k.source, weight: k.weight })),
        avgBodyBytes: avgBytes,
        connections,
        durationSec: duration,
        bare: bareResult,
        durable: { ...durableResult, stored },
        ratio: Number(ratio.toFixed(3)),
      }),
    );
  } finally {
    await durable.close();
    await bare.close();
    await bus.close();
    await nats.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
