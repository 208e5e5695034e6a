/**
 * Outbound webhook throughput: `node --import tsx bench/outbound.ts [--messages 10000] [--concurrency 32]`.
 *
 * One run, one local receiver in a separate process (node:http, answers 200 "ok", counts):
 *   (a) baseline: plain unsigned POSTs of the same ~600 B outcome body over a keep-alive agent,
 *       `concurrency` in flight;
 *   (b) signed:   the outbound attempt path alone (Standard Webhooks signature, SSRF-guarded client,
 *       response excerpt), same concurrency;
 *   (c) pipeline, memory bus: outcomes published to HB_OUTCOMES → router → delivery stream →
 *       endpoint consumer (max_in_flight = concurrency) → signed POST → attempt record → ack;
 *   (d) pipeline, NATS: the same on a nats-server -js with a file store (skipped without the binary).
 * Prints deliveries/s, each as a ratio of the baseline, then one JSON line. Numbers are printed,
 * never asserted: absolute figures drift between machines, compare the ratios.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryBus } from "../src/bus/memory.js";
import { connectNatsBus } from "../src/bus/nats/connect.js";
import { findNatsServerBinary, startNatsServer } from "../src/bus/nats/server-process.js";
import type { Bus } from "../src/bus/port.js";
import { defaultStreams } from "../src/bus/streams.js";
import { systemClock } from "../src/core/clock.js";
import { outcomeSubject } from "../src/core/outcome.js";
import { sendAttempt } from "../src/outbound/attempt-sender.js";
import { createGuardedHttpClient } from "../src/outbound/http-client.js";
import { OAuth2TokenCache } from "../src/outbound/oauth2-token.js";
import { startOutbound } from "../src/outbound/service.js";
import { generateWebhookSecret } from "../src/outbound/signer.js";
import { compileSsrfPolicy } from "../src/outbound/ssrf-guard.js";
import type { Subscription } from "../src/outbound/subscription.js";
import { argValue } from "./args.js";

const MESSAGES = argValue("--messages", 10_000);
const CONCURRENCY = Math.min(64, argValue("--concurrency", 32));
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

const RECEIVER = `
import { createServer } from "node:http";
let count = 0;
const s = createServer((req, res) => {
  if (req.method === "GET") { res.end(String(count)); return; }
  req.resume();
  req.on("end", () => { count++; res.writeHead(200, { "content-type": "text/plain" }).end("ok"); });
});
s.keepAliveTimeout = 60_000;
s.listen(0, "127.0.0.1", () => console.log("port " + s.address().port));
`;

async function startReceiverProcess(): Promise<{ url: string; count: () => Promise<number>; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", RECEIVER], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on("data", (c: Buffer) => {
      const m = /port (\d+)/.exec(c.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", () => reject(new Error("receiver exited")));
  });
  const url = `http://127.0.0.1:${port}/hook`;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const count = (): Promise<number> =>
    new Promise((resolve, reject) => {
      request(url, { agent }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve(Number(text)));
      })
        .on("error", reject)
        .end();
    });
  return { url, count, child };
}

function outcomeBody(i: number, run: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: `${run}-${i}`,
      type: "action.succeeded",
      timestamp: new Date().toISOString(),
      data: {
        ruleset: "gpu capacity",
        rule: "scale up on deep queue",
        action: "run_command",
        action_index: 1,
        status: "successful",
        elapsed_ms: 412,
        attempt: 1,
        event_ids: ["4f6c2d1e-9a0b-4c3d-8e7f-0a1b2c3d4e5f"],
        result: { exit_code: 0, stdout: "scaled pool a100-80gb in us-east-1-prod from 8 to 10 nodes", stderr: "" },
      },
    }),
  );
}

async function pool(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await work(next++);
    }),
  );
  return (performance.now() - t0) / 1000;
}

async function baseline(url: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const secs = await pool(MESSAGES, CONCURRENCY, (i) => {
    const body = outcomeBody(i, "base");
    return new Promise<void>((resolve, reject) => {
      const r = request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": String(body.length) } }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      r.on("error", reject);
      r.end(body);
    });
  });
  agent.destroy();
  return MESSAGES / secs;
}

async function signedOnly(url: string): Promise<number> {
  const http = createGuardedHttpClient({ policy: compileSsrfPolicy({ allow: ["127.0.0.1/32"], httpsOnly: false }) });
  const sub: Subscription = { id: "bench", url, events: ["*"], headers: {}, signing: "standard", secret: generateWebhookSecret(), previousSecrets: [], status: "enabled", createdAt: 0, updatedAt: 0 };
  const deps = { http, tokens: new OAuth2TokenCache(http, systemClock), clock: systemClock, defaultTimeoutMs: 15_000, responseExcerptBytes: 4096 };
  const secs = await pool(MESSAGES, CONCURRENCY, async (i) => {
    const r = await sendAttempt(deps, sub, `msg_signed-${i}`, outcomeBody(i, "signed"));
    if (r.status !== 200) throw new Error(`attempt failed: ${r.error ?? r.status}`);
  });
  http.close();
  return MESSAGES / secs;
}

async function pipeline(bus: Bus, url: string, count: () => Promise<number>, run: string): Promise<number> {
  await bus.ensureStreams(defaultStreams());
  const svc = await startOutbound({ bus, logger: silent, ssrf: { allow: ["127.0.0.1/32"], httpsOnly: false }, reconcileIntervalMs: 0, maxInFlight: CONCURRENCY });
  await svc.create({ url, events: ["action.*"], headers: {}, signing: "standard" });
  const before = await count();
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(MESSAGES, i + 200); j++) batch.push(bus.publish(outcomeSubject("action.succeeded"), outcomeBody(j, run), { msgId: `${run}-${j}` }));
    await Promise.all(batch);
  }
  while ((await count()) - before < MESSAGES) await new Promise((r) => setTimeout(r, 20));
  const secs = (performance.now() - t0) / 1000;
  await svc.stop();
  return MESSAGES / secs;
}

async function natsPipeline(url: string, count: () => Promise<number>): Promise<number | undefined> {
  const binary = findNatsServerBinary("nats-server", process.env["PATH"]);
  if (!binary) return undefined;
  const storeDir = await mkdtemp(join(tmpdir(), "hookbook-bench-outbound-"));
  const server = await startNatsServer({ storeDir, binary });
  try {
    const bus = await connectNatsBus({ url: server.url, logger: { warn: () => undefined } });
    try {
      return await pipeline(bus, url, count, "nats");
    } finally {
      await bus.close();
    }
  } finally {
    await server.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rx = await startReceiverProcess();
  try {
    console.log(`outbound bench: ${MESSAGES} messages, concurrency ${CONCURRENCY}, body ${outcomeBody(0, "x").length} B, receiver in its own process`);
    // warm-up (JIT, sockets), then measured runs
    await baseline(rx.url);
    await signedOnly(rx.url);
    const base = await baseline(rx.url);
    const signed = await signedOnly(rx.url);
    const memory = await pipeline(createMemoryBus(), rx.url, rx.count, "mem");
    const nats = await natsPipeline(rx.url, rx.count);
    const row = (name: string, v: number): string => `${name.padEnd(44)} ${v.toFixed(0).padStart(8)} /s   ${(v / base).toFixed(2)}× baseline`;
    console.log(row("(a) plain unsigned POSTs (baseline)", base));
    console.log(row("(b) signed attempts (sign + guarded client)", signed));
    console.log(row("(c) signed deliveries, pipeline, memory bus", memory));
    if (nats !== undefined) console.log(row("(d) signed deliveries, pipeline, NATS (file)", nats));
    else console.log("(d) skipped: nats-server not found");
    console.log(
      JSON.stringify({
        bench: "outbound",
        messages: MESSAGES,
        concurrency: CONCURRENCY,
        baseline_per_s: Math.round(base),
        signed_per_s: Math.round(signed),
        pipeline_memory_per_s: Math.round(memory),
        pipeline_nats_per_s: nats === undefined ? null : Math.round(nats),
        ratio_signed: Number((signed / base).toFixed(3)),
        ratio_pipeline_memory: Number((memory / base).toFixed(3)),
        ratio_pipeline_nats: nats === undefined ? null : Number((nats / base).toFixed(3)),
      }),
    );
  } finally {
    rx.child.kill("SIGTERM");
  }
}

await main();
