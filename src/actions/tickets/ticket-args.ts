import { HookbookError } from "../../core/errors.js";
import { stringList } from "./integration-settings.js";
import type { OpenInput, TicketSystemName } from "./ticket-system.js";
import { TICKET_SYSTEMS } from "./ticket-system.js";

function argError(action: string, message: string): HookbookError {
  return new HookbookError("HB_ERR_ACTION_ARGS", `${action}: ${message}`);
}

function systemArg(action: string, args: Readonly<Record<string, unknown>>): TicketSystemName {
  const system = args.system;
  if (typeof system !== "string" || !(TICKET_SYSTEMS as readonly string[]).includes(system)) {
    throw argError(action, `'system' must be one of ${TICKET_SYSTEMS.join(", ")}`);
  }
  return system as TicketSystemName;
}

function text(action: string, args: Readonly<Record<string, unknown>>, name: string, required: boolean): string | undefined {
  const v = args[name];
  if (v === undefined || v === null) {
    if (required) throw argError(action, `'${name}' is required`);
    return undefined;
  }
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v !== "string") throw argError(action, `'${name}' must be a string`);
  if (required && v.trim() === "") throw argError(action, `'${name}' must not be empty`);
  return v;
}

export interface OpenArgs extends OpenInput {
  readonly system: TicketSystemName;
}

export function parseOpenArgs(args: Readonly<Record<string, unknown>>): OpenArgs {
  const action = "open_ticket";
  const fields = args.fields ?? {};
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) throw argError(action, "'fields' must be a mapping");
  if (args.labels !== undefined && args.labels !== null && typeof args.labels !== "string" && !Array.isArray(args.labels)) {
    throw argError(action, "'labels' must be a list of strings");
  }
  const body = text(action, args, "body", false);
  const comment = text(action, args, "comment", false);
  const severity = text(action, args, "severity", false);
  return {
    system: systemArg(action, args),
    dedupKey: text(action, args, "dedup_key", true) as string,
    title: text(action, args, "title", true) as string,
    ...(body !== undefined ? { body } : {}),
    ...(comment !== undefined ? { comment } : {}),
    ...(severity !== undefined && severity !== "" ? { severity } : {}),
    labels: stringList(args.labels),
    fields: fields as Record<string, unknown>,
  };
}

export interface ResolveArgs {
  readonly system: TicketSystemName;
  readonly dedupKey: string;
  readonly comment?: string;
}

export function parseResolveArgs(args: Readonly<Record<string, unknown>>): ResolveArgs {
  const action = "resolve_ticket";
  const comment = text(action, args, "comment", false);
  return { system: systemArg(action, args), dedupKey: text(action, args, "dedup_key", true) as string, ...(comment !== undefined ? { comment } : {}) };
}
