/**
 * Admin API authentication: `Authorization: Bearer <admin token>`, compared in constant time
 * (SHA-256 digests of equal length, so neither content nor length leaks through timing).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { HookbookError } from "../core/errors.js";

/** Shortest admin token accepted at start. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/** A checker for the Authorization header; throws HB_ERR_CONFIG_INVALID for a missing or short token. */
export function bearerChecker(adminToken: string): (authorization: string | undefined) => void {
  if (typeof adminToken !== "string" || adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `the admin API token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (api.token)`);
  }
  const expected = digest(adminToken);
  return (authorization) => {
    if (authorization === undefined || authorization.trim() === "") {
      throw new HookbookError("HB_ERR_AUTH_MISSING", "Authorization: Bearer <admin token> required");
    }
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!m || !timingSafeEqual(digest(m[1] as string), expected)) {
      throw new HookbookError("HB_ERR_AUTH_INVALID", "admin token invalid");
    }
  };
}
