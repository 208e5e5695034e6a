/**
 * Source event filters (ansible-rulebook `filters:` on a source), applied to an event before it
 * enters a ruleset. Pure: no I/O; the only side channel is the optional `warn` callback (what
 * upstream logs).
 *
 * Filters run in listed order; a filter may fan one event out into several (event_splitter) and
 * the later filters apply to each. The input is never changed: it is deep-copied once, and every
 * returned event is an independent tree. `insert_meta_info` is accepted as a no-op here, because
 * the engine always applies it itself, last.
 */
import { HookbookError } from "../../core/errors.js";
import { checkFilterArgs } from "./args.js";
import { buildStep, type FilterStep, type Warn } from "./builtin.js";
import { cloneJson, isPlainObject } from "./json-value.js";
import { resolveFilterName, shortFilterName } from "./names.js";

export { checkFilterArgs, filterArgNames } from "./args.js";
export { CANONICAL_FILTER_NAMES, FILTER_NAMES, resolveFilterName } from "./names.js";
export { fnmatch } from "./fnmatch.js";

export interface EventFilterSpec {
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export interface FilterOptions {
  /** Receives what upstream logs as warnings/errors (missing host_path, missing splitter_key, …). */
  readonly warn?: Warn;
}

export type FilterPipeline = (event: Record<string, unknown>) => Record<string, unknown>[];

/**
 * Resolve and validate a filter list once and return a function applying it to events.
 * Throws HookbookError: HB_ERR_RULEBOOK_UNSUPPORTED for an unknown filter name,
 * HB_ERR_RULEBOOK_SCHEMA for invalid arguments. The returned function throws
 * HB_ERR_INVALID_PAYLOAD when an event cannot be filtered (raise_error, non-string hosts, a
 * splitter_key value that is not a list, …).
 */
export function compileFilters(filters: readonly EventFilterSpec[], opts: FilterOptions = {}): FilterPipeline {
  const steps: FilterStep[] = [];
  for (const f of filters) {
    const canonical = resolveFilterName(f.name);
    if (canonical === undefined) {
      throw new HookbookError("HB_ERR_RULEBOOK_UNSUPPORTED", `unknown event filter '${f.name}'`);
    }
    const args: Readonly<Record<string, unknown>> = (f.args as Readonly<Record<string, unknown>> | null | undefined) ?? {};
    const problem = checkFilterArgs(canonical, args);
    if (problem !== undefined) {
      throw new HookbookError("HB_ERR_RULEBOOK_SCHEMA", `event filter '${f.name}': ${problem}`);
    }
    const step = buildStep(shortFilterName(canonical), args, opts.warn);
    if (step !== undefined) steps.push(step);
  }
  return (event) => {
    if (!isPlainObject(event)) throw new HookbookError("HB_ERR_INVALID_PAYLOAD", "an event must be a JSON object");
    let events: Record<string, unknown>[] = [cloneJson(event)];
    for (const step of steps) {
      const next: Record<string, unknown>[] = [];
      for (const e of events) {
        const out = step(e);
        if (Array.isArray(out)) {
          for (const o of out) next.push(o);
        } else next.push(out);
      }
      events = next;
    }
    return events;
  };
}

/**
 * Apply `filters` in order to one event; returns the resulting events (usually one; zero or more
 * after event_splitter). Never mutates `event`. Same errors as compileFilters.
 */
export function applyFilters(
  event: Record<string, unknown>,
  filters: readonly EventFilterSpec[],
  opts: FilterOptions = {},
): Record<string, unknown>[] {
  return compileFilters(filters, opts)(event);
}
