import type { JsonAnswer, JsonRequest } from "./http-call.js";
import type { Settings } from "./integration-settings.js";

export const TICKET_SYSTEMS = ["jira", "github", "pagerduty", "servicenow"] as const;
export type TicketSystemName = (typeof TICKET_SYSTEMS)[number];

/** What the mapping keeps about a ticket: enough to comment on and resolve it later. */
export interface TicketRef {
  /** The id used in API paths (Jira key, GitHub "owner/repo#n", PagerDuty dedup key, ServiceNow sys_id). */
  readonly id: string;
  readonly url?: string;
  /** Human number where it differs from id (GitHub issue number, ServiceNow INC number). */
  readonly number?: string | number;
  readonly repo?: string;
}

export interface OpenInput {
  readonly dedupKey: string;
  readonly title: string;
  readonly body?: string;
  /** Text of the comment added when the ticket already exists (default: body, else title). */
  readonly comment?: string;
  readonly severity?: string;
  readonly labels: readonly string[];
  /** System-specific extras (Jira project/issue_type, GitHub repo, ServiceNow assignment_group …). */
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface SystemCall {
  readonly settings: Settings;
  readonly http: (req: JsonRequest) => Promise<JsonAnswer>;
}

export interface TicketSystem {
  readonly name: TicketSystemName;
  /** Throws a permanent failure when required settings are missing (before any state is touched). */
  check(settings: Settings, input?: OpenInput): void;
  create(call: SystemCall, input: OpenInput): Promise<TicketRef>;
  /** The ticket exists and is open: add a comment / re-trigger. Returns result data. */
  update(call: SystemCall, ticket: TicketRef, input: OpenInput): Promise<Record<string, unknown>>;
  resolve(call: SystemCall, ticket: TicketRef, comment: string | undefined): Promise<Record<string, unknown>>;
  /** Systems that dedup on their side (PagerDuty) can resolve a key hookbook has no mapping for. */
  resolveUnmapped?(call: SystemCall, dedupKey: string, comment: string | undefined): Promise<Record<string, unknown>>;
}

/** The comment text for an update of an open ticket. */
export function updateText(input: OpenInput): string {
  return input.comment ?? input.body ?? input.title;
}
