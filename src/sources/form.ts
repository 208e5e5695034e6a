/**
 * `application/x-www-form-urlencoded` bodies whose `payload` field carries the JSON (GitHub
 * "form" hooks, Gitea/Gogs/Forgejo form hooks).
 */
import { HookbookError } from "../core/errors.js";
import { headerValue, mediaTypeAccepted } from "./types.js";

export const FORM_MEDIA_TYPE = "application/x-www-form-urlencoded";

/** True when the request's Content-Type is form-urlencoded. */
export function isFormRequest(headers: Readonly<Record<string, string>>): boolean {
  return mediaTypeAccepted(headerValue(headers, "content-type"), [FORM_MEDIA_TYPE]);
}

/** The decoded `payload` field as UTF-8 bytes; HB_ERR_INVALID_PAYLOAD when there is none. */
export function formPayload(body: Buffer): Buffer {
  const value = new URLSearchParams(body.toString("utf8")).get("payload");
  if (value === null) throw new HookbookError("HB_ERR_INVALID_PAYLOAD", "form-encoded body has no payload field");
  return Buffer.from(value, "utf8");
}
