/**
 * Ingest throughput: `node --import tsx bench/ingest.ts [--duration 10] [--connections 100]`.
 *
 * In one run, against the same ~1.3 KB Alertmanager body (one alert, a unique startsAt per
 * request so JetStream dedup never short-circuits), with autocannon in a separate process:
 *   (a) bare:    fastify answering 202 after its default JSON parse, nothing stored;
 *   (b) durable: the real ingest route POST /hooks/<source> (bearer auth, raw body,
 *                normalize, publish, 202 only after the JetStream PubAck) on its own
 *                nats-server -js with a file store in a temp dir.
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

interface LoadConfig {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly template: string;
  readonly baseMs: number;
  readonly connections: number;
  readonly duration: number;
}

const TOKEN = "bench-bearer-token";
const SOURCE = "alerts";
const STARTS_AT = "__STARTS_AT__";

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** A one-alert Alertmanager v4 body (~1.3 KB) with a startsAt placeholder. */
function bodyTemplate(): string {
  const body = {
    receiver: "gpu-automation-webhook",
    status: "firing",
    alerts: [
      {
        status: "firing",
        labels: {
          alertname: "GPUJobQueueDepthHigh",
          cluster: "us-east-1-prod",
          gpu_type: "a100-80gb",
          queue: "training-a100",
          severity: "warning",
          team: "gpu-platform",
        },
        annotations: {
          description: "Queue training-a100 (a100-80gb) on us-east-1-prod has had more than 50 pending jobs for 10m. Current depth: 87.",
          runbook_url: "https://runbooks.gpu.acme.example/alerts/gpu-job-queue-depth",
          summary: "GPU job queue training-a100 has 87 pending jobs",
        },
        startsAt: STARTS_AT,
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL:
          "https://prometheus.gpu.acme.example/graph?g0.expr=sum+by+(cluster%2C+queue%2C+gpu_type)+(gpuaas_job_queue_depth%7Bstate%3D%22pending%22%7D)+%3E+50&g0.tab=1",
        fingerprint: "961eeed636a578b4",
      },
    ],
    groupLabels: { alertname: "GPUJobQueueDepthHigh", cluster: "us-east-1-prod" },
    commonLabels: { alertname: "GPUJobQueueDepthHigh", cluster: "us-east-1-prod", gpu_type: "a100-80gb", queue: "training-a100", severity: "warning", team: "gpu-platform" },
    commonAnnotations: { runbook_url: "https://runbooks.gpu.acme.example/alerts/gpu-job-queue-depth" },
    externalURL: "https://alertmanager.gpu.acme.example",
    version: "4",
    groupKey: '{}/{team="gpu-platform"}:{alertname="GPUJobQueueDepthHigh", cluster="us-east-1-prod"}',
    truncatedAlerts: 0,
  };
  return JSON.stringify(body);
}

/** The load generator, run in its own node process so it does not share the server's event loop. */
const LOADGEN = `
const autocannon = require(process.argv[1]);
const cfg = JSON.parse(process.argv[2]);
let i = 0;
(async () => {
  const r = await autocannon({
    url: cfg.url,
    connections: cfg.connections,
    duration: cfg.duration,
    requests: [{
      method: "POST",
      headers: cfg.headers,
      setupRequest(req) {
        req.body = cfg.template.replace("${STARTS_AT}", new Date(cfg.baseMs + i++).toISOString());
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
  const template = bodyTemplate();
  const bodyBytes = Buffer.byteLength(template.replace(STARTS_AT, new Date().toISOString()));
  const headers = { "content-type": "application/json", authorization: `Bearer ${TOKEN}` };
  let run = 0;
  // Every run gets its own startsAt range, so no request repeats an earlier one.
  const load = (url: string, seconds: number) =>
    runLoad({ url, headers, template, baseMs: Date.parse("2026-01-01T00:00:00Z") + run++ * 1e9, connections, duration: seconds });

  const storeDir = await mkdtemp(join(tmpdir(), "hookbook-bench-"));
  const nats = await startNatsServer({ storeDir });
  const bus = await connectNatsBus({ url: nats.url, name: "hookbook-bench" });
  const bare = Fastify({ logger: false });
  bare.post("/hooks/:source", async (_req, reply) => reply.code(202).send({ accepted: 1 }));
  // As `hookbook serve` runs it: with the ingest memory (long-horizon dedup, stale marking).
  const durable = createIngestServer({
    sources: [{ name: SOURCE, kind: "alertmanager", auth: { type: "bearer", token: TOKEN }, bodyLimit: 0, options: {} }],
    bus,
    bodyLimit: 1024 * 1024,
    memory: await openIngestMemory(bus),
  });
  try {
    await bus.ensureStreams(defaultStreams());
    const bareUrl = `${await listen(bare)}/hooks/${SOURCE}`;
    const durableUrl = `${await listen(durable)}/hooks/${SOURCE}`;
    console.log(`ingest bench: body ${bodyBytes} B, ${connections} connections, ${duration} s per target (+${warmup} s warm-up), nats ${nats.url}`);

    await load(bareUrl, warmup);
    const bareResult = await load(bareUrl, duration);
    console.log(line("bare", bareResult));

    await load(durableUrl, warmup);
    const before = (await bus.streamInfo?.(STREAM_EVENTS))?.messages;
    const durableResult = await load(durableUrl, duration);
    const after = (await bus.streamInfo?.(STREAM_EVENTS))?.messages;
    console.log(line("durable", durableResult));
    const stored = before !== undefined && after !== undefined ? after - before : undefined;
    if (stored !== undefined) console.log(`stored on ${STREAM_EVENTS} during the durable run: ${stored} (2xx counted: ${durableResult.ok2xx}; up to ${connections} more were in flight when the timer stopped)`);

    const ratio = bareResult.reqPerSec > 0 ? durableResult.reqPerSec / bareResult.reqPerSec : 0;
    console.log(`durable/bare throughput ratio: ${ratio.toFixed(2)}x`);
    console.log(
      JSON.stringify({
        bench: "ingest",
        bodyBytes,
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
