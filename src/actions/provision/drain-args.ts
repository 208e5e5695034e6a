import { timeoutMs } from "../timeout-arg.js";
import { argsError, oneOf, optBool, optCount, optString, reqString } from "./arg-readers.js";

const ACTION = "drain_node";
export const DRAIN_PROVIDERS = ["kubernetes", "http"] as const;

export interface DrainArgs {
  readonly provider: (typeof DRAIN_PROVIDERS)[number];
  readonly node: string;
  readonly cordonOnly: boolean;
  readonly gracePeriodSeconds: number | undefined;
  /** Whole drain (cordon, evictions with PDB retries, waiting for deletion). */
  readonly timeoutMs: number;
  readonly deleteEmptyDirData: boolean;
  readonly ignoreDaemonSets: boolean;
  readonly force: boolean;
  readonly waitForDelete: boolean;
  readonly reason: string | undefined;
}

export function parseDrainArgs(args: Readonly<Record<string, unknown>>, defaultTimeoutMs: number): DrainArgs {
  const provider = oneOf(reqString(args, "provider", ACTION), DRAIN_PROVIDERS, "provider", ACTION);
  const timeout = args.timeout;
  if (timeout !== undefined && !(typeof timeout === "number" && timeout > 0) && typeof timeout !== "string") throw argsError(ACTION, "'timeout' must be seconds or a duration");
  return {
    provider,
    node: reqString(args, "node", ACTION),
    cordonOnly: optBool(args, "cordon_only", ACTION) ?? false,
    gracePeriodSeconds: optCount(args, "grace_period_seconds", ACTION),
    timeoutMs: timeoutMs(timeout, defaultTimeoutMs),
    deleteEmptyDirData: optBool(args, "delete_emptydir_data", ACTION) ?? false,
    ignoreDaemonSets: optBool(args, "ignore_daemonsets", ACTION) ?? true,
    force: optBool(args, "force", ACTION) ?? false,
    waitForDelete: optBool(args, "wait_for_delete", ACTION) ?? true,
    reason: optString(args, "reason", ACTION),
  };
}
