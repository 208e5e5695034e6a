import { argsError, oneOf, optBool, optCount, optString, reqString } from "./arg-readers.js";
import type { CapacityChange } from "./target.js";

const ACTION = "provision_gpus";
export const PROVISION_PROVIDERS = ["kubernetes", "aws", "http"] as const;
export type ProvisionProvider = (typeof PROVISION_PROVIDERS)[number];

export interface ProvisionArgs {
  readonly provider: ProvisionProvider;
  readonly pool: string;
  readonly change: CapacityChange;
  readonly reason: string | undefined;
  readonly dryRun: boolean;
}

/** Validated common arguments of provision_gpus (provider-specific ones are read by each provider). */
export function parseProvisionArgs(args: Readonly<Record<string, unknown>>): ProvisionArgs {
  const provider = oneOf(reqString(args, "provider", ACTION), PROVISION_PROVIDERS, "provider", ACTION);
  const pool = reqString(args, "pool", ACTION);
  const given = (["add", "remove", "set"] as const).flatMap((op) => {
    const n = optCount(args, op, ACTION);
    return n === undefined ? [] : [{ op, n }];
  });
  const change = given[0];
  if (!change || given.length > 1) throw argsError(ACTION, "exactly one of 'add', 'remove' or 'set' is required");
  if (change.op !== "set" && change.n === 0) throw argsError(ACTION, `'${change.op}' must be at least 1`);
  return { provider, pool, change, reason: optString(args, "reason", ACTION), dryRun: optBool(args, "dry_run", ACTION) ?? false };
}
