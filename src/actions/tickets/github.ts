import { baseUrl, unexpectedAnswer } from "./http-call.js";
import type { Settings } from "./integration-settings.js";
import { configFailure, optionalString, requiredString, stringList } from "./integration-settings.js";
import type { OpenInput, SystemCall, TicketRef, TicketSystem } from "./ticket-system.js";
import { updateText } from "./ticket-system.js";

const DEFAULT_API_URL = "https://api.github.com";

function api(settings: Settings): string {
  return baseUrl(optionalString(settings, "api_url") ?? DEFAULT_API_URL);
}

function headers(settings: Settings): Record<string, string> {
  return {
    authorization: `Bearer ${requiredString(settings, "github", "token")}`,
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
  };
}

function repoOf(settings: Settings, input: OpenInput | undefined): string {
  const repo = input?.fields.repo ?? settings.repo;
  if (typeof repo !== "string" || !/^[\w.-]+\/[\w.-]+$/.test(repo)) throw configFailure("github needs a repository 'owner/name': fields.repo or integrations.github.repo");
  return repo;
}

async function comment(call: SystemCall, ticket: TicketRef, body: string): Promise<Record<string, unknown>> {
  const path = `/repos/${ticket.repo}/issues/${ticket.number}/comments`;
  const answer = await call.http({ method: "POST", url: `${api(call.settings)}${path}`, label: `github POST ${path}`, headers: headers(call.settings), body: { body } });
  const id = (answer.json as { id?: unknown } | undefined)?.id;
  return id === undefined ? {} : { comment_id: String(id) };
}

/** GitHub (or GitHub Enterprise Server via api_url) Issues REST API. */
export const githubSystem: TicketSystem = {
  name: "github",
  check(settings, input) {
    requiredString(settings, "github", "token");
    if (input) repoOf(settings, input);
  },
  async create(call, input) {
    const s = call.settings;
    const repo = repoOf(s, input);
    const { repo: _repo, ...extra } = input.fields;
    const labels = [...stringList(s.labels), ...input.labels, ...(input.severity !== undefined ? [`severity:${input.severity}`] : [])];
    const path = `/repos/${repo}/issues`;
    const answer = await call.http({
      method: "POST",
      url: `${api(s)}${path}`,
      label: `github POST ${path}`,
      headers: headers(s),
      body: { title: input.title, ...(input.body !== undefined ? { body: input.body } : {}), ...(labels.length > 0 ? { labels } : {}), ...extra },
    });
    const issue = (answer.json ?? {}) as { number?: unknown; html_url?: unknown };
    if (typeof issue.number !== "number") throw unexpectedAnswer(`github POST ${path}`, "an issue number");
    return { id: `${repo}#${issue.number}`, repo, number: issue.number, ...(typeof issue.html_url === "string" ? { url: issue.html_url } : {}) };
  },
  async update(call, ticket, input) {
    return comment(call, ticket, updateText(input));
  },
  async resolve(call, ticket, text) {
    const data = text !== undefined && text !== "" ? await comment(call, ticket, text) : {};
    const path = `/repos/${ticket.repo}/issues/${ticket.number}`;
    await call.http({
      method: "PATCH",
      url: `${api(call.settings)}${path}`,
      label: `github PATCH ${path}`,
      headers: headers(call.settings),
      body: { state: "closed", state_reason: "completed" },
    });
    return data;
  },
};
