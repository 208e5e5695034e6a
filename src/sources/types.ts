/**
 * The contract every source kind implements. A handler is pure: it gets the raw request bytes
 * (already authenticated by ./auth.ts) and returns the events it contains. It never touches
 * the bus, HTTP or the clock; ingest stamps ids and times and stores the events.
 */
import type { SourceKind } from "../config/types.js";
import type { NormalizedEvent } from "../core/envelope.js";

export interface NormalizeRequest {
  /** The exact request body bytes. */
  readonly body: Buffer;
  /**
   * Request headers. Names keep the sender's spelling (ansible-rulebook hands them to rulebooks
   * as received), so look them up with `headerValue()`, which ignores case.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The source name (the `/hooks/<name>` path segment); becomes `meta.endpoint`. */
  readonly endpoint: string;
  /** Kind-specific options from the source config. */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface SourceKindHandler {
  readonly kind: SourceKind;
  /**
   * Accepted media types (parameters such as charset ignored). An entry `type/*+suffix` accepts
   * any structured-syntax suffix, e.g. "application/*+json" accepts "application/cloudevents+json".
   */
  readonly contentTypes: readonly string[];
  /**
   * The events in one request, in body order. Throws HookbookError HB_ERR_INVALID_JSON when the
   * body does not parse and HB_ERR_INVALID_PAYLOAD when it is not the producer's format.
   */
  normalize(req: NormalizeRequest): NormalizedEvent[];
  /** Checks the kind options once at startup; throws HB_ERR_CONFIG_INVALID. */
  checkOptions?(options: Readonly<Record<string, unknown>>): void;
}

/** Case-insensitive header lookup. */
export function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) return headers[key];
  }
  return undefined;
}

/** True when the media type of `contentType` is one of `accepted` (see SourceKindHandler.contentTypes). */
export function mediaTypeAccepted(contentType: string | undefined, accepted: readonly string[]): boolean {
  if (contentType === undefined) return false;
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  const slash = mediaType.indexOf("/");
  if (slash <= 0 || slash === mediaType.length - 1) return false;
  for (const entry of accepted) {
    const pattern = entry.toLowerCase();
    if (pattern === mediaType) return true;
    const wildcard = /^([a-z0-9!#$&^_.-]+)\/\*(\+[a-z0-9!#$&^_.-]+)$/.exec(pattern);
    if (!wildcard) continue;
    const prefix = `${wildcard[1] as string}/`;
    const suffix = wildcard[2] as string;
    if (mediaType.startsWith(prefix) && mediaType.endsWith(suffix) && mediaType.length > prefix.length + suffix.length) {
      return true;
    }
  }
  return false;
}
