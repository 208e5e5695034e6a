import { sha256Hex } from "../../core/ids.js";
import { baseUrl, basicAuth, unexpectedAnswer } from "./http-call.js";
import type { Settings } from "./integration-settings.js";
import { optionalRecord, optionalString, requiredString } from "./integration-settings.js";
import type { SystemCall, TicketRef, TicketSystem } from "./ticket-system.js";
import { updateText } from "./ticket-system.js";

/** state 6 = Resolved in the stock incident table; close_code values of current releases. */
export const DEFAULT_SERVICENOW_RESOLVE_FIELDS: Readonly<Record<string, unknown>> = { state: "6", close_code: "Solution provided" };
/** ServiceNow computes priority from impact × urgency (1 high … 3 low). */
const SEVERITY_LEVEL: Readonly<Record<string, string>> = { critical: "1", page: "1", high: "2", error: "2", major: "2", warning: "3", medium: "3", minor: "3", low: "3", info: "3" };

function table(settings: Settings): string {
  const t = optionalString(settings, "table") ?? "incident";
  return encodeURIComponent(t);
}

function tableUrl(settings: Settings): string {
  return `${baseUrl(requiredString(settings, "servicenow", "url"))}/api/now/table/${table(settings)}`;
}

function headers(settings: Settings): Record<string, string> {
  return { authorization: basicAuth(requiredString(settings, "servicenow", "user"), requiredString(settings, "servicenow", "password")) };
}

/** correlation_id holds at most 100 characters; longer dedup keys are hashed. */
function correlationId(key: string): string {
  return key.length <= 100 ? key : `hookbook-${sha256Hex(key).slice(0, 64)}`;
}

async function patch(call: SystemCall, ticket: TicketRef, body: Record<string, unknown>): Promise<void> {
  const path = `/api/now/table/${table(call.settings)}/${encodeURIComponent(ticket.id)}`;
  await call.http({ method: "PATCH", url: `${tableUrl(call.settings)}/${encodeURIComponent(ticket.id)}`, label: `servicenow PATCH ${path}`, headers: headers(call.settings), body });
}

/** ServiceNow Table API (incident by default). */
export const servicenowSystem: TicketSystem = {
  name: "servicenow",
  check(settings) {
    tableUrl(settings);
    headers(settings);
  },
  async create(call, input) {
    const s = call.settings;
    const level = input.severity !== undefined ? SEVERITY_LEVEL[input.severity.toLowerCase()] : undefined;
    const title = input.title.replace(/\s*\n\s*/g, " ");
    const body = {
      short_description: title.length > 160 ? `${title.slice(0, 159)}…` : title,
      ...(input.body !== undefined ? { description: input.body } : {}),
      correlation_id: correlationId(input.dedupKey),
      correlation_display: "hookbook",
      ...(level ? { impact: level, urgency: level } : {}),
      ...input.fields,
    };
    const label = `servicenow POST /api/now/table/${table(s)}`;
    const answer = await call.http({ method: "POST", url: tableUrl(s), label, headers: headers(s), body });
    const result = ((answer.json as { result?: unknown } | undefined)?.result ?? {}) as { sys_id?: unknown; number?: unknown };
    if (typeof result.sys_id !== "string" || result.sys_id === "") throw unexpectedAnswer(label, "a sys_id");
    return {
      id: result.sys_id,
      url: `${baseUrl(requiredString(s, "servicenow", "url"))}/nav_to.do?uri=${table(s)}.do%3Fsys_id%3D${result.sys_id}`,
      ...(typeof result.number === "string" ? { number: result.number } : {}),
    };
  },
  async update(call, ticket, input) {
    const field = optionalString(call.settings, "comment_field") ?? "work_notes";
    await patch(call, ticket, { [field]: updateText(input) });
    return {};
  },
  async resolve(call, ticket, comment) {
    const fields = optionalRecord(call.settings, "resolve_fields") ?? DEFAULT_SERVICENOW_RESOLVE_FIELDS;
    await patch(call, ticket, { ...fields, close_notes: comment !== undefined && comment !== "" ? comment : "Resolved by hookbook" });
    return {};
  },
};
