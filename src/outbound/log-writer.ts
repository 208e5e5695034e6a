/** Writing attempt records and dead letters (records.ts) to their streams. */
import type { Bus } from "../bus/port.js";
import { encodeJson } from "../bus/port.js";
import { webhookMessageId } from "./message-id.js";
import { attemptSubject, deadLetterSubject } from "./outbound-streams.js";
import type { AttemptRecord, DeadLetterReason, DeadLetterRecord } from "./records.js";

/** Best effort: a lost attempt record must not fail the delivery it describes. */
export async function writeAttempt(bus: Bus, rec: AttemptRecord, msgId: string, warn: (obj: object, msg: string) => void): Promise<void> {
  try {
    await bus.publish(attemptSubject(rec.endpoint_id), encodeJson(rec), { msgId });
  } catch (err) {
    warn({ endpointId: rec.endpoint_id, messageId: rec.message_id, err }, "could not record a delivery attempt");
  }
}

/** Throws when the dead letter cannot be stored: the caller must not drop the message then. */
export async function writeDeadLetter(bus: Bus, rec: DeadLetterRecord, msgId: string): Promise<void> {
  await bus.publish(deadLetterSubject(rec.endpoint_id), encodeJson(rec), { msgId });
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export interface DeadLetterInput {
  readonly endpointId: string;
  readonly outcomeId: string;
  readonly type: string;
  readonly reason: DeadLetterReason;
  readonly at: number;
  readonly attempts: number;
  readonly lastAttempt: AttemptRecord | null;
  readonly outcomeSeq: number;
  readonly body: Uint8Array;
  /** transform_failed: why. */
  readonly error?: string;
  /** The outcome, when the body is not it (a transformed body). */
  readonly outcome?: unknown;
  /** The body is a transform's output: its content type and rendered headers. */
  readonly transformed?: { readonly contentType: string; readonly headers: Readonly<Record<string, string>> };
}

export function deadLetterRecord(i: DeadLetterInput): DeadLetterRecord {
  const body = Buffer.from(i.body.buffer, i.body.byteOffset, i.body.byteLength).toString("utf8");
  return {
    endpoint_id: i.endpointId,
    message_id: webhookMessageId(i.outcomeId),
    outcome_id: i.outcomeId,
    type: i.type,
    reason: i.reason,
    dead_at: new Date(i.at).toISOString(),
    attempts: i.attempts,
    last_attempt: i.lastAttempt,
    outcome_seq: i.outcomeSeq,
    outcome: i.outcome !== undefined ? i.outcome : parseOrNull(body),
    body,
    ...(i.error === undefined ? {} : { error: i.error }),
    ...(i.transformed === undefined ? {} : { transformed: { content_type: i.transformed.contentType, headers: i.transformed.headers } }),
  };
}
