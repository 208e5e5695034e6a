/**
 * CloudEvents 1.0 over HTTP (sources.md §9): structured mode (`application/cloudevents+json`),
 * batch mode (`application/cloudevents-batch+json`, a JSON array of structured events) and binary
 * mode (`ce-*` headers, the body is the data, `Content-Type` is `datacontenttype`). Auth is the
 * HTTP webhook spec's bearer token, checked by ./auth.ts.
 *
 *   data = {
 *     payload: <data: the JSON value (structured `data`, or a JSON body / data_base64 with a JSON
 *              datacontenttype), text for text/* content, null when absent or binary>,
 *     payload_base64?: <binary data, base64>,
 *     cloudevent: { specversion, id, source, type, subject?, time?, datacontenttype?, dataschema?,
 *                   <extension>: <value>… },
 *     meta: { endpoint, headers (minus credentials),
 *             cloudevents: { mode: "structured"|"binary"|"batch", batch_index?, batch_size? } }
 *   }
 *
 * type = the CloudEvent `type` as sent; subject and time copied (time: else receipt);
 * dedupKey `ce:<source>#<id>` (the spec's identity; structured and binary copies collapse).
 * Binary-mode header values are percent-decoded exactly once and must be valid UTF-8.
 * Schema: docs/sources/cloudevents.schema.json.
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { HookbookError } from "../core/errors.js";
import type { Json } from "./normalize-util.js";
import { checkKnownOptions, invalidPayload, isObject, metaHeadersWithout, rfc3339, str, stripHeadersOption } from "./normalize-util.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";
import { headerValue } from "./types.js";
import { parseJsonBody } from "./webhook.js";

const KIND = "cloudevents";
const FORMAT = "a CloudEvent";
const OPTIONS: readonly string[] = ["stripHeaders"];

export const STRUCTURED_MEDIA_TYPE = "application/cloudevents+json";
export const BATCH_MEDIA_TYPE = "application/cloudevents-batch+json";

/** Context attributes with a defined meaning (everything else lowercase a-z0-9 is an extension). */
const CONTEXT_ATTRIBUTES = new Set(["specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema"]);
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Mode = "structured" | "binary" | "batch";

interface Data {
  readonly payload: unknown;
  readonly base64?: string;
}

function mediaType(contentType: string | undefined): string {
  return (contentType?.split(";")[0] ?? "").trim().toLowerCase();
}

function isJsonMediaType(type: string): boolean {
  return type === "application/json" || type === "text/json" || type.endsWith("+json");
}

/** Data bytes interpreted by their media type. */
function decodeBytes(bytes: Buffer, contentType: string | undefined): Data {
  if (bytes.length === 0) return { payload: null };
  const type = mediaType(contentType);
  if (isJsonMediaType(type)) return { payload: parseJsonBody(bytes) };
  if (type === "") {
    // No media type: JSON when it parses, else opaque bytes.
    try {
      return { payload: parseJsonBody(bytes) };
    } catch {
      return { payload: null, base64: bytes.toString("base64") };
    }
  }
  if (type.startsWith("text/") || type === "application/xml") {
    try {
      return { payload: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
    } catch {
      return { payload: null, base64: bytes.toString("base64") };
    }
  }
  return { payload: null, base64: bytes.toString("base64") };
}

function checkAttributes(attrs: Json, at: string): void {
  if (attrs.specversion !== "1.0") throw invalidPayload(FORMAT, `${at}specversion must be "1.0"`);
  for (const name of ["id", "source", "type"]) {
    if (str(attrs[name]) === undefined) throw invalidPayload(FORMAT, `${at}${name} must be a non-empty string`);
  }
  for (const name of ["subject", "datacontenttype", "dataschema"]) {
    if (attrs[name] !== undefined && typeof attrs[name] !== "string") throw invalidPayload(FORMAT, `${at}${name} must be a string`);
  }
  if (attrs.time !== undefined && rfc3339(attrs.time) === undefined) throw invalidPayload(FORMAT, `${at}time must be an RFC 3339 time`);
}

/** One structured-mode event → attributes (everything but data/data_base64) and its data. */
function structured(raw: unknown, at: string): { attrs: Json; data: Data } {
  if (!isObject(raw)) throw invalidPayload(FORMAT, `${at}event must be a JSON object`);
  const { data, data_base64: dataBase64, ...attrs } = raw;
  checkAttributes(attrs, at);
  for (const [name, value] of Object.entries(attrs)) {
    if (!CONTEXT_ATTRIBUTES.has(name) && !ATTRIBUTE_NAME.test(name)) throw invalidPayload(FORMAT, `${at}attribute name ${name} is not lowercase a-z0-9`);
    if (value !== null && typeof value === "object") throw invalidPayload(FORMAT, `${at}attribute ${name} must be a scalar`);
  }
  if (data !== undefined && dataBase64 !== undefined) throw invalidPayload(FORMAT, `${at}data and data_base64 are exclusive`);
  if (dataBase64 !== undefined) {
    if (typeof dataBase64 !== "string" || dataBase64.length % 4 !== 0 || !BASE64.test(dataBase64)) {
      throw invalidPayload(FORMAT, `${at}data_base64 must be base64`);
    }
    const type = typeof attrs.datacontenttype === "string" ? attrs.datacontenttype : "application/octet-stream";
    const decoded = decodeBytes(Buffer.from(dataBase64, "base64"), type);
    return { attrs, data: decoded.base64 === undefined ? decoded : { payload: null, base64: dataBase64 } };
  }
  return { attrs, data: { payload: data === undefined ? null : data } };
}

/** Percent-decodes a binary-mode header value once; HB_ERR_INVALID_PAYLOAD on bad escapes or UTF-8. */
export function decodeHeaderValue(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25) {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw invalidPayload(FORMAT, "bad percent-encoding in a ce- header");
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c > 0x7e || c < 0x20) {
      throw invalidPayload(FORMAT, "ce- header values must be printable ASCII (percent-encode the rest)");
    } else {
      bytes.push(c);
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw invalidPayload(FORMAT, "a ce- header is not valid UTF-8 after percent-decoding");
  }
}

function binary(req: NormalizeRequest): { attrs: Json; data: Data } {
  const attrs: Json = {};
  for (const [header, value] of Object.entries(req.headers)) {
    const lower = header.toLowerCase();
    if (!lower.startsWith("ce-")) continue;
    const name = lower.slice(3);
    if (!ATTRIBUTE_NAME.test(name)) throw invalidPayload(FORMAT, `header ${header} does not name a valid attribute`);
    if (name === "datacontenttype") throw invalidPayload(FORMAT, "binary mode carries datacontenttype in Content-Type, not ce-datacontenttype");
    attrs[name] = decodeHeaderValue(value);
  }
  const contentType = headerValue(req.headers, "content-type");
  if (contentType !== undefined && contentType.trim() !== "") attrs.datacontenttype = contentType.trim();
  checkAttributes(attrs, "");
  return { attrs, data: decodeBytes(req.body, contentType) };
}

function event(attrs: Json, data: Data, meta: Json): NormalizedEvent {
  const source = attrs.source as string;
  const subject = str(attrs.subject);
  const time = rfc3339(attrs.time);
  // Context attributes in spec order, then extensions by name: both modes give the same object.
  const ordered: Json = {};
  for (const name of CONTEXT_ATTRIBUTES) if (attrs[name] !== undefined) ordered[name] = attrs[name];
  for (const name of Object.keys(attrs).sort()) if (!CONTEXT_ATTRIBUTES.has(name)) ordered[name] = attrs[name];
  return {
    type: attrs.type as string,
    ...(subject === undefined ? {} : { subject }),
    ...(time === undefined ? {} : { time }),
    dedupKey: `ce:${source}#${attrs.id as string}`,
    data: { payload: data.payload, ...(data.base64 === undefined ? {} : { payload_base64: data.base64 }), cloudevent: ordered, meta },
  };
}

function normalize(req: NormalizeRequest): NormalizedEvent[] {
  const contentType = headerValue(req.headers, "content-type");
  const type = mediaType(contentType);
  const headers = metaHeadersWithout(req.headers, stripHeadersOption(req.options, KIND));
  const meta = (mode: Mode, extra: Json = {}): Json => ({ endpoint: req.endpoint, headers, cloudevents: { mode, ...extra } });
  if (type === BATCH_MEDIA_TYPE) {
    const body = parseJsonBody(req.body);
    if (!Array.isArray(body)) throw invalidPayload(FORMAT, "a batch must be a JSON array of events");
    return body.map((raw, i) => {
      const { attrs, data } = structured(raw, `[${i}].`);
      return event(attrs, data, meta("batch", { batch_index: i, batch_size: body.length }));
    });
  }
  if (type === STRUCTURED_MEDIA_TYPE || (type.startsWith("application/cloudevents+") && type.endsWith("json"))) {
    const { attrs, data } = structured(parseJsonBody(req.body), "");
    return [event(attrs, data, meta("structured"))];
  }
  if (headerValue(req.headers, "ce-specversion") !== undefined) {
    const { attrs, data } = binary(req);
    return [event(attrs, data, meta("binary"))];
  }
  throw new HookbookError(
    "HB_ERR_UNSUPPORTED_MEDIA_TYPE",
    `not a CloudEvent: use Content-Type ${STRUCTURED_MEDIA_TYPE} or ${BATCH_MEDIA_TYPE}, or binary mode with ce-* headers`,
  );
}

export const cloudeventsSource: SourceKindHandler = {
  kind: KIND,
  contentTypes: [
    STRUCTURED_MEDIA_TYPE,
    BATCH_MEDIA_TYPE,
    "application/json",
    "application/*+json",
    "text/plain",
    "application/octet-stream",
  ],
  normalize,
  checkOptions(options) {
    checkKnownOptions(options, KIND, OPTIONS);
    stripHeadersOption(options, KIND);
  },
};
