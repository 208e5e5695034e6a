import { setTimeout as sleep } from "node:timers/promises";
import type { KubeConfig, V1Pod } from "@kubernetes/client-node";
import { CoreV1Api, PatchStrategy } from "@kubernetes/client-node";
import { TIMEOUT_ERROR } from "./codes.js";
import type { DrainArgs } from "./drain-args.js";
import type { PodRef } from "./drain-pods.js";
import { blockedMessage, podId, triagePods } from "./drain-pods.js";
import { ProvisionFailure } from "./failure.js";
import { kubeFailure, kubeRequestOptions, kubeStatus } from "./kube-client.js";
import { requestSignal } from "./request-signal.js";

export interface DrainEnv {
  readonly signal: AbortSignal;
  /** Deadline of one API request. */
  readonly requestTimeoutMs: number;
  readonly progress: (data: Readonly<Record<string, unknown>>) => Promise<void>;
  /** First wait after a 429 (PodDisruptionBudget); doubles up to maxBackoffMs. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface DrainOutcome {
  readonly node: string;
  readonly cordoned: true;
  readonly evicted: string[];
  readonly skipped: { pod: string; reason: string }[];
}

const EVICT_CONCURRENCY = 8;

/**
 * Cordon a node (merge patch spec.unschedulable=true), then evict its pods through the Eviction
 * API (policy/v1) so PodDisruptionBudgets are respected: a 429 means the budget does not allow
 * it now, retried with backoff until the drain's timeout. Each eviction is reported as progress.
 * With wait_for_delete the drain ends when the evicted pods are gone.
 */
export async function kubeDrain(kc: KubeConfig, a: DrainArgs, env: DrainEnv): Promise<DrainOutcome> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = performance.now() + a.timeoutMs;
  const left = () => deadline - performance.now();
  // Stops the other evictions when one fails.
  const stop = new AbortController();
  const signal = AbortSignal.any([env.signal, stop.signal]);
  const reqSignal = () => requestSignal(signal, Math.min(env.requestTimeoutMs, left()));
  const outcome: DrainOutcome = { node: a.node, cordoned: true, evicted: [], skipped: [] };
  const timedOut = (what: string, pending: string[]) =>
    new ProvisionFailure(TIMEOUT_ERROR, `drain of node ${a.node} timed out after ${a.timeoutMs} ms ${what}: ${pending.join(", ")}`, {
      timedOut: true,
      data: { ...outcome, pending },
    });

  async function call<T>(what: string, fn: (opts: ReturnType<typeof kubeRequestOptions>) => Promise<T>, contentType?: string): Promise<T> {
    const sig = reqSignal();
    try {
      return await fn(kubeRequestOptions(sig, contentType));
    } catch (err) {
      throw kubeFailure(err, what, sig);
    }
  }

  await call(`cordon node ${a.node}`, (o) => core.patchNode({ name: a.node, body: { spec: { unschedulable: true } } }, o), PatchStrategy.MergePatch);
  await env.progress({ phase: "cordoned", node: a.node });
  if (a.cordonOnly) return outcome;

  const pods: V1Pod[] = [];
  let cont: string | undefined;
  do {
    const page = await call(`list pods on node ${a.node}`, (o) =>
      core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${a.node}`, limit: 500, ...(cont ? { _continue: cont } : {}) }, o),
    );
    pods.push(...page.items);
    cont = page.metadata?._continue || undefined;
  } while (cont);

  const triage = triagePods(pods, a);
  outcome.skipped.push(...triage.skipped);
  if (triage.blocked.length > 0) {
    throw new ProvisionFailure("HB_ERR_DRAIN_BLOCKED", blockedMessage(a.node, triage.blocked), { data: { ...outcome, blocked: triage.blocked } });
  }

  const pending = new Set(triage.evict.map(podId));
  async function evict(pod: PodRef): Promise<void> {
    let backoff = env.initialBackoffMs ?? 500;
    let reportedBlocked = false;
    const body = {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: pod.name, namespace: pod.namespace },
      ...(a.gracePeriodSeconds !== undefined ? { deleteOptions: { gracePeriodSeconds: a.gracePeriodSeconds } } : {}),
    };
    for (;;) {
      const sig = reqSignal();
      try {
        await core.createNamespacedPodEviction({ name: pod.name, namespace: pod.namespace, body }, kubeRequestOptions(sig));
        break;
      } catch (err) {
        const status = kubeStatus(err);
        if (status === 404) break; // already gone
        if (status !== 429) throw kubeFailure(err, `evict pod ${podId(pod)}`, sig);
        if (!reportedBlocked) {
          reportedBlocked = true;
          await env.progress({ phase: "eviction_blocked", node: a.node, pod: podId(pod), reason: "PodDisruptionBudget" });
        }
        if (left() <= backoff) throw timedOut("waiting for PodDisruptionBudgets to allow evicting", [...pending]);
        await sleep(backoff, undefined, { signal });
        backoff = Math.min(backoff * 2, env.maxBackoffMs ?? 5_000);
      }
    }
    pending.delete(podId(pod));
    outcome.evicted.push(podId(pod));
    await env.progress({ phase: "evicted", node: a.node, pod: podId(pod), evicted: outcome.evicted.length, total: triage.evict.length });
  }
  const queue = [...triage.evict];
  let firstError: unknown;
  await Promise.all(
    Array.from({ length: Math.min(EVICT_CONCURRENCY, queue.length) }, async () => {
      try {
        for (let pod = queue.shift(); pod && firstError === undefined; pod = queue.shift()) await evict(pod);
      } catch (err) {
        if (firstError === undefined) firstError = err;
        stop.abort();
      }
    }),
  );
  if (firstError !== undefined) throw firstError;

  if (a.waitForDelete) await waitGone(triage.evict);
  return outcome;

  async function waitGone(evicted: readonly PodRef[]): Promise<void> {
    let remaining = [...evicted];
    let interval = env.initialBackoffMs ?? 500;
    while (remaining.length > 0) {
      const still: PodRef[] = [];
      for (const pod of remaining) {
        const sig = reqSignal();
        try {
          const cur = await core.readNamespacedPod({ name: pod.name, namespace: pod.namespace }, kubeRequestOptions(sig));
          if (pod.uid === undefined || cur.metadata?.uid === pod.uid) still.push(pod);
        } catch (err) {
          if (kubeStatus(err) !== 404) throw kubeFailure(err, `read pod ${podId(pod)}`, sig);
        }
      }
      remaining = still;
      if (remaining.length === 0) break;
      if (left() <= interval) throw timedOut("waiting for evicted pods to terminate", remaining.map(podId));
      await sleep(interval, undefined, { signal });
      interval = Math.min(interval * 2, env.maxBackoffMs ?? 5_000);
    }
  }
}
