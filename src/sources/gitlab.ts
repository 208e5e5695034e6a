/**
 * GitLab webhooks (sources.md §4) (schema: docs/sources/gitlab.schema.json):
 *
 *   data = { payload: <the hook JSON>,
 *            meta: { endpoint, headers (minus X-Gitlab-Token and other credentials),
 *                    gitlab: { event, delivery?, objectKind?, action?, instance?, eventUuid?, webhookUuid? } } }
 *
 *  - type from `object_kind`: `gitlab.push`, `gitlab.tag_push`, `gitlab.merge_request.<action>`
 *    (open, close, reopen, update, approved, unapproved, approval, unapproval, merge),
 *    `gitlab.issue.<action>`, `gitlab.pipeline.<status>`, `gitlab.job.<build_status>`,
 *    `gitlab.deployment.<status>`, `gitlab.release.<action>`, `gitlab.wiki_page.<action>`,
 *    `gitlab.note`, else `gitlab.<object_kind>`; system hooks (`X-Gitlab-Event: System Hook`)
 *    `gitlab.system.<event_name>`.
 *  - dedupKey `gitlab:<Idempotency-Key>` (one per event and hook, kept on retries; equals the
 *    signing token's `webhook-id`), else `gitlab:sha256:<X-Gitlab-Event + body>` (old GitLab).
 *    X-Gitlab-Webhook-UUID changes per attempt and X-Gitlab-Event-UUID is shared by every hook
 *    of one originating request, so neither is a dedup key.
 *  - subject `<path_with_namespace>@<ref>` (push), `!<iid>` (merge request), `#<iid>` (issue),
 *    `/pipelines/<id>`, `/jobs/<id>`, `/deployments/<id>`; else the project path.
 *  - time: newest commit (push), `object_attributes.updated_at` (merge request, issue, note),
 *    pipeline `finished_at|created_at`, job `build_finished_at|build_started_at|build_created_at`,
 *    deployment `status_changed_at`; both `2026-05-12T13:54:07Z` and `2026-05-12 13:54:07 UTC`.
 *
 * Auth: `{type: gitlab-token, token}` (X-Gitlab-Token) or `{type: standard-webhooks, secret:
 * whsec_…}` (signing token); GitLab's `user:pass@` URL credentials arrive as basic auth.
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { HookbookError } from "../core/errors.js";
import { at, bodyDedupKey, defined, gitEvent, gitTime, gitType, header, idText, typeToken } from "./git-common.js";
import { isObject, str } from "./normalize-util.js";
import type { Json } from "./normalize-util.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";
import { parseJsonBody } from "./webhook.js";

/** object_kind → [type noun, where its verb is]. */
const KINDS: Readonly<Record<string, readonly [string, string | undefined]>> = {
  push: ["push", undefined],
  tag_push: ["tag_push", undefined],
  merge_request: ["merge_request", "object_attributes.action"],
  issue: ["issue", "object_attributes.action"],
  work_item: ["work_item", "object_attributes.action"],
  pipeline: ["pipeline", "object_attributes.status"],
  build: ["job", "build_status"],
  deployment: ["deployment", "status"],
  release: ["release", "action"],
  wiki_page: ["wiki_page", "object_attributes.action"],
  note: ["note", undefined],
};

function invalid(message: string): HookbookError {
  return new HookbookError("HB_ERR_INVALID_PAYLOAD", `not a GitLab webhook: ${message}`);
}

/** "Merge Request Hook" → "merge_request". */
function kindFromHeader(event: string): string {
  return typeToken(event.replace(/\s*hook$/i, ""));
}

function newestCommitTime(payload: Json): string | undefined {
  const commits = payload.commits;
  if (!Array.isArray(commits)) return undefined;
  let newest: string | undefined;
  for (const c of commits) {
    const t = gitTime(at(c, "timestamp"));
    if (t !== undefined && (newest === undefined || Date.parse(t) > Date.parse(newest))) newest = t;
  }
  return newest;
}

function subjectOf(kind: string, payload: Json): string | undefined {
  const path = str(at(payload, "project.path_with_namespace")) ?? str(payload.path_with_namespace);
  if (path === undefined) return str(payload.project_name);
  const suffix = (sep: string, value: unknown): string => {
    const id = idText(value);
    return id === undefined ? path : `${path}${sep}${id}`;
  };
  switch (kind) {
    case "push":
    case "tag_push":
      return suffix("@", payload.ref);
    case "merge_request":
      return suffix("!", at(payload, "object_attributes.iid"));
    case "issue":
    case "work_item":
      return suffix("#", at(payload, "object_attributes.iid"));
    case "pipeline":
      return suffix("/pipelines/", at(payload, "object_attributes.id"));
    case "build":
      return suffix("/jobs/", payload.build_id);
    case "deployment":
      return suffix("/deployments/", payload.deployment_id);
    case "release":
      return suffix("@", payload.tag);
    default:
      return path;
  }
}

function timeOf(kind: string, payload: Json): string | undefined {
  const first = (...paths: string[]): string | undefined => {
    for (const p of paths) {
      const t = gitTime(at(payload, p));
      if (t !== undefined) return t;
    }
    return undefined;
  };
  switch (kind) {
    case "push":
    case "tag_push":
      return newestCommitTime(payload);
    case "pipeline":
      return first("object_attributes.finished_at", "object_attributes.created_at");
    case "build":
      return first("build_finished_at", "build_started_at", "build_created_at");
    case "deployment":
      return first("status_changed_at");
    case "release":
      return first("released_at", "updated_at", "created_at");
    default:
      return first("object_attributes.updated_at", "object_attributes.created_at");
  }
}

function normalize(req: NormalizeRequest): NormalizedEvent[] {
  const payload = parseJsonBody(req.body);
  if (!isObject(payload)) throw invalid("body must be a JSON object");
  const event = header(req, "x-gitlab-event");
  const objectKind = str(payload.object_kind) ?? str(payload.event_name) ?? (event === undefined ? undefined : kindFromHeader(event));
  if (objectKind === undefined) throw invalid("no X-Gitlab-Event header and no object_kind in the body");
  let type: string;
  let action: string | undefined;
  if (event !== undefined && /^system hook$/i.test(event)) {
    type = `gitlab.system.${typeToken(str(payload.event_name) ?? objectKind)}`;
  } else {
    const [noun, verbPath] = KINDS[objectKind] ?? [objectKind, "object_attributes.action"];
    action = verbPath === undefined ? undefined : str(at(payload, verbPath));
    type = gitType("gitlab", noun, action);
  }
  const delivery = header(req, "idempotency-key");
  return [
    gitEvent(req, "gitlab", {
      type,
      dedupKey: delivery === undefined ? bodyDedupKey("gitlab", event ?? objectKind, req.body) : `gitlab:${delivery}`,
      subject: subjectOf(objectKind, payload),
      time: timeOf(objectKind, payload),
      payload,
      meta: defined({
        event,
        delivery,
        objectKind,
        action,
        instance: header(req, "x-gitlab-instance"),
        eventUuid: header(req, "x-gitlab-event-uuid"),
        webhookUuid: header(req, "x-gitlab-webhook-uuid"),
      }),
    }),
  ];
}

export const gitlabSource: SourceKindHandler = {
  kind: "gitlab",
  contentTypes: ["application/json"],
  normalize,
};
