import { actionKey } from "../../core/intent.js";
import type { ActionContext, ActionKind, ActionResult } from "../types.js";
import type { BudgetScope } from "./budget.js";
import { budgetScopes, releaseBudget, reserveBudget } from "./budget.js";
import { ProvisionFailure, failureResult, isPermanentCode } from "./failure.js";
import { changePoolCapacity, readPoolCapacity } from "./gpu-api.js";
import type { StoredPlan } from "./plan.js";
import { loadPlan, markApplied, savePlan } from "./plan.js";
import type { PoolBackend } from "./pool-backend.js";
import { poolBackend } from "./pool-backend.js";
import type { ProvisionArgs } from "./provision-args.js";
import { parseProvisionArgs } from "./provision-args.js";
import { computeTarget, limitViolation, requestedDelta, splitDelta } from "./target.js";

/** Read the pool (when needed) and compute the plan; refuse targets outside the pool's limits. */
async function makePlan(ctx: ActionContext, a: ProvisionArgs, backend: PoolBackend): Promise<StoredPlan> {
  const common = { provider: a.provider, pool: a.pool, op: a.change.op, n: a.change.n, at: ctx.nowMs() };
  if (backend.kind === "http" && a.change.op !== "set") {
    return { ...common, before: null, target: null, delta: requestedDelta(a.change) ?? 0 };
  }
  const size =
    backend.kind === "http"
      ? { replicas: await readPoolCapacity(backend.api, a.pool, { signal: ctx.signal, timeoutMs: ctx.limits.httpTimeoutMs }) }
      : await backend.provider.read();
  const plan = computeTarget(size.replicas, a.change);
  const violation = limitViolation(plan, size);
  if (violation) {
    throw new ProvisionFailure("HB_ERR_POOL_LIMIT", `${backend.resource}: ${violation}; not changed`, {
      data: { before: plan.before, target: plan.target, min_size: size.min ?? null, max_size: size.max ?? null },
    });
  }
  return { ...common, ...plan };
}

/** Apply a plan; returns the size after the change when known. */
async function applyPlan(ctx: ActionContext, a: ProvisionArgs, backend: PoolBackend, plan: StoredPlan, key: string): Promise<{ before: number | null; after: number | null }> {
  if (backend.kind === "absolute") {
    if (plan.target === null) throw new ProvisionFailure("HB_ERR_ACTION_FAILED", "stored plan has no target");
    if (plan.delta !== 0) await backend.provider.apply(plan.target);
    return { before: plan.before, after: plan.target };
  }
  if (a.change.op === "set" && plan.delta === 0) return { before: plan.before, after: plan.target };
  const answer = await changePoolCapacity(backend.api, a.pool, a.change, a.reason, key, { signal: ctx.signal, timeoutMs: ctx.limits.httpTimeoutMs });
  return { before: answer.before ?? plan.before, after: answer.after ?? plan.target };
}

function resultData(a: ProvisionArgs, resource: string, plan: StoredPlan, before: number | null, after: number | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider: a.provider,
    pool: a.pool,
    resource,
    [a.change.op]: a.change.n,
    before,
    after,
    ...splitDelta(plan.delta),
    ...(a.reason !== undefined ? { reason: a.reason } : {}),
    ...extra,
  };
}

/**
 * `provision_gpus`: change a GPU pool's size on Kubernetes (scale subresource), AWS Auto Scaling
 * (desired capacity) or an HTTP provisioning API, within the budgets of `integrations.budgets`.
 * Order: args → stored plan of this action (a re-run reuses it) → budget check → read the pool
 * and compute the absolute target → budget recorded → plan stored → provider changed.
 */
export const provisionGpusAction: ActionKind = {
  name: "provision_gpus",
  external: true,
  async run(ctx): Promise<ActionResult> {
    const key = actionKey(ctx.intent, ctx.action.index);
    let known: Record<string, unknown> = {};
    let scopes: BudgetScope[] = [];
    let reserved = false;
    let backend: PoolBackend | undefined;
    try {
      const a = parseProvisionArgs(ctx.args);
      known = { provider: a.provider, pool: a.pool, [a.change.op]: a.change.n };
      scopes = budgetScopes(ctx.integrations.budgets, a.provider, a.pool);
      backend = poolBackend(ctx, a);
      known = { ...known, resource: backend.resource };

      let plan = await loadPlan(ctx.state, key, a.provider, a.pool, a.change);
      if (plan?.applied) {
        return { ok: true, data: resultData(a, backend.resource, plan, plan.before, plan.after ?? plan.target, { replayed: true }) };
      }
      if (!plan) {
        const pre = requestedDelta(a.change);
        if (pre !== undefined) await reserveBudget(ctx.state, scopes, key, pre, ctx.nowMs(), true); // before any provider call
        plan = await makePlan(ctx, a, backend);
      }
      await reserveBudget(ctx.state, scopes, key, plan.delta, ctx.nowMs(), a.dryRun);
      if (a.dryRun) return { ok: true, data: resultData(a, backend.resource, plan, plan.before, plan.target, { dry_run: true }) };
      reserved = true;
      plan = await savePlan(ctx.state, key, plan);
      await ctx.progress({ phase: "planned", provider: a.provider, pool: a.pool, resource: backend.resource, before: plan.before, target: plan.target, delta: plan.delta });
      const { before, after } = await applyPlan(ctx, a, backend, plan, key);
      await markApplied(ctx.state, key, plan, after);
      await ctx.progress({ phase: "applied", provider: a.provider, pool: a.pool, before, after });
      return { ok: true, data: resultData(a, backend.resource, plan, before, after, plan.delta === 0 ? { unchanged: true } : {}) };
    } catch (err) {
      // A permanent failure changed nothing: give the budget back. A transient one may have
      // reached the provider; its reservation stays (a retry of this action reuses it).
      if (reserved && err instanceof ProvisionFailure && isPermanentCode(err.code)) await releaseBudget(ctx.state, scopes, key, ctx.nowMs());
      return failureResult(err, known);
    } finally {
      backend?.close();
    }
  },
};
