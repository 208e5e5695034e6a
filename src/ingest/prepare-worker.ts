/**
 * A preparation thread (./prepare-pool.ts): receives batches of requests (JobBatch), answers
 * each with its PreparedEvents or a SerializedError, packed (./prepare-wire.ts). Requests whose
 * auth needs the network (sns, oidc) are answered on their own once their fetch completes; the
 * rest of the batch does not wait for them.
 */
import { parentPort, workerData } from "node:worker_threads";
import { systemClock } from "../core/clock.js";
import { HookbookError } from "../core/errors.js";
import type { AuthContext } from "../sources/auth.js";
import { createDefaultAuthContext } from "./auth-context.js";
import type { PrepareThreadData } from "./prepare-pool.js";
import { THREAD_READY } from "./prepare-pool.js";
import { prepareEvents, serializeError } from "./prepare.js";
import { packOutcomes, unpackJobs } from "./prepare-wire.js";
import type { JobBatch, Outcome } from "./prepare-wire.js";
import { resolveSources } from "./source-set.js";

const data = workerData as PrepareThreadData;
const sources = resolveSources({ sources: data.sources, bodyLimit: data.bodyLimit });
// One fetch cache per thread (SNS certificates, JWKS); the time of each request comes from the HTTP thread.
const fetcher = createDefaultAuthContext({ ...data.authFetch, clock: systemClock });

function post(outcomes: Outcome[]): void {
  if (outcomes.length === 0) return;
  const packed = packOutcomes(outcomes);
  parentPort?.postMessage(packed, [packed.data]);
}

function fail(id: number, err: unknown): Outcome {
  return { id, error: serializeError(err) };
}

parentPort?.on("message", (batch: JobBatch) => {
  const outcomes: Outcome[] = [];
  for (const job of unpackJobs(batch)) {
    try {
      const source = sources.get(job.source);
      if (source === undefined) throw new HookbookError("HB_ERR_SOURCE_NOT_FOUND", `no source named ${JSON.stringify(job.source)}`);
      const ctx: AuthContext = { nowMs: () => job.nowMs, fetchText: (url) => fetcher.fetchText(url) };
      const out = prepareEvents(source, job.req, ctx, data.limits);
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
