/** Shared shape of filter implementations. */
import type { CallArgs } from "./call-args.js";

export interface FilterContext {
  /** Applies another filter (for `map('upper')`). */
  applyFilter(name: string, value: unknown, args: CallArgs): unknown;
}

export type FilterFn = (value: unknown, args: CallArgs, ctx: FilterContext) => unknown;
