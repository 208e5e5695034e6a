/**
 * GitHub webhooks (sources.md §3), JSON or form-encoded (`payload=<url-encoded JSON>`) hooks
 * (schema: docs/sources/github.schema.json):
 *
 *   data = { payload: <the event JSON>,
 *            meta: { endpoint, headers (minus credentials),
 *                    github: { event, delivery, action?, hookId?, targetType?, targetId? } } }
 *
 * `event.payload` is exactly what `ansible.eda.webhook` gives rulebooks, so `event.payload.ref`
 * and `event.meta.headers['X-GitHub-Event']` keep working.
 *
 *  - type `github.<event>[.<action>]`: `github.push`, `github.pull_request.opened`,
 *    `github.workflow_job.queued`; the `ping` sent when a hook is created is `github.hook.ping`
 *    (published by default so the hook's setup is on record; option `publishPing: false` answers
 *    202 and stores nothing).
 *  - dedupKey `github:<X-GitHub-Delivery>` (redeliveries and the JSON/form variants of one
 *    delivery collapse); option `dedupPerHook: true` appends `:<X-GitHub-Hook-ID>` for several
 *    hooks that must not collapse. Without a delivery header: `github:sha256:<event + JSON>`.
 *  - subject `<full_name>@<ref>` (push, create, delete, release tag), `<full_name>#<number>`
 *    (pull requests, issues), `<full_name>/jobs/<id>`, `/runs/<id>`, `/check-runs/<id>`,
 *    `/deployments/<id>`; else the repository or organization.
 *  - time `head_commit.timestamp` (push), `pull_request.updated_at`, `workflow_job`
 *    created/started/completed by action, …; else none (ingest uses the receipt time).
 *
 * Auth: `{type: hmac, secret}` (defaults are GitHub's: X-Hub-Signature-256, sha256=, hex over
 * the raw body — for form hooks the form body, as GitHub signs it).
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { HookbookError } from "../core/errors.js";
import { FORM_MEDIA_TYPE } from "./form.js";
import { at, bodyDedupKey, boolOption, defined, gitBody, gitEvent, gitTime, gitType, header, idText } from "./git-common.js";
import { str } from "./normalize-util.js";
import type { Json } from "./normalize-util.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";

export interface GithubOptions {
  readonly publishPing: boolean;
  readonly dedupPerHook: boolean;
}

export function githubOptions(options: Readonly<Record<string, unknown>>): GithubOptions {
  return {
    publishPing: boolOption(options, "github", "publishPing", true),
    dedupPerHook: boolOption(options, "github", "dedupPerHook", false),
  };
}

function repoName(payload: Json): string | undefined {
  return str(at(payload, "repository.full_name"));
}

/** Subject of a GitHub-shaped event (also Gitea's, whose bodies follow GitHub's layout). */
export function githubLikeSubject(event: string, payload: Json): string | undefined {
  const repo = repoName(payload);
  const owner = repo ?? str(at(payload, "organization.login")) ?? str(at(payload, "repository.owner.login"));
  if (repo === undefined) return owner;
  const under = (path: string, kind: string): string | undefined => {
    const id = idText(at(payload, path));
    return id === undefined ? repo : `${repo}/${kind}/${id}`;
  };
  switch (event) {
    case "push":
    case "create":
    case "delete": {
      const ref = str(payload.ref);
      return ref === undefined ? repo : `${repo}@${ref}`;
    }
    case "release": {
      const tag = str(at(payload, "release.tag_name"));
      return tag === undefined ? repo : `${repo}@${tag}`;
    }
    case "pull_request":
    case "pull_request_review":
    case "pull_request_review_comment":
    case "pull_request_review_thread":
    case "issues":
    case "issue_comment": {
      const number = idText(payload.number) ?? idText(at(payload, "pull_request.number")) ?? idText(at(payload, "issue.number"));
      return number === undefined ? repo : `${repo}#${number}`;
    }
    case "workflow_job":
      return under("workflow_job.id", "jobs");
    case "workflow_run":
      return under("workflow_run.id", "runs");
    case "check_run":
      return under("check_run.id", "check-runs");
    case "check_suite":
      return under("check_suite.id", "check-suites");
    case "deployment":
    case "deployment_status":
      return under("deployment.id", "deployments");
    default:
      return repo;
  }
}

/** When a GitHub-shaped event happened, from the payload; undefined = use the receipt time. */
export function githubLikeTime(event: string, action: string | undefined, payload: Json): string | undefined {
  const first = (...paths: string[]): string | undefined => {
    for (const path of paths) {
      const time = gitTime(at(payload, path));
      if (time !== undefined) return time;
    }
    return undefined;
  };
  switch (event) {
    case "push":
      return first("head_commit.timestamp");
    case "pull_request":
    case "pull_request_review_thread":
      return first("pull_request.updated_at");
    case "pull_request_review":
      return first("review.submitted_at", "pull_request.updated_at");
    case "pull_request_review_comment":
    case "issue_comment":
      return first("comment.updated_at", "comment.created_at");
    case "issues":
      return first("issue.updated_at");
    case "workflow_job":
      if (action === "completed") return first("workflow_job.completed_at", "workflow_job.started_at", "workflow_job.created_at");
      if (action === "in_progress") return first("workflow_job.started_at", "workflow_job.created_at");
      return first("workflow_job.created_at");
    case "workflow_run":
      return first("workflow_run.updated_at");
    case "check_run":
      return first("check_run.completed_at", "check_run.started_at");
    case "check_suite":
      return first("check_suite.updated_at");
    case "release":
      return first("release.published_at", "release.created_at");
    case "deployment":
      return first("deployment.updated_at", "deployment.created_at");
    case "deployment_status":
      return first("deployment_status.updated_at", "deployment_status.created_at");
    default:
      return undefined;
  }
}

function invalid(message: string): HookbookError {
  return new HookbookError("HB_ERR_INVALID_PAYLOAD", `not a GitHub webhook delivery: ${message}`);
}

function normalize(req: NormalizeRequest): NormalizedEvent[] {
  const opts = githubOptions(req.options);
  const event = header(req, "x-github-event");
  if (event === undefined) throw invalid("X-GitHub-Event header missing");
  const { payload, json } = gitBody(req, "a GitHub webhook delivery");
  if (event === "ping" && !opts.publishPing) return [];
  const delivery = header(req, "x-github-delivery");
  const hookId = header(req, "x-github-hook-id");
  const action = str(payload.action);
  const base = delivery === undefined ? bodyDedupKey("github", event, json) : `github:${delivery}`;
  const dedupKey = opts.dedupPerHook && hookId !== undefined ? `${base}:${hookId}` : base;
  return [
    gitEvent(req, "github", {
      type: event === "ping" ? "github.hook.ping" : gitType("github", event, action),
      dedupKey,
      subject: githubLikeSubject(event, payload),
      time: githubLikeTime(event, action, payload),
      payload,
      meta: defined({
        event,
        delivery,
        action,
        hookId,
        targetType: header(req, "x-github-hook-installation-target-type"),
        targetId: header(req, "x-github-hook-installation-target-id"),
      }),
    }),
  ];
}

export const githubSource: SourceKindHandler = {
  kind: "github",
  contentTypes: ["application/json", FORM_MEDIA_TYPE],
  normalize,
  checkOptions(options) {
    githubOptions(options);
  },
};
