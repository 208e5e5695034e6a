import { baseUrl, basicAuth, unexpectedAnswer } from "./http-call.js";
import type { Settings } from "./integration-settings.js";
import { configFailure, optionalRecord, optionalString, requiredString, stringList } from "./integration-settings.js";
import type { SystemCall, TicketRef, TicketSystem } from "./ticket-system.js";
import { updateText } from "./ticket-system.js";

/** Transition names tried in this order when integrations.jira.resolve_transitions is not set. */
export const DEFAULT_JIRA_RESOLVE_TRANSITIONS = ["Resolve Issue", "Resolve", "Resolved", "Done", "Close Issue", "Close", "Closed"];

interface JiraTransition {
  readonly id?: unknown;
  readonly name?: unknown;
  readonly to?: { readonly name?: unknown; readonly statusCategory?: { readonly key?: unknown } };
}

function apiBase(settings: Settings): string {
  const version = String(settings.api_version ?? "2");
  if (version !== "2" && version !== "3") throw configFailure("integrations.jira.api_version must be 2 or 3");
  return `${baseUrl(requiredString(settings, "jira", "url"))}/rest/api/${version}`;
}

function isV3(settings: Settings): boolean {
  return String(settings.api_version ?? "2") === "3";
}

function authHeader(settings: Settings): string {
  const user = optionalString(settings, "user") ?? optionalString(settings, "email");
  const token = optionalString(settings, "token") ?? optionalString(settings, "password");
  if (!token) throw configFailure("integrations.jira.token (or password) is not set");
  if (settings.auth === "bearer" || !user) return `Bearer ${token}`;
  return basicAuth(user, token);
}

/** v2 takes plain text (wiki markup); v3 takes Atlassian Document Format. */
function richText(settings: Settings, text: string): unknown {
  if (!isV3(settings)) return text;
  const paragraphs = text.split(/\n{2,}/).filter((p) => p !== "");
  return {
    type: "doc",
    version: 1,
    content: paragraphs.map((p) => ({
      type: "paragraph",
      content: p.split("\n").flatMap((line, i) => [...(i > 0 ? [{ type: "hardBreak" }] : []), ...(line !== "" ? [{ type: "text", text: line }] : [])]),
    })),
  };
}

function summary(title: string): string {
  const line = title.replace(/\s*\n\s*/g, " ").trim();
  return line.length > 255 ? `${line.slice(0, 254)}…` : line;
}

function headers(settings: Settings): Record<string, string> {
  return { authorization: authHeader(settings) };
}

function issuePath(ticket: TicketRef): string {
  return `/issue/${encodeURIComponent(ticket.id)}`;
}

async function addComment(call: SystemCall, ticket: TicketRef, text: string): Promise<string | undefined> {
  const answer = await call.http({
    method: "POST",
    url: `${apiBase(call.settings)}${issuePath(ticket)}/comment`,
    label: `jira POST ${issuePath(ticket)}/comment`,
    headers: headers(call.settings),
    body: { body: richText(call.settings, text) },
  });
  const id = (answer.json as { id?: unknown } | undefined)?.id;
  return id === undefined ? undefined : String(id);
}

function chooseTransition(transitions: readonly JiraTransition[], names: readonly string[]): JiraTransition | undefined {
  const norm = (v: unknown): string => (typeof v === "string" ? v.trim().toLowerCase() : "");
  for (const wanted of names.map(norm)) {
    const hit = transitions.find((t) => norm(t.name) === wanted || norm(t.to?.name) === wanted);
    if (hit) return hit;
  }
  return undefined;
}

/** Jira Cloud / Data Center REST API v2 or v3. */
export const jiraSystem: TicketSystem = {
  name: "jira",
  check(settings, input) {
    apiBase(settings);
    authHeader(settings);
    if (input && !(input.fields.project ?? settings.project)) throw configFailure("jira needs a project: fields.project or integrations.jira.project");
  },
  async create(call, input) {
    const s = call.settings;
    const { project, issue_type: issueType, ...extra } = input.fields;
    const priorityMap = optionalRecord(s, "priority_map");
    const priority = input.severity !== undefined ? priorityMap?.[input.severity] : undefined;
    const labels = [...stringList(s.labels), ...input.labels].map((l) => l.replace(/\s+/g, "_"));
    const fields: Record<string, unknown> = {
      project: { key: String(project ?? s.project) },
      issuetype: { name: String(issueType ?? s.issue_type ?? "Task") },
      summary: summary(input.title),
      ...(input.body !== undefined ? { description: richText(s, input.body) } : {}),
      ...(labels.length > 0 ? { labels } : {}),
      ...(typeof priority === "string" ? { priority: { name: priority } } : {}),
      ...extra,
    };
    const answer = await call.http({ method: "POST", url: `${apiBase(s)}/issue`, label: "jira POST /issue", headers: headers(s), body: { fields } });
    const created = (answer.json ?? {}) as { key?: unknown; id?: unknown };
    const key = typeof created.key === "string" ? created.key : String(created.id ?? "");
    if (key === "") throw unexpectedAnswer("jira POST /issue", "an issue key");
    return { id: key, url: `${baseUrl(requiredString(s, "jira", "url"))}/browse/${key}`, ...(created.id !== undefined ? { number: String(created.id) } : {}) };
  },
  async update(call, ticket, input) {
    const commentId = await addComment(call, ticket, updateText(input));
    return commentId ? { comment_id: commentId } : {};
  },
  async resolve(call, ticket, comment) {
    const s = call.settings;
    const data: Record<string, unknown> = {};
    if (comment !== undefined && comment !== "") {
      const commentId = await addComment(call, ticket, comment);
      if (commentId) data.comment_id = commentId;
    }
    const path = `${issuePath(ticket)}/transitions`;
    const listed = await call.http({ method: "GET", url: `${apiBase(s)}${path}`, label: `jira GET ${path}`, headers: headers(s) });
    const transitions = ((listed.json as { transitions?: unknown } | undefined)?.transitions ?? []) as JiraTransition[];
    const names = stringList(s.resolve_transitions);
    const chosen =
      chooseTransition(transitions, names.length > 0 ? names : DEFAULT_JIRA_RESOLVE_TRANSITIONS) ??
      (names.length > 0 ? undefined : transitions.find((t) => t.to?.statusCategory?.key === "done"));
    if (!chosen || chosen.id === undefined) {
      // Nothing to move to: maybe a person already resolved it.
      const issue = await call.http({ method: "GET", url: `${apiBase(s)}${issuePath(ticket)}?fields=status`, label: `jira GET ${issuePath(ticket)}`, headers: headers(s) });
      const category = (issue.json as { fields?: { status?: { statusCategory?: { key?: unknown } } } } | undefined)?.fields?.status?.statusCategory?.key;
      if (category === "done") return { ...data, already_resolved: true };
      const available = transitions.map((t) => String(t.name)).join(", ");
      throw configFailure(`jira ${ticket.id}: no resolve transition among [${(names.length > 0 ? names : DEFAULT_JIRA_RESOLVE_TRANSITIONS).join(", ")}] (available: ${available || "none"}); set integrations.jira.resolve_transitions`);
    }
    const resolveFields = optionalRecord(s, "resolve_fields");
    await call.http({
      method: "POST",
      url: `${apiBase(s)}${path}`,
      label: `jira POST ${path}`,
      headers: headers(s),
      body: { transition: { id: String(chosen.id) }, ...(resolveFields ? { fields: resolveFields } : {}) },
    });
    return { ...data, transition: String(chosen.name ?? chosen.id) };
  },
};
