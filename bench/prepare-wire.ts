/**
 * The hand-off to a preparation thread and back: `node --import tsx bench/prepare-wire.ts`.
 *
 * In one process, in alternating rounds, batches of requests go to a worker thread and prepared
 * events come back, either packed as ingest sends them (src/ingest/prepare-wire.ts: one buffer
 * of bodies or envelopes moved across, one flat array) or as plain objects (the baseline: a job
 * object with its header object per request, a PreparedEvent object with its own moved buffer
 * per event). The thread does nothing but unpack and answer, so what is measured is the CPU the
 * two threads spend on the hand-off. Prints µs of CPU per request for each and the ratio.
 */
import { availableParallelism } from "node:os";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { headersFromRaw } from "../src/ingest/headers.js";
import { tsxThread } from "../src/ingest/prepare-pool.js";
import type { PreparedEvent } from "../src/ingest/prepare.js";
import { packJobs, packOutcomes, unpackJobs, unpackOutcomes } from "../src/ingest/prepare-wire.js";
import type { Job, JobBatch, OutcomeBatch } from "../src/ingest/prepare-wire.js";
import { median } from "./stats.js";

type Mode = "packed" | "objects";
/** Requests per batch: what one event-loop turn held in the ingest bench, on average. */
const BATCH = 21;
const RAW_HEADERS = [
  "host", "127.0.0.1:8080", "content-type", "application/json", "x-github-event", "workflow_job", "user-agent", "GitHub-Hookshot/7c2f1e4",
  "x-github-delivery", "bench-1000012345", "x-hub-signature-256", `sha256=${"4f1c0e9b".repeat(8)}`, "content-length", "1136",
];
const BODY = Buffer.alloc(1136, "a");
/** An alertmanager envelope's size in the ingest bench. */
const ENVELOPE = Buffer.alloc(1735, "e");

function event(n: number): PreparedEvent {
  return {
    id: `696c8c358acabf8d3511937887a2${n.toString(16).padStart(4, "0")}`,
    type: "alertmanager.alert.firing",
    subject: "us-east-1-prod/training-a100",
    timeMs: 1_778_597_400_000,
    streamSubject: "events.alerts.alertmanager.alert.firing",
    msgId: `alerts:alertmanager:${n}:firing:2026-05-12T14:50:00Z`,
    data: new Uint8Array(ENVELOPE),
  };
}

interface ObjectJob {
  readonly id: number;
  readonly source: string;
  readonly body: Uint8Array;
  readonly headers: Record<string, string>;
  readonly receivedAt: string;
  readonly nowMs: number;
}

/** The thread: unpacks each batch and answers every request with one event. */
function serve(mode: Mode): void {
  parentPort?.on("message", (batch: JobBatch | ObjectJob[]) => {
    if (mode === "packed") {
      const outcomes = unpackJobs(batch as JobBatch).map((j) => {
        // the header object the HTTP thread built in the baseline is built here (as prepareEvents does)
        const headers = headersFromRaw(j.req.rawHeaders);
        return { id: j.id, events: headers["x-github-delivery"] === undefined ? [] : [event(j.id)] };
      });
      const out = packOutcomes(outcomes);
      parentPort?.postMessage(out, [out.data]);
    } else {
      const outcomes = (batch as ObjectJob[]).map((j) => ({ id: j.id, events: [event(j.id)] }));
      parentPort?.postMessage(
        outcomes,
        outcomes.map((o) => o.events[0]?.data.buffer as ArrayBuffer),
      );
    }
  });
  parentPort?.postMessage("ready");
}

async function round(mode: Mode, batches: number): Promise<number> {
  const worker = tsxThread(import.meta.url, { workerData: mode });
  await new Promise((resolve) => worker.once("message", resolve));
  let id = 0;
  let answered = 0;
  const send = (): void => {
    if (mode === "packed") {
      const jobs: Job[] = [];
      for (let i = 0; i < BATCH; i++) jobs.push({ id: id++, source: "github", req: { body: BODY, rawHeaders: RAW_HEADERS, receivedAt: new Date().toISOString() }, nowMs: Date.now() });
      const packed = packJobs(jobs);
      worker.postMessage(packed, [packed.bodies]);
    } else {
      const jobs: ObjectJob[] = [];
      for (let i = 0; i < BATCH; i++) {
        jobs.push({ id: id++, source: "github", body: new Uint8Array(BODY), headers: headersFromRaw(RAW_HEADERS), receivedAt: new Date().toISOString(), nowMs: Date.now() });
      }
      worker.postMessage(
        jobs,
        jobs.map((j) => j.body.buffer as ArrayBuffer),
      );
    }
  };
  const cpu0 = process.cpuUsage();
  await new Promise<void>((resolve) => {
    worker.on("message", (m: OutcomeBatch | { id: number; events: PreparedEvent[] }[]) => {
      if (mode === "packed") unpackOutcomes(m as OutcomeBatch, () => answered++, () => answered++);
      else answered += (m as unknown[]).length;
      if (answered >= batches * BATCH) resolve();
      else send();
    });
    send();
  });
  const cpu = process.cpuUsage(cpu0);
  await worker.terminate();
  return (cpu.user + cpu.system) / answered;
}


async function main(): Promise<void> {
  const rounds = 5;
  const batches = 3000;
  await round("packed", 300);
  await round("objects", 300);
  const results: Record<Mode, number[]> = { packed: [], objects: [] };
  for (let r = 1; r <= rounds; r++) {
    for (const mode of ["objects", "packed"] as const) {
      const us = await round(mode, batches);
      results[mode].push(us);
      console.log(`round ${r}  ${mode.padEnd(7)} ${us.toFixed(2)} µs of CPU per request (both threads)`);
    }
  }
  const packed = median(results.packed);
  const objects = median(results.objects);
  console.log(`median: packed ${packed.toFixed(2)} µs, objects ${objects.toFixed(2)} µs per request; packed/objects ${(packed / objects).toFixed(2)}x`);
  console.log(JSON.stringify({ bench: "prepare-wire", batch: BATCH, cores: availableParallelism(), packedUsPerReq: Number(packed.toFixed(2)), objectsUsPerReq: Number(objects.toFixed(2)), ratio: Number((packed / objects).toFixed(3)) }));
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  serve(workerData as Mode);
}
