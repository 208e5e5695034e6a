/** Python-style binding of positional and keyword arguments for filters, tests, methods and globals. */
import { templateRuntimeError } from "./template-error.js";

export interface CallArgs {
  readonly positional: readonly unknown[];
  readonly keyword: ReadonlyMap<string, unknown>;
}

export const NO_ARGS: CallArgs = { positional: [], keyword: new Map() };

/** Marks a parameter without default: leaving it out is an error. */
export const REQUIRED: unique symbol = Symbol("required");

/**
 * Binds `args` to `params` (name → default, in order). Extra positional arguments are returned in
 * `rest` when `varargs` is set, otherwise they (and unknown keywords) are errors.
 */
export function bindArgs(
  what: string,
  args: CallArgs,
  params: Readonly<Record<string, unknown>>,
  varargs = false,
): { readonly values: Record<string, unknown>; readonly rest: readonly unknown[] } {
  const names = Object.keys(params);
  if (!varargs && args.positional.length > names.length) {
    throw templateRuntimeError(`${what} takes at most ${names.length} argument(s) (${args.positional.length} given)`);
  }
  const values: Record<string, unknown> = {};
  names.forEach((name, i) => {
    if (i < args.positional.length) {
      if (args.keyword.has(name)) throw templateRuntimeError(`${what} got multiple values for argument '${name}'`);
      values[name] = args.positional[i];
    } else if (args.keyword.has(name)) {
      values[name] = args.keyword.get(name);
    } else if (params[name] === REQUIRED) {
      throw templateRuntimeError(`${what} is missing the required argument '${name}'`);
    } else {
      values[name] = params[name];
    }
  });
  for (const key of args.keyword.keys()) {
    if (!Object.prototype.hasOwnProperty.call(params, key)) {
      throw templateRuntimeError(`${what} got an unexpected keyword argument '${key}'`);
    }
  }
  return { values, rest: varargs ? args.positional.slice(names.length) : [] };
}
