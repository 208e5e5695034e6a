/**
 * Shared by the git host kinds (github, gitlab, gitea): the body as JSON (also form-encoded
 * `payload=`), ansible-rulebook webhook-compatible event data, type tokens and producer times.
 *
 *   data = { payload: <the delivery's JSON>, meta: { endpoint, headers, <kind>: { event, delivery, … } } }
 *
 * so rulebooks written against `ansible.eda.webhook` keep working (`event.payload.ref`,
 * `event.meta.headers['X-GitHub-Event']`). `meta.headers` drops credential headers
 * (Authorization, X-Gitlab-Token, API keys, cookies); signatures stay, they are not secrets.
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { HookbookError } from "../core/errors.js";
import { sha256Hex } from "../core/ids.js";
import { formPayload, isFormRequest } from "./form.js";
import { MAX_DATE_MS, isObject, isoFromMs, metaHeadersWithout, str } from "./normalize-util.js";
import type { Json } from "./normalize-util.js";
import type { NormalizeRequest } from "./types.js";
import { headerValue } from "./types.js";
import { parseJsonBody } from "./webhook.js";

/** Credential headers of git hosts kept out of `meta.headers` on top of the common ones. */
const GIT_SECRET_HEADERS: readonly string[] = ["x-gitlab-token"];

export interface GitBody {
  /** The delivery's JSON object. */
  readonly payload: Json;
  /** The JSON bytes (the decoded `payload=` field for form requests). */
  readonly json: Buffer;
}

/** The delivery JSON of a JSON or form-encoded request; HB_ERR_INVALID_JSON / HB_ERR_INVALID_PAYLOAD. */
export function gitBody(req: NormalizeRequest, format: string): GitBody {
  const json = isFormRequest(req.headers) ? formPayload(req.body) : req.body;
  const payload = parseJsonBody(json);
  if (!isObject(payload)) throw new HookbookError("HB_ERR_INVALID_PAYLOAD", `not ${format}: body must be a JSON object`);
  return { payload, json };
}

/** A trimmed, non-empty header value. */
export function header(req: NormalizeRequest, name: string): string | undefined {
  const value = headerValue(req.headers, name)?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** The first of several headers present (Gitea / Forgejo / Gogs spellings). */
export function firstHeader(req: NormalizeRequest, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = header(req, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A lower-case type token: "Merge Request Hook" → "merge_request_hook". */
export function typeToken(value: string): string {
  const token = value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return token === "" ? "unknown" : token;
}

/** `<prefix>.<event>[.<action>]` with each part a type token. */
export function gitType(prefix: string, event: string, action: unknown): string {
  const suffix = str(action);
  return `${prefix}.${typeToken(event)}${suffix === undefined ? "" : `.${typeToken(suffix)}`}`;
}

const GITLAB_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ?(UTC|[+-]\d{2}:?\d{2})?$/;

/**
 * A git host time → RFC 3339 UTC: ISO 8601 with a zone (`2026-05-12T15:54:07+02:00`), GitLab's
 * `2026-05-12 13:54:07 UTC` / `… +0000`, or Unix seconds (GitHub push `repository.pushed_at`).
 */
export function gitTime(value: unknown): string | undefined {
  // Unix seconds; a number no Date can hold (a malformed payload) is no time at all.
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value * 1000 <= MAX_DATE_MS ? isoFromMs(value * 1000) : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const text = value.trim();
  const gitlab = GITLAB_TIME.exec(text);
  let candidate = text;
  if (gitlab) {
    const zone = gitlab[3] === undefined || gitlab[3] === "UTC" ? "Z" : gitlab[3].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
    candidate = `${gitlab[1] as string}T${gitlab[2] as string}${zone}`;
  } else if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/.test(text)) {
    return undefined;
  }
  const ms = Date.parse(candidate);
  return Number.isNaN(ms) ? undefined : isoFromMs(ms);
}

/** Value at a dotted path of plain objects. */
export function at(root: unknown, path: string): unknown {
  let current = root;
  for (const part of path.split(".")) {
    if (!isObject(current) || !Object.hasOwn(current, part)) return undefined;
    current = current[part];
  }
  return current;
}

/** A string or a number (ids, issue numbers) as text. */
export function idText(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return str(value);
}

/** `<kind>:sha256:<hex>` over the event name and the delivery JSON, for senders without a delivery id. */
export function bodyDedupKey(kind: string, event: string, json: Buffer): string {
  return `${kind}:sha256:${sha256Hex(Buffer.concat([Buffer.from(`${event}\n`, "utf8"), json]))}`;
}

/** Reads a boolean kind option (camelCase name); HB_ERR_CONFIG_INVALID when it is not one. */
export function boolOption(options: Readonly<Record<string, unknown>>, kind: string, name: string, fallback: boolean): boolean {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new HookbookError("HB_ERR_CONFIG_INVALID", `${kind} option ${name} must be a boolean`);
  return value;
}

/** One git host event with ansible-compatible data. Optional fields are left out when unknown. */
export function gitEvent(
  req: NormalizeRequest,
  kind: string,
  fields: { type: string; dedupKey: string; subject: string | undefined; time: string | undefined; payload: Json; meta: Json },
): NormalizedEvent {
  return {
    type: fields.type,
    ...(fields.subject === undefined ? {} : { subject: fields.subject }),
    ...(fields.time === undefined ? {} : { time: fields.time }),
    dedupKey: fields.dedupKey,
    data: {
      payload: fields.payload,
      meta: { endpoint: req.endpoint, headers: metaHeadersWithout(req.headers, GIT_SECRET_HEADERS), [kind]: fields.meta },
    },
  };
}

/** Drops undefined values (meta blocks list only what the request carried). */
export function defined(fields: Record<string, unknown>): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}
