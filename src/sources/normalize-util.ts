/**
 * Small pure helpers shared by the cloud and cluster source kinds (eventbridge, sns, pubsub,
 * azure-*, k8s-events, cloudevents): JSON shape checks, time parsing and `meta.headers`.
 */
import { HookbookError } from "../core/errors.js";
export { isJsonObject as isObject } from "../core/json.js";

export type Json = Record<string, unknown>;

/** The value when it is a non-empty string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** HB_ERR_INVALID_PAYLOAD with a message naming the producer format. */
export function invalidPayload(format: string, message: string): HookbookError {
  return new HookbookError("HB_ERR_INVALID_PAYLOAD", `not ${format}: ${message}`);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The string when it is an RFC 3339 date-time with a zone, else undefined. */
export function rfc3339(value: unknown): string | undefined {
  return typeof value === "string" && RFC3339.test(value) && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/** Largest |milliseconds| a Date can hold (±100,000,000 days around 1970). */
export const MAX_DATE_MS = 8.64e15;

/** Milliseconds → RFC 3339 UTC, without ".000" when the time has no milliseconds. Throws RangeError outside ±MAX_DATE_MS. */
export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/**
 * A producer time (RFC 3339, or RFC 1123 as in AWS Health and Azure Scheduled Events:
 * `Tue, 12 May 2026 16:45:30 GMT`) → RFC 3339 UTC; undefined when absent or unparseable.
 */
export function normalizeTime(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const iso = rfc3339(value);
  if (iso !== undefined) return iso;
  if (!/^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} (GMT|UTC|Z|[+-]\d{4})$/.test(value.trim())) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : isoFromMs(ms);
}

/** `time` plus `seconds`, RFC 3339 UTC. */
export function addSeconds(time: string, seconds: number): string {
  return isoFromMs(Date.parse(time) + seconds * 1000);
}

/** Headers that carry credentials and never reach `meta.headers` (compared lower case). */
export const CREDENTIAL_HEADERS: readonly string[] = ["authorization", "proxy-authorization", "cookie", "x-api-key"];

/** The lower-case names to drop, per list of extra names (the lists are constants or source options: few). */
const dropSets = new WeakMap<readonly string[], ReadonlySet<string>>();
const NO_EXTRA: readonly string[] = [];

function dropSet(extra: readonly string[]): ReadonlySet<string> {
  const list = extra.length === 0 ? NO_EXTRA : extra;
  let set = dropSets.get(list);
  if (set === undefined) {
    set = new Set([...CREDENTIAL_HEADERS, ...list.map((h) => h.toLowerCase())]);
    dropSets.set(list, set);
  }
  return set;
}

/**
 * The headers rulebooks see as `meta.headers`: the request headers (sender's spelling) minus the
 * credential headers above and any extra names (e.g. the `stripHeaders` kind option).
 */
export function metaHeadersWithout(
  headers: Readonly<Record<string, string>>,
  extra: readonly string[] = [],
): Record<string, string> {
  const drop = dropSet(extra);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!drop.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

/** Reads the common `stripHeaders` option (extra header names to keep out of meta.headers). */
export function stripHeadersOption(options: Readonly<Record<string, unknown>>, kind: string): readonly string[] {
  const value = options.stripHeaders;
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((h): h is string => typeof h === "string" && h !== "")) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `${kind} option stripHeaders must be a list of header names`);
  }
  return value;
}

/** Throws HB_ERR_CONFIG_INVALID for option names the kind does not know. */
export function checkKnownOptions(options: Readonly<Record<string, unknown>>, kind: string, known: readonly string[]): void {
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new HookbookError("HB_ERR_CONFIG_INVALID", `unknown ${kind} option ${name} (known: ${known.join(", ") || "none"})`);
    }
  }
}

/** "EC2 Instance State-change Notification" → "ec2_instance_state_change_notification". */
export function snakeToken(value: string): string {
  const token = value
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return token === "" ? "unknown" : token;
}

/** Dotted lower-case type token: keeps "." separators, everything else as snakeToken. */
export function dottedToken(value: string): string {
  return value
    .split(".")
    .filter((part) => part !== "")
    .map(snakeToken)
    .join(".");
}
