/**
 * Gitea / Forgejo / Gogs webhooks (sources.md §4, "Gitea / Forgejo"), JSON or form-encoded
 * (`payload=`); bodies follow GitHub's layout (schema: docs/sources/gitea.schema.json):
 *
 *   data = { payload: <the event JSON>,
 *            meta: { endpoint, headers (minus credentials),
 *                    gitea: { event, eventType?, delivery?, action? } } }
 *
 *  - type `gitea.<event>[.<action>]` (`gitea.push`, `gitea.pull_request.opened`), event from
 *    X-Gitea-Event, X-Forgejo-Event or X-Gogs-Event; `meta.gitea.eventType` keeps the finer
 *    X-Gitea-Event-Type (e.g. `pull_request_label`).
 *  - dedupKey `gitea:<X-Gitea-Delivery>` (or the Forgejo / Gogs delivery header), else
 *    `gitea:sha256:<event + JSON>`.
 *  - subject and time as GitHub's (`<full_name>@<ref>`, `#<number>`, head_commit.timestamp…).
 *
 * Auth: `{type: hmac, secret, header: x-gitea-signature, prefix: "", formPayload: true}`.
 * Gitea signs the JSON payload even for form hooks (GitHub signs the form body), hence
 * `formPayload`. The GitHub-compatible `X-Hub-Signature-256` works too for JSON hooks.
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { HookbookError } from "../core/errors.js";
import { FORM_MEDIA_TYPE } from "./form.js";
import { bodyDedupKey, defined, firstHeader, gitBody, gitEvent, gitType } from "./git-common.js";
import { githubLikeSubject, githubLikeTime } from "./github.js";
import { str } from "./normalize-util.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";

const EVENT_HEADERS = ["x-gitea-event", "x-forgejo-event", "x-gogs-event"];
const EVENT_TYPE_HEADERS = ["x-gitea-event-type", "x-forgejo-event-type", "x-gogs-event-type"];
const DELIVERY_HEADERS = ["x-gitea-delivery", "x-forgejo-delivery", "x-gogs-delivery"];

function normalize(req: NormalizeRequest): NormalizedEvent[] {
  const event = firstHeader(req, EVENT_HEADERS);
  if (event === undefined) {
    throw new HookbookError("HB_ERR_INVALID_PAYLOAD", "not a Gitea webhook delivery: X-Gitea-Event (or X-Forgejo-Event / X-Gogs-Event) header missing");
  }
  const { payload, json } = gitBody(req, "a Gitea webhook delivery");
  const delivery = firstHeader(req, DELIVERY_HEADERS);
  const action = str(payload.action);
  return [
    gitEvent(req, "gitea", {
      type: gitType("gitea", event, action),
      dedupKey: delivery === undefined ? bodyDedupKey("gitea", event, json) : `gitea:${delivery}`,
      subject: githubLikeSubject(event, payload),
      time: githubLikeTime(event, action, payload),
      payload,
      meta: defined({ event, eventType: firstHeader(req, EVENT_TYPE_HEADERS), delivery, action }),
    }),
  ];
}

export const giteaSource: SourceKindHandler = {
  kind: "gitea",
  contentTypes: ["application/json", FORM_MEDIA_TYPE],
  normalize,
};
