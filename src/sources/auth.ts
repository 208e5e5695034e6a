/**
 * Request authentication for ingest sources, ansible-rulebook webhook compatible (token and
 * hmac_secret, eda-rulebook-semantics.md §5.4) plus HTTP basic auth (Alertmanager
 * `http_config.basic_auth`). Pure: runs on the raw body bytes before anything is parsed.
 *
 * Comparisons are constant time on equal-length buffers: tokens and passwords are compared as
 * sha256 digests (so their length is not leaked), HMAC signatures as decoded digest bytes.
 * Error messages never echo the presented credential.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { SourceAuthConfig } from "../config/types.js";
import { HookbookError } from "../core/errors.js";
import { headerValue } from "./types.js";

/** HTTP basic auth. Not yet in src/config/types.ts (SourceAuthConfig); accepted here already. */
export interface BasicAuthConfig {
  readonly type: "basic";
  readonly username: string;
  readonly password: string;
}

/** One check, or a list whose checks must all pass (ansible allows token + hmac together). */
export type IngestAuthConfig = SourceAuthConfig | BasicAuthConfig | readonly (SourceAuthConfig | BasicAuthConfig)[];

export interface AuthRequest {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** Throws HB_ERR_AUTH_MISSING / HB_ERR_AUTH_INVALID (401) or HB_ERR_SIGNATURE_MISSING (400). */
export function verifyAuth(auth: IngestAuthConfig, req: AuthRequest): void {
  if (isAuthList(auth)) {
    if (auth.length === 0) throw new HookbookError("HB_ERR_AUTH_INVALID", "no authentication configured for this source");
    for (const one of auth) verifyOne(one, req);
    return;
  }
  verifyOne(auth, req);
}

function isAuthList(auth: IngestAuthConfig): auth is readonly (SourceAuthConfig | BasicAuthConfig)[] {
  return Array.isArray(auth);
}

function verifyOne(auth: SourceAuthConfig | BasicAuthConfig, req: AuthRequest): void {
  switch (auth.type) {
    case "none":
      return;
    case "bearer":
      verifyBearer(auth.token, req);
      return;
    case "basic":
      verifyBasic(auth, req);
      return;
    case "hmac":
      verifyHmac(auth, req);
      return;
    default: {
      // Fail closed on a type this code does not know (webhooks.md §5.2 step 1).
      const unknown: { type?: unknown } = auth;
      throw new HookbookError("HB_ERR_AUTH_INVALID", `unsupported auth type ${String(unknown.type)}`);
    }
  }
}

/** Splits `Authorization: <scheme> <credentials>`; throws HB_ERR_AUTH_MISSING when absent. */
function authorization(req: AuthRequest, expectedScheme: string): string {
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

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function secretEquals(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

function verifyBearer(token: string, req: AuthRequest): void {
  const presented = authorization(req, "Bearer");
  // An empty configured token would let anyone in: fail closed.
  if (token === "" || !secretEquals(presented, token)) {
    throw new HookbookError("HB_ERR_AUTH_INVALID", "invalid authorization token");
  }
}

function verifyBasic(auth: BasicAuthConfig, req: AuthRequest): void {
  const encoded = authorization(req, "Basic");
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

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function verifyHmac(auth: Extract<SourceAuthConfig, { type: "hmac" }>, req: AuthRequest): void {
  const headerName = auth.header === "" ? "x-hub-signature-256" : auth.header;
  let signature = headerValue(req.headers, headerName)?.trim();
  if (signature === undefined || signature === "") {
    throw new HookbookError("HB_ERR_SIGNATURE_MISSING", `signature header ${headerName} not found`);
  }
  if (auth.secret === "") throw new HookbookError("HB_ERR_AUTH_INVALID", "no hmac secret configured for this source");
  const prefix = auth.prefix;
  if (prefix !== "" && signature.toLowerCase().startsWith(prefix.toLowerCase())) {
    signature = signature.slice(prefix.length);
  }
  const expected = createHmac(auth.algorithm, auth.secret).update(req.body).digest();
  let presented: Buffer | undefined;
  if (auth.encoding === "hex") {
    if (HEX.test(signature) && signature.length % 2 === 0) presented = Buffer.from(signature, "hex");
  } else if (BASE64.test(signature)) {
    presented = Buffer.from(signature, signature.includes("-") || signature.includes("_") ? "base64url" : "base64");
  }
  if (presented === undefined || presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    throw new HookbookError("HB_ERR_AUTH_INVALID", "signature does not match the body");
  }
}
