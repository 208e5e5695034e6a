/**
 * Shared-secret checks: bearer token, HTTP basic auth, and a secret sent verbatim in a header
 * (GitLab's X-Gitlab-Token, an API key). Constant time: secrets are compared as sha256 digests,
 * so neither content nor length leaks. Messages never echo what was presented.
 */
import { hash, timingSafeEqual } from "node:crypto";
import type { ApiKeyAuthConfig, GitlabTokenAuthConfig } from "../config/types.js";
import { BoundedCache } from "../core/bounded-cache.js";
import { HookbookError } from "../core/errors.js";
import type { AuthRequest } from "./auth-context.js";
import { headerValue } from "./types.js";

function digest(value: string): Buffer {
  return hash("sha256", value, "buffer");
}

/** Digests of configured secrets: they are few and checked on every request. */
const expectedDigests = new BoundedCache<Buffer>(1000);

function expectedDigest(expected: string): Buffer {
  return expectedDigests.get(expected) ?? expectedDigests.set(expected, digest(expected));
}

/** Constant-time equality of two secrets of any length (`expected` is a configured secret). */
export function secretEquals(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), expectedDigest(expected));
}

/** Splits `Authorization: <scheme> <credentials>`; throws HB_ERR_AUTH_MISSING when absent. */
export function authorizationCredentials(req: AuthRequest, expectedScheme: string): string {
  const header = headerValue(req.headers, "authorization")?.trim();
  if (header === undefined || header === "") {
    throw new HookbookError("HB_ERR_AUTH_MISSING", "missing authorization header");
  }
  const space = header.indexOf(" ");
  const scheme = space < 0 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== expectedScheme.toLowerCase()) {
    throw new HookbookError("HB_ERR_AUTH_INVALID", `authorization scheme must be ${expectedScheme}`);
  }
  return space < 0 ? "" : header.slice(space + 1).trim();
}

export function verifyBearer(token: string, req: AuthRequest): void {
  const presented = authorizationCredentials(req, "Bearer");
  // An empty configured token would let anyone in: fail closed.
  if (token === "" || !secretEquals(presented, token)) {
    throw new HookbookError("HB_ERR_AUTH_INVALID", "invalid authorization token");
  }
}

export function verifyBasic(auth: { readonly username: string; readonly password: string }, req: AuthRequest): void {
  const encoded = authorizationCredentials(req, "Basic");
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? "" : decoded.slice(colon + 1);
  // Evaluate both comparisons so timing does not tell which part was wrong.
  const userOk = secretEquals(user, auth.username);
  const passwordOk = secretEquals(password, auth.password);
  if (auth.password === "" || colon < 0 || !userOk || !passwordOk) {
    throw new HookbookError("HB_ERR_AUTH_INVALID", "invalid basic auth credentials");
  }
}

function verifyHeaderSecret(header: string, secret: string, req: AuthRequest, what: string): void {
  const presented = headerValue(req.headers, header);
  if (presented === undefined || presented === "") throw new HookbookError("HB_ERR_AUTH_MISSING", `missing ${header} header`);
  if (secret === "" || !secretEquals(presented, secret)) throw new HookbookError("HB_ERR_AUTH_INVALID", `invalid ${what}`);
}

/** GitLab's classic secret token: `X-Gitlab-Token` equals the configured token. */
export function verifyGitlabToken(auth: GitlabTokenAuthConfig, req: AuthRequest): void {
  verifyHeaderSecret("x-gitlab-token", auth.token, req, "gitlab token");
}

/** An API key sent verbatim in `auth.header` (EventBridge API-destination connections). */
export function verifyApiKey(auth: ApiKeyAuthConfig, req: AuthRequest): void {
  verifyHeaderSecret(auth.header, auth.key, req, "api key");
}
