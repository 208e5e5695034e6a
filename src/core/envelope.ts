/**
 * The event envelope stored on the EVENTS stream: a strict subset of CloudEvents 1.0 context
 * attributes plus our own fields. `data` is the object rulebooks see as `event` (ansible-rulebook
 * shaped: `{payload, meta}` for webhook, `{alert, meta}` for alertmanager).
 */
export interface EventEnvelope {
  /** Stable id: sha256(dedupKey) truncated, the same on every retry of the producer. */
  readonly id: string;
  /** Name of the ingest source (the `/hooks/<name>` path segment). */
  readonly source: string;
  /** Source kind, e.g. "webhook", "alertmanager". */
  readonly kind: string;
  /** "<producer>.<noun>.<verb>", lowercase and dotted, e.g. "alertmanager.alert.firing". */
  readonly type: string;
  /** The thing acted on (node, queue, repo), when the source knows it. */
  readonly subject?: string;
  /** RFC 3339: when it happened at the producer (falls back to receivedAt). */
  readonly time: string;
  /** RFC 3339: when ingest accepted the request. */
  readonly receivedAt: string;
  /** Stable across producer retries; becomes Nats-Msg-Id. */
  readonly dedupKey: string;
  /** The rulebook-visible event. Always an object with a `meta` object. */
  readonly data: Record<string, unknown>;
  /** Older than the newest event already seen for the same subject (also `data.meta.stale`). */
  readonly stale?: boolean;
}

/** What a source's normalize() returns per item before ingest stamps ids and times. */
export interface NormalizedEvent {
  readonly type: string;
  readonly subject?: string;
  readonly time?: string;
  readonly dedupKey: string;
  readonly data: Record<string, unknown>;
}

/** Characters allowed in a NATS subject token; everything else becomes "_". */
export function subjectToken(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_-]/g, "_");
  return cleaned.length > 0 ? cleaned : "_";
}

/** Subject of an event on the EVENTS stream: events.<source>.<type with dots kept as tokens>. */
export function eventSubject(source: string, type: string): string {
  const typeTokens = type.split(".").map(subjectToken).join(".");
  return `events.${subjectToken(source)}.${typeTokens}`;
}
