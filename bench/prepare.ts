/**
 * Preparation CPU, alone and with every core busy: `node --import tsx bench/prepare.ts [--duration 3] [--rounds 3]`.
 *
 * `prepareEvents` — what a preparation thread of ingest does per request: authentication on the
 * raw bytes, JSON parsing, normalizing, the envelopes and their encoding — over the mix of
 * `bench:ingest` (./ingest-mix.ts), each request built and signed as its load generator builds
 * it. In alternating rounds, in worker threads of this process:
 *   (a) alone:     one thread prepares requests in a tight loop, the other cores idle;
 *   (b) all cores: as many threads as the machine has cores do the same at once.
 * Prints µs per request and thread for both (wall time of a tight loop with a core of its own:
 * its CPU time), their ratio, and what the cores were worth together: cores × alone ÷ all cores.
 *
 * Why: on a machine whose cores share what runs them (SMT siblings, a busy host under a VM) the
 * ratio is well over 1, and every design that puts a second core to work pays it, while a
 * one-thread baseline such as bench:ingest's bare fastify does not. It is also the low-noise
 * measure of preparation itself: bench:ingest's ratio cannot tell a 5 % change from its noise.
 */
import { availableParallelism } from "node:os";
import { isMainThread, parentPort } from "node:worker_threads";
import type { Worker } from "node:worker_threads";
import { systemClock } from "../src/core/clock.js";
import { createDefaultAuthContext } from "../src/ingest/auth-context.js";
import { prepareEvents } from "../src/ingest/prepare.js";
import { tsxThread } from "../src/ingest/prepare-pool.js";
import type { AuthContext } from "../src/sources/auth.js";
import { argValue } from "./args.js";
import { MIX, mixRequests } from "./ingest-mix.js";
import type { MixRequest } from "./ingest-mix.js";
import { median } from "./stats.js";

/** Distinct requests each thread cycles through (a few MB: more than the caches hold, as live traffic is). */
const REQUESTS = 4000;

/** A thread: on each `{ms}` message, prepares requests for that long and answers `{requests, ns}`. */
function serve(): void {
  const requests = mixRequests(REQUESTS);
  const fetcher = createDefaultAuthContext({ clock: systemClock });
  const ctx: AuthContext = { nowMs: () => Date.now(), fetchText: (url) => fetcher.fetchText(url) };
  const limits = { maxItemsPerRequest: 1000 };
  let next = 0;
  const prepareOne = (): void => {
    const r = requests[next++ % requests.length] as MixRequest;
    const out = prepareEvents(r.source, r.req, ctx, limits);
    if (!Array.isArray(out) || out.length === 0) throw new Error(`${r.source.name}: expected events prepared synchronously`);
  };
  // every request of the mix must pass auth and normalize: a failing one would measure the error path
  for (let i = 0; i < requests.length; i++) prepareOne();
  parentPort?.on("message", ({ ms }: { ms: number }) => {
    const start = process.hrtime.bigint();
    const until = start + BigInt(Math.round(ms * 1e6));
    let count = 0;
    let now = start;
    while (now < until) {
      for (let i = 0; i < 200; i++) prepareOne();
      count += 200;
      now = process.hrtime.bigint();
    }
    parentPort?.postMessage({ requests: count, ns: Number(now - start) });
  });
  parentPort?.postMessage("ready");
}

function startThread(): Promise<Worker> {
  const worker = tsxThread(import.meta.url);
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", () => resolve(worker));
  });
}

/** µs per request in each of `threads`, all started together. */
async function round(threads: readonly Worker[], ms: number): Promise<number[]> {
  return Promise.all(
    threads.map(
      (t) =>
        new Promise<number>((resolve) => {
          t.once("message", ({ requests, ns }: { requests: number; ns: number }) => resolve(ns / 1e3 / requests));
          t.postMessage({ ms });
        }),
    ),
  );
}

async function main(): Promise<void> {
  const seconds = argValue("--duration", 3);
  const rounds = argValue("--rounds", 3);
  const cores = availableParallelism();
  const threads = await Promise.all(Array.from({ length: cores }, () => startThread()));
  try {
    console.log(`prepare bench: mix ${MIX.map((k) => `${k.source} ${k.weight}`).join(", ")}, ${REQUESTS} distinct requests per thread, ${rounds} rounds of ${seconds} s alone and on all ${cores} cores, alternating`);
    await round(threads, 1000);
    const alone: number[] = [];
    const all: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      const one = (await round(threads.slice(0, 1), seconds * 1000))[0] as number;
      const each = await round(threads, seconds * 1000);
      alone.push(one);
      all.push(median(each));
      console.log(`round ${r}  alone ${one.toFixed(2)} µs/req   all ${cores} cores ${each.map((x) => x.toFixed(2)).join(", ")} µs/req per thread`);
    }
    const a = median(alone);
    const b = median(all);
    console.log(`median: alone ${a.toFixed(2)} µs/req, all cores ${b.toFixed(2)} µs/req per thread; all/alone ${(b / a).toFixed(2)}x; the ${cores} cores together did the work of ${((cores * a) / b).toFixed(2)} cores alone`);
    console.log(JSON.stringify({ bench: "prepare", cores, rounds, durationSec: seconds, aloneUsPerReq: Number(a.toFixed(2)), allCoresUsPerReq: Number(b.toFixed(2)), ratio: Number((b / a).toFixed(3)), coresWorth: Number(((cores * a) / b).toFixed(2)) }));
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  serve();
}
