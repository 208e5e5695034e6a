/**
 * Ingest throughput: `node --import tsx bench/ingest.ts [--duration 10] [--connections 100]`.
 *
 * In one run, with the load generator (./http-load.ts) in a separate process sending the same mix
 * of requests to each, in alternating rounds:
 *   (a) bare:    fastify answering 202 after its default JSON parse, nothing stored;
 *   (b) durable: the real ingest routes POST /hooks/<source> as `hookbook serve` runs them
 *                (auth on the raw bytes, normalize, ingest memory, publish, 202 only after every
 *                JetStream PubAck) on its own nats-server -js with a file store in a temp dir.
 * The mix is what a GPU platform sends (./ingest-mix.ts): Alertmanager groups (bearer), Kubernetes
 * events from kubernetes-event-exporter (bearer), GitHub workflow_job deliveries (HMAC-SHA256
 * signed per request by the load generator) and EventBridge spot-interruption warnings (API
 * key). Every request carries a fresh dedup identity, so JetStream dedup never short-circuits.
 * Prints req/s, p99 latency and the durable/bare ratio, then one JSON line. Numbers are
 * printed, never asserted: absolute figures drift between runs, compare the ratio.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { connectNatsBus } from "../src/bus/nats/connect.js";
import { startNatsServer } from "../src/bus/nats/server-process.js";
import { STREAM_EVENTS, defaultStreams } from "../src/bus/streams.js";
import { natsServerEnv } from "../src/config/load.js";
import { openIngestMemory } from "../src/ingest/ingest-memory.js";
import { createIngestServer } from "../src/ingest/server.js";
import { ingestThreadCount } from "../src/ingest/prepare-pool.js";
import { createLogger } from "../src/runtime/logger.js";
import type { LoadResult, LoadSpec } from "./http-load.js";
import { argValue } from "./args.js";
import { MIX, SOURCES } from "./ingest-mix.js";
import { median } from "./stats.js";

interface Measured extends LoadResult {
  /** CPU of this process (the server under test and its NATS client) per answered request, µs. */
  readonly serverCpuUsPerReq: number;
  /** CPU of nats-server per answered request, µs (Linux /proc; undefined elsewhere). */
  readonly natsCpuUsPerReq: number | undefined;
  /** Of serverCpuUsPerReq, the main thread's share (HTTP, publish, answers; not the preparation threads), µs (Linux /proc; undefined elsewhere). */
  readonly mainCpuUsPerReq: number | undefined;
}

const LOADGEN = fileURLToPath(new URL("./http-load.ts", import.meta.url));

function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", LOADGEN, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "inherit"] });
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

/** CPU time a process (or with `tid`, one of its threads) has used (user + system), µs, read from /proc; undefined where there is none. */
function processCpuUs(pid: number, tid?: number): number | undefined {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, in clock ticks (USER_HZ, 100 on Linux)
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === "string") throw new Error("no port");
  return `http://127.0.0.1:${addr.port}`;
}

/**
 * The cores the run kept busy: all three processes together, and the main thread alone. Near 1 for
 * the main thread: bound by its event loop; near the machine's cores for all: bound by total CPU.
 */
function busy(r: Measured): string {
  const cores = (usPerReq: number): string => ((r.reqPerSec * usPerReq) / 1e6).toFixed(2);
  const all = cores(r.serverCpuUsPerReq + (r.natsCpuUsPerReq ?? 0) + r.loadgenCpuUsPerReq);
  return r.mainCpuUsPerReq === undefined ? all : `${all} (main thread ${cores(r.mainCpuUsPerReq)})`;
}

function line(name: string, r: Measured): string {
  const nats = r.natsCpuUsPerReq === undefined ? "" : `   nats-server ${r.natsCpuUsPerReq.toFixed(1)} µs/req`;
  const main = r.mainCpuUsPerReq === undefined ? "" : ` (main thread ${r.mainCpuUsPerReq.toFixed(1)})`;
  return (
    `${name.padEnd(8)} ${r.reqPerSec.toFixed(0).padStart(7)} req/s   p50 ${r.p50Ms.toFixed(1).padStart(5)} ms   p99 ${r.p99Ms.toFixed(1).padStart(5)} ms` +
    `   2xx ${r.ok2xx}   non-2xx ${r.non2xx}   errors ${r.errors}   server ${r.serverCpuUsPerReq.toFixed(1)} µs/req${main}${nats}   load generator ${r.loadgenCpuUsPerReq.toFixed(1)} µs/req` +
    `   cores busy ${busy(r)}`
  );
}


/** Medians over the rounds of one target (latencies: the median of the rounds' p50 / p99). */
function summarize(rounds: readonly Measured[]): Measured {
  const m = (pick: (r: Measured) => number): number => Number(median(rounds.map(pick)).toFixed(1));
  const nats = rounds.every((r) => r.natsCpuUsPerReq !== undefined) ? m((r) => r.natsCpuUsPerReq as number) : undefined;
  const main = rounds.every((r) => r.mainCpuUsPerReq !== undefined) ? m((r) => r.mainCpuUsPerReq as number) : undefined;
  const sum = (pick: (r: Measured) => number): number => rounds.reduce((acc, r) => acc + pick(r), 0);
  return {
    reqPerSec: m((r) => r.reqPerSec),
    p50Ms: m((r) => r.p50Ms),
    p99Ms: m((r) => r.p99Ms),
    total: sum((r) => r.total),
    ok2xx: sum((r) => r.ok2xx),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    loadgenCpuUsPerReq: m((r) => r.loadgenCpuUsPerReq),
    serverCpuUsPerReq: m((r) => r.serverCpuUsPerReq),
    natsCpuUsPerReq: nats,
    mainCpuUsPerReq: main,
  };
}

async function main(): Promise<void> {
  const duration = argValue("--duration", 5);
  const rounds = argValue("--rounds", 4);
  const connections = argValue("--connections", 100);
  const targetsArg = process.argv.indexOf("--targets");
  const targets = (targetsArg >= 0 ? (process.argv[targetsArg + 1] ?? "") : "bare,durable").split(",").filter((t) => t !== "");
  for (const t of targets) if (!["bare", "durable", "floor"].includes(t)) throw new Error(`unknown target ${t} (bare, durable, floor)`);
  const warmup = 2;
  const avgBytes = Math.round(MIX.reduce((sum, k) => sum + k.weight * Buffer.byteLength(k.body), 0) / MIX.reduce((sum, k) => sum + k.weight, 0));
  let run = 1;

  const storeDir = await mkdtemp(join(tmpdir(), "hookbook-bench-"));
  // as serve's embedded mode starts it
  const natsEnv = natsServerEnv(process.env);
  const nats = await startNatsServer({ storeDir, env: natsEnv });
  const bus = await connectNatsBus({ url: nats.url, name: "hookbook-bench" });
  const bare = Fastify({ logger: false });
  bare.post("/hooks/:source", async (_req, reply) => reply.code(202).send({ accepted: 1 }));
  // As `hookbook serve` runs it: with the ingest memory (long-horizon dedup, stale marking) and
  // serve's logger at info (stored requests log at debug: no line per request), written to /dev/null.
  const memory = await openIngestMemory(bus);
  const logger = createLogger("info", { path: "/dev/null" });
  // as serve runs it: server.ingestThreads "auto" unless --threads says otherwise
  const threads = argValue("--threads", ingestThreadCount("auto"), true);
  const durable = createIngestServer({ sources: SOURCES, bus, bodyLimit: 1024 * 1024, memory, logger, threads });
  // What storing alone costs: the raw body published as it is, one JetStream PubAck per request, nothing parsed.
  const floor = Fastify({ logger: false });
  floor.removeAllContentTypeParsers();
  floor.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  let floorSeq = 0;
  floor.post("/hooks/:source", async (req, reply) => {
    const ack = await bus.publish("events.bench.floor", req.body as Buffer, { msgId: `floor-${process.pid}-${floorSeq++}` });
    return reply.code(202).send({ accepted: 1, duplicates: 0, events: [{ id: String(ack.seq), type: "bench.floor", duplicate: false }] });
  });
  const apps: Record<string, FastifyInstance> = { bare, durable, floor };

  const measure = async (urlBase: string, seconds: number): Promise<Measured> => {
    const cpu0 = process.cpuUsage();
    const nats0 = processCpuUs(nats.pid);
    const main0 = processCpuUs(process.pid, process.pid);
    const r = await runLoad({ urlBase, kinds: MIX, runId: run++, connections, durationSec: seconds });
    const cpu = process.cpuUsage(cpu0);
    const nats1 = processCpuUs(nats.pid);
    const main1 = processCpuUs(process.pid, process.pid);
    const per = (us: number): number => (r.total > 0 ? Number((us / r.total).toFixed(1)) : 0);
    return {
      ...r,
      serverCpuUsPerReq: per(cpu.user + cpu.system),
      mainCpuUsPerReq: main0 === undefined || main1 === undefined ? undefined : per(main1 - main0),
      natsCpuUsPerReq: nats0 === undefined || nats1 === undefined ? undefined : per(nats1 - nats0),
    };
  };

  try {
    await bus.ensureStreams(defaultStreams());
    const shares = MIX.map((k) => `${k.source} ${k.weight}`).join(", ");
    console.log(
      `ingest bench: mix ${shares} (avg body ${avgBytes} B), ${connections} connections, ${rounds} rounds of ${duration} s per target, alternating (after ${warmup} s of warm-up each), durable with ${threads} preparation thread(s), nats ${nats.url} (GOMAXPROCS ${natsEnv.GOMAXPROCS})`,
    );
    const urls: Record<string, string> = {};
    for (const t of targets) {
      urls[t] = await listen(apps[t] as FastifyInstance);
      await measure(urls[t] as string, warmup);
    }
    const before = (await bus.streamInfo?.(STREAM_EVENTS))?.messages;
    const results: Record<string, Measured[]> = Object.fromEntries(targets.map((t) => [t, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const t of targets) {
        const r = await measure(urls[t] as string, duration);
        results[t]?.push(r);
        console.log(`round ${round}  ${line(t, r)}`);
      }
    }
    const after = (await bus.streamInfo?.(STREAM_EVENTS))?.messages;
    const summary = Object.fromEntries(targets.map((t) => [t, summarize(results[t] ?? [])]));
    console.log(`median of ${rounds} rounds:`);
    for (const t of targets) console.log(`         ${line(t, summary[t] as Measured)}`);
    if (before !== undefined && after !== undefined) console.log(`messages stored on ${STREAM_EVENTS} during the rounds: ${after - before}`);

    // Each round's ratio compares two runs seconds apart; the median of those resists the drift in
    // machine speed between runs (often ±25 % within a minute on shared 2-core machines).
    const pairRatios = (pick: (r: Measured) => number, invert = false): number[] =>
      (results.durable ?? []).map((d, i) => {
        const b = results.bare?.[i];
        if (b === undefined) return 0;
        return invert ? pick(b) / pick(d) : pick(d) / pick(b);
      });
    const ratios =
      results.bare && results.durable
        ? {
            ratio: Number(median(pairRatios((r) => r.reqPerSec)).toFixed(3)),
            roundRatios: pairRatios((r) => r.reqPerSec).map((x) => Number(x.toFixed(3))),
            cpuRatio: Number(median(pairRatios((r) => r.serverCpuUsPerReq, true)).toFixed(3)),
          }
        : undefined;
    if (ratios) {
      console.log(`durable/bare throughput ratio: ${ratios.ratio.toFixed(2)}x (median of rounds: ${ratios.roundRatios.map((x) => x.toFixed(2)).join(", ")})`);
      console.log(`server CPU per request, bare/durable: ${ratios.cpuRatio.toFixed(2)}x`);
    }
    console.log(
      JSON.stringify({
        bench: "ingest",
        mix: MIX.map((k) => ({ source: k.source, weight: k.weight })),
        avgBodyBytes: avgBytes,
        connections,
        threads,
        cores: availableParallelism(),
        rounds,
        durationSec: duration,
        ...summary,
        ...(before !== undefined && after !== undefined ? { stored: after - before } : {}),
        ...ratios,
      }),
    );
  } finally {
    memory.close();
    await durable.close();
    await bare.close();
    await floor.close();
    await bus.close();
    await nats.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
