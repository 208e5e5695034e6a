/**
 * A preparation thread (./prepare-pool.ts): receives batches of PrepareJob, answers each with
 * its PreparedEvents or a SerializedError. Requests whose auth needs the network (sns, oidc) are
 * answered on their own once their fetch completes; the rest of the batch does not wait for them.
 */
import { parentPort, workerData } from "node:worker_threads";
import { systemClock } from "../core/clock.js";
import { HookbookError } from "../core/errors.js";
import type { AuthContext } from "../sources/auth.js";
import { createDefaultAuthContext } from "./auth-context.js";
import type { PrepareJob, PrepareOutcome, PrepareThreadData } from "./prepare-pool.js";
import { THREAD_READY } from "./prepare-pool.js";
import { prepareEvents, serializeError } from "./prepare.js";
import { resolveSources } from "./source-set.js";

const data = workerData as PrepareThreadData;
const sources = resolveSources({ sources: data.sources, bodyLimit: data.bodyLimit });
// One fetch cache per thread (SNS certificates, JWKS); the time of each request comes from the HTTP thread.
const fetcher = createDefaultAuthContext({ ...data.authFetch, clock: systemClock });

function post(outcomes: PrepareOutcome[]): void {
  if (outcomes.length === 0) return;
  const transfer: ArrayBuffer[] = [];
  for (const o of outcomes) if ("events" in o) for (const e of o.events) transfer.push(e.data.buffer as ArrayBuffer);
  parentPort?.postMessage(outcomes, transfer);
}

function fail(id: number, err: unknown): PrepareOutcome {
  return { id, error: serializeError(err) };
}

parentPort?.on("message", (jobs: PrepareJob[]) => {
  const outcomes: PrepareOutcome[] = [];
  for (const job of jobs) {
    try {
      const source = sources.get(job.source);
      if (source === undefined) throw new HookbookError("HB_ERR_SOURCE_NOT_FOUND", `no source named ${JSON.stringify(job.source)}`);
      const ctx: AuthContext = { nowMs: () => job.nowMs, fetchText: (url) => fetcher.fetchText(url) };
      const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
      const out = prepareEvents(source, { body, headers: job.headers, ...(job.tls === undefined ? {} : { tls: job.tls }), receivedAt: job.receivedAt }, ctx, data.limits);
      if (Array.isArray(out)) outcomes.push({ id: job.id, events: out });
      else
        out.then(
          (events) => post([{ id: job.id, events }]),
          (err: unknown) => post([fail(job.id, err)]),
        );
    } catch (err) {
      outcomes.push(fail(job.id, err));
    }
  }
  post(outcomes);
});

parentPort?.postMessage(THREAD_READY);
