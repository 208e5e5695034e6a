/**
 * What the delivery log (HB_WEBHOOK_ATTEMPTS, `wha.<endpointId>`) and the dead-letter stream
 * (HB_WEBHOOK_DLQ, `whdlq.<endpointId>`) store, one JSON document per message. Field names
 * are snake_case: the admin API returns them as stored.
 */
import type { DeliveryTrigger } from "./outbound-streams.js";

/**
 * delivered = 2xx; retry = failed, another attempt is scheduled; dead = failed and
 * dead-lettered (last attempt, 410 Gone, webhook-delivery header, endpoint disabled); test =
 * POST …/test. Throttling (rate limit) and an open circuit breaker are not attempts.
 */
export type AttemptOutcome = "delivered" | "retry" | "dead" | "test";

export interface AttemptRecord {
  readonly endpoint_id: string;
  /** webhook-id: msg_<outcome id>. */
  readonly message_id: string;
  readonly outcome_id: string;
  readonly type: string;
  /** 1-based attempt of this message (a replay starts again at 1). */
  readonly attempt: number;
  /** RFC 3339 time the attempt started. */
  readonly at: string;
  readonly status?: number;
  readonly latency_ms: number;
  /** First 4 KiB of the response body. */
  readonly response?: string;
  readonly response_truncated?: boolean;
  /** timeout, connect, dns, ssrf, tls, proxy, network, oauth2, or the non-2xx status summary. */
  readonly error?: string;
  readonly error_kind?: string;
  readonly outcome: AttemptOutcome;
  /** Delay before the next attempt when outcome is retry. */
  readonly next_retry_ms?: number;
  readonly trigger: DeliveryTrigger | "test";
}

/**
 * exhausted = last attempt failed; gone = 410; receiver_disabled = the receiver answered
 * `webhook-delivery: disable`; aborted = it answered `webhook-delivery: abort-message`;
 * endpoint_disabled / endpoint_deleted = queued while the endpoint was disabled or deleted;
 * transform_failed = the endpoint's transform could not be rendered for the outcome (`error` says why);
 * at_most_once = the endpoint's delivery mode is at_most_once and the failed attempt may have reached the receiver.
 */
export type DeadLetterReason = "exhausted" | "gone" | "receiver_disabled" | "aborted" | "endpoint_disabled" | "endpoint_deleted" | "invalid_message" | "transform_failed" | "at_most_once";

export interface DeadLetterRecord {
  readonly endpoint_id: string;
  readonly message_id: string;
  readonly outcome_id: string;
  readonly type: string;
  readonly reason: DeadLetterReason;
  /** RFC 3339 */
  readonly dead_at: string;
  /** Attempts made for this message before it was dead-lettered. */
  readonly attempts: number;
  readonly last_attempt: AttemptRecord | null;
  /** Sequence of the outcome on HB_OUTCOMES (0 when unknown). */
  readonly outcome_seq: number;
  /** The outcome `{id, type, timestamp, data}` (null when the body is not JSON; the parsed transformed body when `transformed` is set). */
  readonly outcome: unknown;
  /** transform_failed: the rendering error, naming the template's path. */
  readonly error?: string;
  /** The body is the endpoint's transform of the outcome, sent with this content type and these rendered headers. */
  readonly transformed?: { readonly content_type: string; readonly headers: Readonly<Record<string, string>> };
  /** The webhook body exactly as it was sent (UTF-8): replays send these bytes again. */
  readonly body: string;
}
