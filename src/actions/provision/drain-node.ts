import { actionKey } from "../../core/intent.js";
import type { ActionKind, ActionResult } from "../types.js";
import { parseDrainArgs } from "./drain-args.js";
import { failureResult } from "./failure.js";
import { drainViaApi, gpuApiFrom } from "./gpu-api.js";
import { optString } from "./arg-readers.js";
import { kubeConfigFrom } from "./kube-client.js";
import { kubeDrain } from "./kube-drain.js";

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * `drain_node`: cordon a node and evict its pods respecting PodDisruptionBudgets (Kubernetes),
 * or ask the HTTP provisioning API to drain it. Repeating a drain is harmless: cordoning is
 * idempotent and pods already gone are not evicted again.
 */
export const drainNodeAction: ActionKind = {
  name: "drain_node",
  external: true,
  async run(ctx): Promise<ActionResult> {
    let known: Record<string, unknown> = {};
    try {
      const a = parseDrainArgs(ctx.args, ctx.limits.commandTimeoutMs);
      known = { provider: a.provider, node: a.node };
      if (a.provider === "kubernetes") {
        const kc = kubeConfigFrom(ctx.integrations.kubernetes);
        const out = await kubeDrain(kc, a, { signal: ctx.signal, requestTimeoutMs: ctx.limits.httpTimeoutMs, progress: ctx.progress });
        return { ok: true, data: { provider: a.provider, ...out, ...(a.cordonOnly ? { cordon_only: true } : {}) } };
      }
      const api = gpuApiFrom(ctx.integrations.gpu_api, optString(ctx.args, "endpoint", "drain_node"));
      const key = actionKey(ctx.intent, ctx.action.index);
      const options = {
        cordon_only: a.cordonOnly,
        grace_period_seconds: a.gracePeriodSeconds ?? null,
        timeout_seconds: Math.ceil(a.timeoutMs / 1000),
        delete_emptydir_data: a.deleteEmptyDirData,
        ignore_daemonsets: a.ignoreDaemonSets,
        force: a.force,
        reason: a.reason ?? null,
      };
      const answer = await drainViaApi(api, a.node, options, key, { signal: ctx.signal, timeoutMs: Math.max(ctx.limits.httpTimeoutMs, a.timeoutMs) });
      return {
        ok: true,
        data: {
          provider: a.provider,
          node: a.node,
          cordoned: answer.cordoned !== false,
          evicted: list(answer.evicted),
          skipped: list(answer.skipped),
          ...(a.cordonOnly ? { cordon_only: true } : {}),
          response: answer,
        },
      };
    } catch (err) {
      return failureResult(err, known);
    }
  },
};
