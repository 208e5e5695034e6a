import type { ActionStateStore } from "../types.js";
import { planKey } from "./state-key.js";
import type { CapacityChange } from "./target.js";

/**
 * The plan of one provision_gpus run, stored under the action's idempotency key before the
 * provider is changed: a retry or a redelivery after a crash applies the same absolute target
 * (instead of adding again on top of an already grown pool), and a finished run is not repeated.
 */
export interface StoredPlan {
  readonly provider: string;
  readonly pool: string;
  readonly op: CapacityChange["op"];
  readonly n: number;
  /** Size before the change (null when the provider was not read: HTTP add/remove). */
  readonly before: number | null;
  /** Absolute target (null for HTTP add/remove, where the API applies the delta idempotently). */
  readonly target: number | null;
  readonly delta: number;
  readonly at: number;
  readonly applied?: boolean;
  readonly after?: number | null;
}

function sameRequest(plan: StoredPlan, provider: string, pool: string, change: CapacityChange): boolean {
  return plan.provider === provider && plan.pool === pool && plan.op === change.op && plan.n === change.n;
}

export async function loadPlan(state: ActionStateStore, actionKey: string, provider: string, pool: string, change: CapacityChange): Promise<StoredPlan | undefined> {
  const stored = await state.get<StoredPlan>(planKey(actionKey));
  return stored && sameRequest(stored.value, provider, pool, change) ? stored.value : undefined;
}

/** Store the plan once; when another run of the same action stored one first, that one wins. */
export async function savePlan(state: ActionStateStore, actionKey: string, plan: StoredPlan): Promise<StoredPlan> {
  const key = planKey(actionKey);
  if (await state.create(key, plan)) return plan;
  const existing = await state.get<StoredPlan>(key);
  if (existing && sameRequest(existing.value, plan.provider, plan.pool, plan)) return existing.value;
  await state.put(key, plan);
  return plan;
}

export async function markApplied(state: ActionStateStore, actionKey: string, plan: StoredPlan, after: number | null): Promise<void> {
  await state.put(planKey(actionKey), { ...plan, applied: true, after } satisfies StoredPlan);
}
