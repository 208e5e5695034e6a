/** What a provision_gpus action asks for: one of add, remove or set (desired total). */
export interface CapacityChange {
  readonly op: "add" | "remove" | "set";
  readonly n: number;
}

export interface CapacityPlan {
  readonly before: number;
  readonly target: number;
  /** target - before: positive = added, negative = removed. */
  readonly delta: number;
}

/** Target from the current size: add on top, remove down to zero at most, set as given. */
export function computeTarget(before: number, change: CapacityChange): CapacityPlan {
  const target = change.op === "add" ? before + change.n : change.op === "remove" ? Math.max(0, before - change.n) : change.n;
  return { before, target, delta: target - before };
}

/** The change in the pool's size known before reading it (add/remove), undefined for set. */
export function requestedDelta(change: CapacityChange): number | undefined {
  return change.op === "add" ? change.n : change.op === "remove" ? -change.n : undefined;
}

/**
 * Why a plan goes outside the pool's size limits (AWS MinSize/MaxSize), or undefined: growing
 * over the max or shrinking under the min (a pool already outside its limits may move back in).
 */
export function limitViolation(plan: CapacityPlan, limits: { readonly min?: number; readonly max?: number }): string | undefined {
  if (plan.delta > 0 && limits.max !== undefined && plan.target > limits.max) return `target ${plan.target} is over the pool's max size ${limits.max}`;
  if (plan.delta < 0 && limits.min !== undefined && plan.target < limits.min) return `target ${plan.target} is under the pool's min size ${limits.min}`;
  return undefined;
}

/** added/removed counts of a delta (both non-negative). */
export function splitDelta(delta: number): { added: number; removed: number } {
  return { added: Math.max(0, delta), removed: Math.max(0, -delta) };
}
