/**
 * Replay (reference/webhooks.md §5.1, Svix's resend and recover): a message goes back onto the
 * endpoint's delivery subject with its original body and outcome id, so `webhook-id` is
 * unchanged and receivers deduplicate; timestamp and signature are fresh, and it gets a full
 * retry schedule again.
 *
 * - one message: looked up in the endpoint's dead letters (newest first), else in HB_OUTCOMES
 *   by outcome id (a scan of the stream's retention, 14 days);
 * - recover: every dead letter of the endpoint stored in [since, until] (at most 14 days),
 *   once per outcome; the Nats-Msg-Id `recover:<dead-letter seq>` makes a repeated recover
 *   within the duplicate window a no-op.
 */
import type { Bus } from "../bus/port.js";
import { decodeJson } from "../bus/port.js";
import { STREAM_OUTCOMES } from "../bus/streams.js";
import { webhookMessageId } from "./message-id.js";
import { outboundError } from "./outbound-errors.js";
import { H_OUTCOME_ID, H_OUTCOME_SEQ, H_OUTCOME_TYPE, H_TRIGGER, STREAM_WEBHOOK_DLQ, deadLetterSubject, deliverySubject } from "./outbound-streams.js";
import type { DeliveryTrigger } from "./outbound-streams.js";
import type { DeadLetterRecord } from "./records.js";
import { isOutcome } from "./router.js";
import { H_TRANSFORM, encodeTransformHeader } from "./transform.js";

export const MAX_RECOVER_RANGE_MS = 14 * 24 * 3_600_000;

export interface FoundMessage {
  readonly outcomeId: string;
  readonly type: string;
  readonly outcomeSeq: number;
  readonly body: Uint8Array;
  readonly foundIn: "dead_letters" | "outcomes";
  /** The body is a transform's output (transform.ts): its content type and rendered headers, sent again as they were. */
  readonly transformed?: { readonly contentType: string; readonly headers: Readonly<Record<string, string>> };
  /** Dead letters: why (transform_failed ones hold the outcome, to be transformed again). */
  readonly reason?: DeadLetterRecord["reason"];
}

/** A dead letter as a message to enqueue again. */
export function deadLetterMessage(rec: DeadLetterRecord): Omit<FoundMessage, "foundIn"> {
  return {
    outcomeId: rec.outcome_id,
    type: rec.type,
    outcomeSeq: rec.outcome_seq,
    body: Buffer.from(rec.body, "utf8"),
    reason: rec.reason,
    ...(rec.transformed === undefined ? {} : { transformed: { contentType: rec.transformed.content_type, headers: rec.transformed.headers } }),
  };
}

function matches(messageId: string, outcomeId: string): boolean {
  return outcomeId === messageId || webhookMessageId(outcomeId) === messageId;
}

/** The message to replay: the endpoint's newest dead letter for it, else the outcome itself. */
export async function findMessage(bus: Bus, endpointId: string, messageId: string): Promise<FoundMessage | undefined> {
  let found: FoundMessage | undefined;
  for await (const m of bus.readMessages!(STREAM_WEBHOOK_DLQ, { subject: deadLetterSubject(endpointId) })) {
    const rec = decodeJson<DeadLetterRecord>(m.data);
    if (matches(messageId, rec.outcome_id)) {
      found = { ...deadLetterMessage(rec), foundIn: "dead_letters" };
    }
  }
  if (found) return found;
  const needle = Buffer.from(messageId.replace(/^msg_/, ""), "utf8");
  for await (const m of bus.readMessages!(STREAM_OUTCOMES)) {
    const data = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    // Cheap pre-filter; ids with characters webhook-ids replace ("." → "_") are parsed anyway.
    if (data.indexOf(needle) < 0 && !needle.includes(0x5f)) continue;
    let o: unknown;
    try {
      o = decodeJson(m.data);
    } catch {
      continue;
    }
    if (isOutcome(o) && matches(messageId, o.id)) return { outcomeId: o.id, type: o.type, outcomeSeq: m.seq, body: m.data, foundIn: "outcomes" };
  }
  return undefined;
}

/** Put a message back on the endpoint's delivery subject. */
export async function enqueue(bus: Bus, endpointId: string, msg: Omit<FoundMessage, "foundIn">, trigger: DeliveryTrigger, msgId: string): Promise<void> {
  await bus.publish(deliverySubject(endpointId), msg.body, {
    msgId,
    headers: {
      [H_OUTCOME_ID]: msg.outcomeId,
      [H_OUTCOME_TYPE]: msg.type,
      [H_OUTCOME_SEQ]: String(msg.outcomeSeq),
      [H_TRIGGER]: trigger,
      ...(msg.transformed === undefined ? {} : { [H_TRANSFORM]: encodeTransformHeader(msg.transformed) }),
    },
  });
}

/** Check a recover range; throws OUTBOUND_CODES.invalid. */
export function checkRecoverRange(since: number, until: number, now: number): void {
  if (!Number.isFinite(since) || !Number.isFinite(until)) throw outboundError("invalid", "since and until must be RFC 3339 times");
  if (until < since) throw outboundError("invalid", "until is before since");
  if (until - since > MAX_RECOVER_RANGE_MS) throw outboundError("invalid", "the range may span at most 14 days");
  if (since > now) throw outboundError("invalid", "since is in the future");
}

/**
 * Re-enqueue the endpoint's dead letters stored in [since, until]; returns their webhook-ids.
 * `prepare` may change a message first (a transform_failed one is transformed again) or skip it (undefined).
 */
export async function recoverDeadLetters(
  bus: Bus,
  endpointId: string,
  since: number,
  until: number,
  prepare: (msg: Omit<FoundMessage, "foundIn">) => Omit<FoundMessage, "foundIn"> | undefined = (msg) => msg,
): Promise<string[]> {
  const latest = new Map<string, { seq: number; rec: DeadLetterRecord }>();
  for await (const m of bus.readMessages!(STREAM_WEBHOOK_DLQ, { subject: deadLetterSubject(endpointId), startTimeMs: since })) {
    if (m.storedAt > until) break;
    const rec = decodeJson<DeadLetterRecord>(m.data);
    latest.delete(rec.outcome_id);
    latest.set(rec.outcome_id, { seq: m.seq, rec });
  }
  const out: string[] = [];
  for (const { seq, rec } of latest.values()) {
    const msg = prepare(deadLetterMessage(rec));
    if (msg === undefined) continue;
    await enqueue(bus, endpointId, msg, "recover", `recover:${seq}`);
    out.push(rec.message_id);
  }
  return out;
}
