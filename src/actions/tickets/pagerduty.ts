import { sha256Hex } from "../../core/ids.js";
import { baseUrl } from "./http-call.js";
import type { Settings } from "./integration-settings.js";
import { optionalString, requiredString } from "./integration-settings.js";
import type { OpenInput, SystemCall, TicketSystem } from "./ticket-system.js";

const DEFAULT_EVENTS_URL = "https://events.pagerduty.com";
const PD_SEVERITIES = new Set(["critical", "error", "warning", "info"]);
/** Common severity words mapped onto the four PagerDuty knows. */
const SEVERITY_ALIASES: Readonly<Record<string, string>> = {
  page: "critical",
  fatal: "critical",
  high: "error",
  major: "error",
  medium: "warning",
  minor: "warning",
  low: "warning",
  none: "info",
};
const PAYLOAD_FIELDS = ["component", "group", "class", "timestamp"] as const;

function enqueueUrl(settings: Settings): string {
  return `${baseUrl(optionalString(settings, "events_url") ?? DEFAULT_EVENTS_URL)}/v2/enqueue`;
}

/** PagerDuty caps dedup_key at 255 characters; longer keys are hashed. */
export function pagerdutyDedupKey(key: string): string {
  return key.length <= 255 ? key : `hookbook-${sha256Hex(key)}`;
}

function severityOf(settings: Settings, severity: string | undefined): string {
  const wanted = (severity ?? optionalString(settings, "severity") ?? "error").toLowerCase();
  if (PD_SEVERITIES.has(wanted)) return wanted;
  return SEVERITY_ALIASES[wanted] ?? "error";
}

async function enqueue(call: SystemCall, body: Record<string, unknown>): Promise<string | undefined> {
  const answer = await call.http({ method: "POST", url: enqueueUrl(call.settings), label: "pagerduty POST /v2/enqueue", body });
  const key = (answer.json as { dedup_key?: unknown } | undefined)?.dedup_key;
  return typeof key === "string" ? key : undefined;
}

function trigger(settings: Settings, input: OpenInput): Record<string, unknown> {
  const f = input.fields;
  const details = {
    ...(input.body !== undefined ? { body: input.body } : {}),
    ...(input.labels.length > 0 ? { labels: input.labels } : {}),
    ...(f.custom_details && typeof f.custom_details === "object" ? (f.custom_details as Record<string, unknown>) : {}),
  };
  const title = input.title.length > 1024 ? `${input.title.slice(0, 1023)}…` : input.title;
  return {
    routing_key: requiredString(settings, "pagerduty", "routing_key"),
    event_action: "trigger",
    dedup_key: pagerdutyDedupKey(input.dedupKey),
    payload: {
      summary: title,
      source: String(f.source ?? optionalString(settings, "source") ?? "hookbook"),
      severity: severityOf(settings, input.severity),
      ...Object.fromEntries(PAYLOAD_FIELDS.filter((k) => f[k] !== undefined).map((k) => [k, f[k]])),
      ...(Object.keys(details).length > 0 ? { custom_details: details } : {}),
    },
    client: "hookbook",
    ...(Array.isArray(f.links) ? { links: f.links } : {}),
    ...(Array.isArray(f.images) ? { images: f.images } : {}),
  };
}

async function resolveKey(call: SystemCall, dedupKey: string, comment: string | undefined): Promise<Record<string, unknown>> {
  await enqueue(call, { routing_key: requiredString(call.settings, "pagerduty", "routing_key"), event_action: "resolve", dedup_key: dedupKey });
  // Events API v2 has no comments: the text is kept in the outcome only.
  return comment !== undefined && comment !== "" ? { comment_not_sent: true } : {};
}

/** PagerDuty Events API v2: PagerDuty dedups on dedup_key itself; hookbook still keeps the mapping. */
export const pagerdutySystem: TicketSystem = {
  name: "pagerduty",
  check(settings) {
    requiredString(settings, "pagerduty", "routing_key");
  },
  async create(call, input) {
    const key = (await enqueue(call, trigger(call.settings, input))) ?? pagerdutyDedupKey(input.dedupKey);
    return { id: key };
  },
  async update(call, _ticket, input) {
    await enqueue(call, trigger(call.settings, input));
    return { retriggered: true };
  },
  resolve: (call, ticket, comment) => resolveKey(call, ticket.id, comment),
  resolveUnmapped: (call, dedupKey, comment) => resolveKey(call, pagerdutyDedupKey(dedupKey), comment),
};
