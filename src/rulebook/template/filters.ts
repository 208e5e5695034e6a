/**
 * The filter registry. Jinja built-ins: abs batch capitalize center count d default dictsort e
 * escape first float format indent int items join last length list lower map max min reject
 * rejectattr replace reverse round safe select selectattr sort string sum title tojson trim
 * truncate unique upper urlencode wordcount.
 * ansible-rulebook's own: regex_replace basename dirname normpath bool.
 * Ansible-style extras (not in ansible-rulebook, issue #691): to_json to_nice_json from_json
 * dict2items items2dict regex_search regex_findall regex_escape b64encode b64decode ternary.
 * Names like `ansible.builtin.to_json` are unknown, as in ansible-rulebook.
 */
import type { CallArgs } from "./call-args.js";
import { COLLECTION_FILTERS } from "./filters-collection.js";
import { DATA_FILTERS } from "./filters-data.js";
import { TEXT_FILTERS } from "./filters-text.js";
import type { FilterContext, FilterFn } from "./filter-types.js";
import { templateNameError } from "./template-error.js";
import { strict } from "./undefined.js";

const FILTERS: ReadonlyMap<string, FilterFn> = new Map([...TEXT_FILTERS, ...DATA_FILTERS, ...COLLECTION_FILTERS]);

/** Filters that receive an undefined input instead of failing on it. */
const ACCEPTS_UNDEFINED: ReadonlySet<string> = new Set(["default", "d", "items"]);

export function hasFilter(name: string): boolean {
  return FILTERS.has(name);
}

export function filterNames(): string[] {
  return [...FILTERS.keys()].sort();
}

/** True for filters whose arguments may stay undefined (`x | default(y)` does not touch `y` unless needed). */
export function filterTakesUndefinedArgs(name: string): boolean {
  return name === "default" || name === "d";
}

const context: FilterContext = { applyFilter };

export function applyFilter(name: string, value: unknown, args: CallArgs): unknown {
  const fn = FILTERS.get(name);
  if (fn === undefined) throw templateNameError(`unknown filter '${name}'`);
  return fn(ACCEPTS_UNDEFINED.has(name) ? value : strict(value), args, context);
}
