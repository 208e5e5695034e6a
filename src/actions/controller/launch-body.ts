import { parse as parseYaml } from "yaml";
import type { ActionContext } from "../types.js";
import { ansibleEdaVars, hostLimit, isPlainObject } from "../ansible/eda-vars.js";

/** Label names of a launch: the rule's labels, the default label, one per matched event uuid. */
export function labelNames(ctx: ActionContext, defaultLabel: string): string[] {
  const names: unknown[] = Array.isArray(ctx.args.labels) ? [...ctx.args.labels] : [];
  if (defaultLabel !== "") names.push(defaultLabel);
  if (ctx.args.add_event_uuid_label === true) {
    for (const ev of Object.values(ctx.intent.matchingEvents)) {
      const uuid = ev.meta?.uuid;
      if (typeof uuid === "string" && uuid !== "") names.push(`eda-event-uuid-${uuid}`);
    }
  }
  const out: string[] = [];
  for (const n of names) {
    if (typeof n !== "string" || n.trim() === "" || out.includes(n)) continue;
    out.push(n);
  }
  return out;
}

/** The user's job_args.extra_vars: a mapping, or YAML/JSON text of one (what AWX also accepts). */
function userExtraVars(value: unknown): { vars: Record<string, unknown> } | { error: string } {
  if (value === undefined || value === null) return { vars: {} };
  if (isPlainObject(value)) return { vars: value };
  if (typeof value === "string") {
    try {
      const parsed: unknown = value.trim() === "" ? {} : parseYaml(value);
      if (isPlainObject(parsed)) return { vars: parsed };
    } catch {
      // reported below
    }
  }
  return { error: "job_args.extra_vars must be a mapping (or YAML/JSON text of one)" };
}

/**
 * The launch request body (reference §4.2, §4.4): `job_args` as given, `extra_vars` = the
 * user's plus `ansible_eda` unless `include_events: false`, `limit` = job_args.limit or the
 * firing's hosts (none for all). Labels are added by the caller (they need ids).
 */
export function launchBody(ctx: ActionContext): { body: Record<string, unknown> } | { error: string } {
  const jobArgs = isPlainObject(ctx.args.job_args) ? ctx.args.job_args : {};
  if (ctx.args.job_args !== undefined && ctx.args.job_args !== null && !isPlainObject(ctx.args.job_args)) return { error: "job_args must be a mapping" };
  const { extra_vars: rawExtra, ...rest } = jobArgs;
  const user = userExtraVars(rawExtra);
  if ("error" in user) return { error: user.error };
  const body: Record<string, unknown> = { ...rest };
  const extra: Record<string, unknown> = { ...user.vars };
  if (ctx.args.include_events !== false) extra.ansible_eda = ansibleEdaVars(ctx);
  if ((rawExtra !== undefined && rawExtra !== null) || Object.keys(extra).length > 0) body.extra_vars = extra;
  if (typeof jobArgs.limit !== "string" || jobArgs.limit === "") {
    delete body.limit;
    const { limit, error } = hostLimit(ctx.intent.hosts);
    if (error !== undefined) return { error };
    if (limit !== undefined) body.limit = limit;
  }
  return { body };
}
