/**
 * HMAC signatures in each producer's scheme: header, algorithm, hex or base64, optional prefix
 * (GitHub `sha256=`, Gitea bare hex, ansible-rulebook hmac_*), optional signed timestamp
 * (Grafana `hmacConfig.timestampHeader`: HMAC over `<ts>:<body>`; any other producer through a
 * `signedContent` template such as `v0:{timestamp}:{body}`), and Gitea's form hooks, which sign
 * the JSON inside `payload=` rather than the form body.
 *
 * The digest is computed over raw bytes and compared as decoded digest bytes in constant time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { DEFAULT_TOLERANCE_SEC } from "../config/types.js";
import type { HmacAuthConfig } from "../config/types.js";
import { HookbookError } from "../core/errors.js";
import type { AuthContext, AuthRequest } from "./auth-context.js";
import { formPayload, isFormRequest } from "./form.js";
import { headerValue } from "./types.js";

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const UNIX_SECONDS = /^[0-9]{1,12}$/;
const PLACEHOLDER = /\{(timestamp|header:[^{}]+)\}/g;

/** `{timestamp}:{body}` when a timestamp header is set (Grafana), else `{body}`. */
export function signedContentTemplate(auth: HmacAuthConfig): string {
  return auth.signedContent ?? (auth.timestampHeader === undefined ? "{body}" : "{timestamp}:{body}");
}

/** Throws HB_ERR_CONFIG_INVALID for a template hookbook cannot render. */
export function checkHmacConfig(auth: HmacAuthConfig): void {
  const template = signedContentTemplate(auth);
  if (template.split("{body}").length !== 2) throw new HookbookError("HB_ERR_CONFIG_INVALID", "hmac signedContent must contain {body} exactly once");
  if (template.includes("{timestamp}") && auth.timestampHeader === undefined) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", "hmac signedContent uses {timestamp} but no timestampHeader is set");
  }
  if (auth.secret === "") throw new HookbookError("HB_ERR_CONFIG_INVALID", "hmac secret is empty");
}

/** A Unix-seconds timestamp header checked against the replay window; returns it as sent. */
export function checkedTimestamp(value: string | undefined, name: string, toleranceSec: number, ctx: AuthContext): string {
  if (value === undefined || value.trim() === "") throw new HookbookError("HB_ERR_SIGNATURE_MISSING", `timestamp header ${name} not found`);
  const ts = value.trim();
  if (!UNIX_SECONDS.test(ts)) throw new HookbookError("HB_ERR_AUTH_INVALID", `timestamp header ${name} is not Unix seconds`);
  const skew = Math.abs(Math.floor(ctx.nowMs() / 1000) - Number(ts));
  if (skew > toleranceSec) {
    throw new HookbookError("HB_ERR_AUTH_STALE", `signed timestamp is ${skew}s away from now, outside the ${toleranceSec}s replay window`);
  }
  return ts;
}

/** The bytes the producer signed. */
function signedContent(auth: HmacAuthConfig, req: AuthRequest, timestamp: string | undefined): Buffer {
  const body = auth.formPayload === true && isFormRequest(req.headers) ? signedFormPayload(req.body) : req.body;
  const [before = "", after = ""] = signedContentTemplate(auth).split("{body}");
  const render = (text: string): string =>
    text.replace(PLACEHOLDER, (_m, name: string) => {
      if (name === "timestamp") return timestamp ?? "";
      const header = name.slice("header:".length);
      const value = headerValue(req.headers, header);
      if (value === undefined) throw new HookbookError("HB_ERR_SIGNATURE_MISSING", `signed header ${header} not found`);
      return value;
    });
  if (before === "" && after === "") return body;
  return Buffer.concat([Buffer.from(render(before), "utf8"), body, Buffer.from(render(after), "utf8")]);
}

function signedFormPayload(body: Buffer): Buffer {
  try {
    return formPayload(body);
  } catch {
    throw new HookbookError("HB_ERR_AUTH_INVALID", "form body has no payload field to verify");
  }
}

function decodeSignature(signature: string, encoding: HmacAuthConfig["encoding"]): Buffer | undefined {
  if (encoding === "hex") return HEX.test(signature) && signature.length % 2 === 0 ? Buffer.from(signature, "hex") : undefined;
  if (!BASE64.test(signature)) return undefined;
  return Buffer.from(signature, signature.includes("-") || signature.includes("_") ? "base64url" : "base64");
}

export function verifyHmac(auth: HmacAuthConfig, req: AuthRequest, ctx: AuthContext): void {
  const headerName = auth.header === "" ? "x-hub-signature-256" : auth.header;
  let signature = headerValue(req.headers, headerName)?.trim();
  if (signature === undefined || signature === "") {
    throw new HookbookError("HB_ERR_SIGNATURE_MISSING", `signature header ${headerName} not found`);
  }
  if (auth.secret === "") throw new HookbookError("HB_ERR_AUTH_INVALID", "no hmac secret configured for this source");
  const timestamp =
    auth.timestampHeader === undefined
      ? undefined
      : checkedTimestamp(headerValue(req.headers, auth.timestampHeader), auth.timestampHeader, auth.toleranceSec ?? DEFAULT_TOLERANCE_SEC, ctx);
  const prefix = auth.prefix;
  if (prefix !== "" && signature.toLowerCase().startsWith(prefix.toLowerCase())) {
    signature = signature.slice(prefix.length);
  }
  const expected = createHmac(auth.algorithm, auth.secret).update(signedContent(auth, req, timestamp)).digest();
  const presented = decodeSignature(signature, auth.encoding);
  if (presented === undefined || presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    throw new HookbookError("HB_ERR_AUTH_INVALID", "signature does not match the body");
  }
}
