import { ARGS_ERROR } from "./codes.js";
import { ProvisionFailure } from "./failure.js";

type Args = Readonly<Record<string, unknown>>;

/** An argument error: permanent, the rule must be fixed. */
export function argsError(action: string, message: string): ProvisionFailure {
  return new ProvisionFailure(ARGS_ERROR, `${action}: ${message}`);
}

export function optString(args: Args, key: string, action: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw argsError(action, `'${key}' must be a string`);
  return v;
}

export function reqString(args: Args, key: string, action: string): string {
  const v = optString(args, key, action);
  if (v === undefined || v.trim() === "") throw argsError(action, `'${key}' is required`);
  return v;
}

/** A non-negative integer; digit strings (a rendered template) are accepted. */
export function optCount(args: Args, key: string, action: string): number | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw argsError(action, `'${key}' must be a non-negative integer`);
  return n;
}

export function optBool(args: Args, key: string, action: string): boolean | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw argsError(action, `'${key}' must be a boolean`);
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], key: string, action: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw argsError(action, `'${key}' must be one of ${allowed.join(", ")} (got '${value}')`);
}
