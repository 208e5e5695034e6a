import type { ActionStateStore } from "../types.js";
import type { BudgetEntry, BudgetLimit, WindowVerdict } from "./budget-window.js";
import { BUDGET_WINDOW_MS, evaluateWindow, liveEntries, recordInWindow } from "./budget-window.js";
import type { ErrorCode } from "../../core/errors.js";
import { ProvisionFailure } from "./failure.js";
import { budgetKey } from "./state-key.js";

/** One budget that applies to a change: `<provider>/<pool>` or `<provider>/*` (all pools together). */
export interface BudgetScope {
  readonly name: string;
  readonly stateKey: string;
  readonly limit: BudgetLimit;
}

const MAX_CAS_ATTEMPTS = 50;

function limitValue(raw: Record<string, unknown>, key: string, scope: string): number | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new ProvisionFailure("HB_ERR_CONFIG_INVALID", `integrations.budgets["${scope}"].${key} must be a non-negative integer`);
  }
  return v;
}

/**
 * Budgets from `integrations.budgets` that apply to provider/pool: the pool's own entry and the
 * provider-wide `<provider>/*` entry (a shared window over all pools of the provider). Both are
 * enforced when both exist.
 */
export function budgetScopes(budgets: Readonly<Record<string, unknown>> | undefined, provider: string, pool: string): BudgetScope[] {
  if (!budgets) return [];
  const out: BudgetScope[] = [];
  const pools = pool === "*" ? ["*"] : [pool, "*"];
  for (const windowPool of pools) {
    const name = `${provider}/${windowPool}`;
    const raw = budgets[name];
    if (raw === undefined || raw === null) continue;
    if (typeof raw !== "object" || Array.isArray(raw)) throw new ProvisionFailure("HB_ERR_CONFIG_INVALID", `integrations.budgets["${name}"] must be a mapping`);
    const r = raw as Record<string, unknown>;
    const maxAdded = limitValue(r, "max_added_per_hour", name);
    const maxRemoved = limitValue(r, "max_removed_per_hour", name);
    out.push({ name, stateKey: budgetKey(provider, windowPool), limit: { ...(maxAdded !== undefined ? { maxAdded } : {}), ...(maxRemoved !== undefined ? { maxRemoved } : {}) } });
  }
  return out;
}

function exceeded(scope: BudgetScope, v: Exclude<WindowVerdict, { ok: true }>): ProvisionFailure {
  const verb = v.direction === "added" ? "adding" : "removing";
  const message =
    `budget ${scope.name} exceeded: ${verb} ${v.requested} would make ${v.used + v.requested} ${v.direction} in the last hour ` +
    `(used ${v.used}, limit ${v.limit} per 1h window); the provider was not called`;
  return new ProvisionFailure("HB_ERR_BUDGET_EXCEEDED" satisfies ErrorCode, message, {
    data: { budget: { scope: scope.name, direction: v.direction, used: v.used, requested: v.requested, limit: v.limit, window_ms: BUDGET_WINDOW_MS } },
  });
}

/** Check one window and (unless dry) record `delta` for `key` with compare-and-set; retried on conflicts. */
async function reserveOne(state: ActionStateStore, scope: BudgetScope, key: string, delta: number, now: number, dry: boolean): Promise<void> {
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const cur = await state.get<BudgetEntry[]>(scope.stateKey);
    const entries = Array.isArray(cur?.value) ? cur.value : [];
    const verdict = evaluateWindow(entries, now, key, delta, scope.limit);
    if (!verdict.ok) throw exceeded(scope, verdict);
    if (dry || entries.some((e) => e.key === key && e.n === delta)) return;
    const next = recordInWindow(entries, now, key, delta);
    if (cur ? await state.update(scope.stateKey, next, cur.revision) : await state.create(scope.stateKey, next)) return;
  }
  throw new ProvisionFailure("HB_ERR_ACTION_FAILED", `budget ${scope.name}: too much contention on ${scope.stateKey}`);
}

/**
 * Check every scope and record the change in their windows BEFORE the provider is called.
 * Idempotent per action key: a re-run of the same action replaces its own entry instead of
 * adding another. On refusal, windows already written by this call are released.
 */
export async function reserveBudget(state: ActionStateStore, scopes: readonly BudgetScope[], key: string, delta: number, now: number, dry = false): Promise<void> {
  if (delta === 0) return;
  const done: BudgetScope[] = [];
  try {
    for (const scope of scopes) {
      await reserveOne(state, scope, key, delta, now, dry);
      done.push(scope);
    }
  } catch (err) {
    if (!dry) await releaseBudget(state, done, key, now);
    throw err;
  }
}

/** Remove the action's entry (the change did not happen: permanent rejection). */
export async function releaseBudget(state: ActionStateStore, scopes: readonly BudgetScope[], key: string, now: number): Promise<void> {
  for (const scope of scopes) {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const cur = await state.get<BudgetEntry[]>(scope.stateKey);
      if (!cur || !Array.isArray(cur.value) || !cur.value.some((e) => e.key === key)) break;
      const next = liveEntries(cur.value, now).filter((e) => e.key !== key);
      if (await state.update(scope.stateKey, next, cur.revision)) break;
    }
  }
}
