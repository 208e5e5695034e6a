/** Sliding window of a budget: 1 hour. */
export const BUDGET_WINDOW_MS = 3_600_000;

/** One change recorded in a window: `n` > 0 added, `n` < 0 removed, by the action `key`. */
export interface BudgetEntry {
  readonly at: number;
  readonly n: number;
  readonly key: string;
}

export interface BudgetLimit {
  readonly maxAdded?: number;
  readonly maxRemoved?: number;
}

export type WindowVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly direction: "added" | "removed"; readonly used: number; readonly requested: number; readonly limit: number };

/** Entries still inside the window at `now` (older ones drop out). */
export function liveEntries(entries: readonly BudgetEntry[], now: number): BudgetEntry[] {
  return entries.filter((e) => now - e.at < BUDGET_WINDOW_MS);
}

/** Added and removed totals in the window, leaving out the entry of `exceptKey` (a re-run of the same action). */
export function windowUsage(entries: readonly BudgetEntry[], now: number, exceptKey?: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const e of liveEntries(entries, now)) {
    if (e.key === exceptKey) continue;
    if (e.n > 0) added += e.n;
    else removed -= e.n;
  }
  return { added, removed };
}

/** Would `delta` by action `key` fit the limit at `now`? */
export function evaluateWindow(entries: readonly BudgetEntry[], now: number, key: string, delta: number, limit: BudgetLimit): WindowVerdict {
  const used = windowUsage(entries, now, key);
  if (delta > 0 && limit.maxAdded !== undefined && used.added + delta > limit.maxAdded) {
    return { ok: false, direction: "added", used: used.added, requested: delta, limit: limit.maxAdded };
  }
  if (delta < 0 && limit.maxRemoved !== undefined && used.removed - delta > limit.maxRemoved) {
    return { ok: false, direction: "removed", used: used.removed, requested: -delta, limit: limit.maxRemoved };
  }
  return { ok: true };
}

/** The window after recording `delta` for `key` (replacing that key's earlier entry, dropping expired ones). */
export function recordInWindow(entries: readonly BudgetEntry[], now: number, key: string, delta: number): BudgetEntry[] {
  const live = liveEntries(entries, now);
  const own = live.find((e) => e.key === key);
  return [...live.filter((e) => e.key !== key), { at: own?.at ?? now, n: delta, key }];
}
