/** Turning normalized items into stored envelopes and their JetStream dedup ids. */
import type { EventEnvelope, NormalizedEvent } from "../core/envelope.js";
import { sha256Hex, stableId } from "../core/ids.js";

/** Longest Nats-Msg-Id sent as is; longer (or non-printable) ids are hashed. */
export const MAX_MSG_ID_LENGTH = 200;

/**
 * The Nats-Msg-Id for an event: `<source>:<dedupKey>`. JetStream deduplicates per stream, across
 * all subjects, so the source name is part of the id: the same alert posted to two sources is
 * two stored events, while a retry to the same source is one. Ids that are long or contain
 * anything but printable ASCII (header safety) become `sha256:<hex>`.
 */
export function publishMsgId(source: string, dedupKey: string): string {
  const id = `${source}:${dedupKey}`;
  return id.length <= MAX_MSG_ID_LENGTH && /^[\x21-\x7e]+$/.test(id) ? id : `sha256:${sha256Hex(id)}`;
}

/**
 * One envelope per item. `id` = stableId(dedupKey), identical on every retry of the producer;
 * `time` = the producer's time or, when it has none, `receivedAt`. `data` is stored untouched
 * (the engine adds meta.source / received_at / uuid when it consumes the event).
 */
export function buildEnvelopes(
  source: { readonly name: string; readonly kind: string },
  items: readonly NormalizedEvent[],
  receivedAt: string,
): EventEnvelope[] {
  return items.map((item) => ({
    id: stableId(item.dedupKey),
    source: source.name,
    kind: source.kind,
    type: item.type,
    ...(item.subject === undefined ? {} : { subject: item.subject }),
    time: item.time ?? receivedAt,
    receivedAt,
    dedupKey: item.dedupKey,
    data: item.data,
  }));
}
