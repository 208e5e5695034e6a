/**
 * Payload transformations of an endpoint (Convoy's subscription "functions", done with the
 * rulebook's Jinja2-compatible templates instead of a JS sandbox: pure, bounded, no I/O).
 *
 * `transform: {body, headers?, content_type?}`:
 * - `body`: a JSON value; every string in it containing template syntax is rendered against the
 *   outcome with native types (`"{{ data.attempt }}"` gives the number, `"{{ data }}"` the object),
 *   other values are kept; keys are not rendered. A string with `{{`, `{%` or `{#` is a template. The variables are `id`, `type`, `timestamp`,
 *   `data` and `event` (the whole outcome). Undefined values raise (StrictUndefined): guard them
 *   with `| default(…)` or `is defined`.
 * - `headers`: `{name: template}` rendered to text per message.
 * - `content_type`: default `application/json`. A body that renders to a string is sent as that
 *   text when the content type is not JSON; anything else is sent as JSON.
 *
 * Templates are compiled when the endpoint is created or changed (syntax errors name the path,
 * `transform.body.blocks[0].text`); rendering errors name the path too (TransformError). The
 * router renders once per (outcome, endpoint) and stores the exact bytes it will send.
 */
import { HookbookError } from "../core/errors.js";
import type { OutcomeMessage } from "../core/outcome.js";
import { compileTemplate } from "../rulebook/template/index.js";
import type { TemplateVars } from "../rulebook/template/index.js";
import { outboundError } from "./outbound-errors.js";

export interface WebhookTransform {
  /** JSON value with templates in its strings. */
  readonly body: unknown;
  /** Header name (lower case) → template. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default application/json. */
  readonly contentType?: string;
}

/** What a transform produced for one outcome. */
export interface RenderedTransform {
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const DEFAULT_CONTENT_TYPE = "application/json";

export const TRANSFORM_LIMITS = {
  /** One template string. */
  templateChars: 16 * 1024,
  /** The whole transform as JSON. */
  transformChars: 64 * 1024,
  /** Nesting of the body value. */
  depth: 32,
  headers: 20,
  headerValue: 4096,
  contentType: 200,
  /** A rendered body. */
  bodyBytes: 256 * 1024,
} as const;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;
const CONTENT_TYPE = /^[A-Za-z0-9!#$&^_.+-]{1,100}\/[A-Za-z0-9!#$&^_.+-]{1,100}(\s*;[^\r\n\0]*)?$/;

/** Set by hookbook on every request (and content-type by `content_type`): a transform cannot set them. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set(["content-type", "content-length", "host", "connection", "transfer-encoding", "user-agent", "authorization"]);

/** Why a transform may not set this header (lower case), or undefined. */
export function reservedTransformHeader(lower: string): string | undefined {
  if (lower === "content-type") return "use transform.content_type";
  if (lower === "authorization") return "use auth or headers (credentials are encrypted at rest; transforms are not)";
  if (RESERVED_HEADERS.has(lower) || lower.startsWith("webhook-") || lower.startsWith("x-webhook-")) return "is set by hookbook and cannot be overridden";
  return undefined;
}

/** A transform that failed for one outcome: `path` names where (`transform.body.text`, `transform.headers.x-id`). */
export class TransformError extends Error {
  constructor(
    readonly path: string,
    message: string,
    /** HB_ERR_TEMPLATE_* of the template engine, or HB_ERR_WEBHOOK_INVALID for a limit. */
    readonly code: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "TransformError";
  }
}

const bad = (path: string, message: string): Error => outboundError("invalid", `${path}: ${message}`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A string is a template when it has an opening delimiter (`{{`, `{%`, `{#`): stricter than
 * rulebook arguments (which need a complete pair), so `"{{ type "` is a syntax error instead of
 * literal text. A literal `{{` is written `{{ '{{' }}`, as in Jinja.
 */
export function isTemplate(s: string): boolean {
  return s.includes("{{") || s.includes("{%") || s.includes("{#");
}

const keyPath = (base: string, key: string): string => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`);

export function isJsonContentType(contentType: string): boolean {
  const essence = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return essence === "application/json" || essence.endsWith("+json");
}

function checkTemplate(s: string, path: string): void {
  if (s.length > TRANSFORM_LIMITS.templateChars) throw bad(path, `template longer than ${TRANSFORM_LIMITS.templateChars} characters`);
  if (!isTemplate(s)) return;
  try {
    compileTemplate(s);
  } catch (err) {
    throw bad(path, err instanceof Error ? err.message : String(err));
  }
}

function checkBody(v: unknown, path: string, depth: number): void {
  if (depth > TRANSFORM_LIMITS.depth) throw bad(path, `nested deeper than ${TRANSFORM_LIMITS.depth} levels`);
  if (typeof v === "string") return checkTemplate(v, path);
  if (v === null || typeof v === "boolean") return;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw bad(path, "must be a finite number");
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((item, i) => checkBody(item, `${path}[${i}]`, depth + 1));
    return;
  }
  if (isObject(v)) {
    for (const [k, item] of Object.entries(v)) checkBody(item, keyPath(path, k), depth + 1);
    return;
  }
  throw bad(path, "must be a JSON value");
}

/**
 * Validates `transform` of the admin API (`content_type`) or of a config endpoint
 * (`contentTypeKey` "contentType"): shape, limits, every template compiled. Throws
 * HB_ERR_WEBHOOK_INVALID naming the path. `reservedHeader(name)` refuses header names the
 * transform may not set.
 */
export function parseTransform(
  v: unknown,
  field = "transform",
  reservedHeader: (lowerName: string) => string | undefined = reservedTransformHeader,
  contentTypeKey: "content_type" | "contentType" = "content_type",
): WebhookTransform {
  if (!isObject(v)) throw bad(field, `must be an object {body, headers?, ${contentTypeKey}?}`);
  for (const k of Object.keys(v)) {
    if (k !== "body" && k !== "headers" && k !== contentTypeKey) throw bad(`${field}.${k}`, `unknown field (allowed: body, headers, ${contentTypeKey})`);
  }
  if (JSON.stringify(v).length > TRANSFORM_LIMITS.transformChars) throw bad(field, `larger than ${TRANSFORM_LIMITS.transformChars} characters as JSON`);
  if (!("body" in v) || v["body"] === undefined) throw bad(`${field}.body`, "is required (a JSON value whose strings may be templates)");
  checkBody(v["body"], `${field}.body`, 0);
  const ctRaw = v[contentTypeKey];
  let contentType: string | undefined;
  if (ctRaw !== undefined && ctRaw !== null) {
    if (typeof ctRaw !== "string" || ctRaw.length > TRANSFORM_LIMITS.contentType || !CONTENT_TYPE.test(ctRaw)) {
      throw bad(`${field}.${contentTypeKey}`, `must be a media type such as application/json or text/plain; charset=utf-8 (at most ${TRANSFORM_LIMITS.contentType} characters)`);
    }
    contentType = ctRaw;
  }
  let headers: Record<string, string> | undefined;
  if (v["headers"] !== undefined && v["headers"] !== null) {
    if (!isObject(v["headers"])) throw bad(`${field}.headers`, "must be an object {name: template}");
    const entries = Object.entries(v["headers"]);
    if (entries.length > TRANSFORM_LIMITS.headers) throw bad(`${field}.headers`, `at most ${TRANSFORM_LIMITS.headers} headers`);
    headers = {};
    for (const [name, value] of entries) {
      const path = `${field}.headers.${name}`;
      if (!HEADER_NAME.test(name)) throw bad(path, "not a valid header name");
      const lower = name.toLowerCase();
      const refused = reservedHeader(lower);
      if (refused !== undefined) throw bad(path, refused);
      if (lower in headers) throw bad(path, "given twice (header names are case-insensitive)");
      if (typeof value !== "string") throw bad(path, "must be a template string");
      checkTemplate(value, path);
      headers[lower] = value;
    }
  }
  return { body: v["body"], ...(headers === undefined || Object.keys(headers).length === 0 ? {} : { headers }), ...(contentType === undefined ? {} : { contentType }) };
}

/** The transform as the admin API shows it (snake_case). */
export function transformView(t: WebhookTransform | undefined): { body: unknown; headers: Record<string, string>; content_type: string } | null {
  if (t === undefined) return null;
  return { body: t.body, headers: { ...(t.headers ?? {}) }, content_type: t.contentType ?? DEFAULT_CONTENT_TYPE };
}

/** The template variables of an outcome. */
export function transformVars(outcome: OutcomeMessage): TemplateVars {
  return { id: outcome.id, type: outcome.type, timestamp: outcome.timestamp, data: outcome.data, event: outcome };
}

function templateFailure(err: unknown, path: string): TransformError {
  if (err instanceof TransformError) return err;
  if (err instanceof HookbookError) return new TransformError(path, err.message, err.code);
  return new TransformError(path, err instanceof Error ? err.message : String(err), "HB_ERR_TEMPLATE_RUNTIME");
}

/** A rendered value as JSON (plain objects, arrays, strings, finite numbers, booleans, null). */
function toJson(v: unknown, path: string, depth: number): unknown {
  if (depth > 64) throw new TransformError(path, "rendered value nested too deeply", "HB_ERR_TEMPLATE_RUNTIME");
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TransformError(path, `rendered ${String(v)}, which JSON cannot represent`, "HB_ERR_TEMPLATE_RUNTIME");
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => toJson(x, `${path}[${i}]`, depth + 1));
  if (typeof v === "object") {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto === Object.prototype || proto === null) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: toJson((v as Record<string, unknown>)[k], keyPath(path, k), depth + 1), enumerable: true, writable: true, configurable: true });
      return out;
    }
  }
  throw new TransformError(path, `rendered a value that is not JSON (${typeof v})`, "HB_ERR_TEMPLATE_RUNTIME");
}

function renderBody(v: unknown, vars: TemplateVars, path: string): unknown {
  if (typeof v === "string") {
    if (!isTemplate(v)) return v;
    try {
      return toJson(compileTemplate(v).render(vars), path, 0);
    } catch (err) {
      throw templateFailure(err, path);
    }
  }
  if (Array.isArray(v)) return v.map((item, i) => renderBody(item, vars, `${path}[${i}]`));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: renderBody(v[k], vars, keyPath(path, k)), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/** Renders `t` for `outcome`. Throws TransformError (never anything else for a valid transform). */
export function renderTransform(t: WebhookTransform, outcome: OutcomeMessage, field = "transform"): RenderedTransform {
  const vars = transformVars(outcome);
  const contentType = t.contentType ?? DEFAULT_CONTENT_TYPE;
  const value = renderBody(t.body, vars, `${field}.body`);
  const text = typeof value === "string" && !isJsonContentType(contentType) ? value : JSON.stringify(value);
  const body = Buffer.from(text, "utf8");
  if (body.byteLength > TRANSFORM_LIMITS.bodyBytes) {
    throw new TransformError(`${field}.body`, `rendered body is ${body.byteLength} bytes, more than ${TRANSFORM_LIMITS.bodyBytes}`, "HB_ERR_WEBHOOK_INVALID");
  }
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(t.headers ?? {})) {
    const path = `${field}.headers.${name}`;
    let value: string;
    try {
      value = isTemplate(template) ? compileTemplate(template).renderString(vars) : template;
    } catch (err) {
      throw templateFailure(err, path);
    }
    if (value.length > TRANSFORM_LIMITS.headerValue || !HEADER_VALUE.test(value)) {
      throw new TransformError(path, `rendered header value must be at most ${TRANSFORM_LIMITS.headerValue} characters without line breaks`, "HB_ERR_WEBHOOK_INVALID");
    }
    headers[name] = value;
  }
  return { body, contentType, headers };
}

/**
 * Bus header of a delivery message carrying what the transform decided besides the body
 * (content type and rendered headers), base64url JSON, so retries and replays send the same.
 */
export const H_TRANSFORM = "Hb-Transform";

export function encodeTransformHeader(r: Pick<RenderedTransform, "contentType" | "headers">): string {
  return Buffer.from(JSON.stringify({ content_type: r.contentType, headers: r.headers }), "utf8").toString("base64url");
}

/** The delivery message's content type and rendered headers; undefined when absent or unreadable. */
export function decodeTransformHeader(value: string | undefined): { contentType: string; headers: Record<string, string> } | undefined {
  if (value === undefined || value === "") return undefined;
  try {
    const o = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as unknown;
    if (!isObject(o) || typeof o["content_type"] !== "string" || !isObject(o["headers"])) return undefined;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(o["headers"])) if (typeof v === "string" && HEADER_NAME.test(k) && HEADER_VALUE.test(v)) headers[k.toLowerCase()] = v;
    return CONTENT_TYPE.test(o["content_type"]) ? { contentType: o["content_type"], headers } : undefined;
  } catch {
    return undefined;
  }
}

/** `POST /api/webhooks/:id/transform/preview`: what the endpoint's transform makes of an outcome, nothing sent. */
export type TransformPreview =
  | {
      readonly ok: true;
      /** False when the endpoint has no transform (the outcome is sent as is). */
      readonly transformed: boolean;
      readonly content_type: string;
      readonly headers: Readonly<Record<string, string>>;
      /** The body exactly as it would be sent (UTF-8 text). */
      readonly body: string;
      readonly size_bytes: number;
    }
  | { readonly ok: false; readonly transformed: true; readonly error: { readonly code: string; readonly path: string; readonly message: string } };

export function previewTransform(t: WebhookTransform | undefined, outcome: OutcomeMessage): TransformPreview {
  if (t === undefined) {
    const body = JSON.stringify(outcome);
    return { ok: true, transformed: false, content_type: DEFAULT_CONTENT_TYPE, headers: {}, body, size_bytes: Buffer.byteLength(body, "utf8") };
  }
  try {
    const r = renderTransform(t, outcome);
    return { ok: true, transformed: true, content_type: r.contentType, headers: r.headers, body: Buffer.from(r.body).toString("utf8"), size_bytes: r.body.byteLength };
  } catch (err) {
    const e = err instanceof TransformError ? err : new TransformError("transform", err instanceof Error ? err.message : String(err), "HB_ERR_TEMPLATE_RUNTIME");
    return { ok: false, transformed: true, error: { code: e.code, path: e.path, message: e.message } };
  }
}

export interface PreviewInput {
  /** The outcome to render against; none = a sample `webhook.test` event. */
  readonly outcome?: OutcomeMessage;
  /** A transform to try instead of the endpoint's (checked like on create). */
  readonly transform?: WebhookTransform;
}

/** Body of the preview route: `{outcome?: {id?, type, timestamp?, data}, transform?}`. */
export function parsePreviewInput(body: unknown, now: number, parseT: (v: unknown) => WebhookTransform = (v) => parseTransform(v)): PreviewInput {
  if (body === undefined || body === null || body === "") return {};
  if (!isObject(body)) throw bad("request body", "must be a JSON object {outcome?, transform?}");
  for (const k of Object.keys(body)) if (k !== "outcome" && k !== "transform") throw bad(k, "unknown field (allowed: outcome, transform)");
  const out: { outcome?: OutcomeMessage; transform?: WebhookTransform } = {};
  const o = body["outcome"];
  if (o !== undefined && o !== null) {
    if (!isObject(o)) throw bad("outcome", "must be an object {id?, type, timestamp?, data}");
    for (const k of Object.keys(o)) if (!["id", "type", "timestamp", "data"].includes(k)) throw bad(`outcome.${k}`, "unknown field (allowed: id, type, timestamp, data)");
    if (typeof o["type"] !== "string" || o["type"].length === 0 || o["type"].length > 200) throw bad("outcome.type", "must be a string of 1–200 characters");
    if (!isObject(o["data"])) throw bad("outcome.data", "must be an object");
    if (o["id"] !== undefined && (typeof o["id"] !== "string" || o["id"].length === 0 || o["id"].length > 256)) throw bad("outcome.id", "must be a string of 1–256 characters");
    if (o["timestamp"] !== undefined && typeof o["timestamp"] !== "string") throw bad("outcome.timestamp", "must be an RFC 3339 time string");
    out.outcome = {
      id: typeof o["id"] === "string" ? o["id"] : "preview",
      type: o["type"],
      timestamp: typeof o["timestamp"] === "string" ? o["timestamp"] : new Date(now).toISOString(),
      data: o["data"],
    } as OutcomeMessage;
  }
  if (body["transform"] !== undefined && body["transform"] !== null) out.transform = parseT(body["transform"]);
  return out;
}
