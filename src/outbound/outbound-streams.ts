/**
 * Streams, subjects, KV buckets, consumer names and message headers of outbound delivery
 * (reference/webhooks.md §5.1):
 *
 * | stream               | subjects             | retention | holds                                      |
 * |----------------------|----------------------|-----------|--------------------------------------------|
 * | HB_WEBHOOK_DELIVERY  | whd.<endpointId>     | workqueue | one message per (outcome, endpoint);       |
 * |                      |                      |           | max_bytes + discard new: full = backpressure |
 * | HB_WEBHOOK_DLQ       | whdlq.<endpointId>   | limits    | dead letters: outcome + last attempt + why |
 * | HB_WEBHOOK_ATTEMPTS  | wha.<endpointId>     | limits    | one record per HTTP attempt                |
 *
 * KV `hb_webhooks` holds API subscriptions, `hb_webhook_health` failure markers and the
 * enabled/disabled state of config endpoints.
 */
import type { StreamSpec } from "../bus/port.js";

export const STREAM_WEBHOOK_DELIVERY = "HB_WEBHOOK_DELIVERY";
export const STREAM_WEBHOOK_DLQ = "HB_WEBHOOK_DLQ";
export const STREAM_WEBHOOK_ATTEMPTS = "HB_WEBHOOK_ATTEMPTS";

export const SUBSCRIPTIONS_BUCKET = "hb_webhooks";
export const HEALTH_BUCKET = "hb_webhook_health";

/** Durable consumer on OUTCOMES that fans out to the delivery stream. */
export const ROUTER_DURABLE = "wh_router";

/** Headers of a delivery-stream message (its data is the webhook body, byte for byte). */
export const H_OUTCOME_ID = "Hb-Outcome-Id";
export const H_OUTCOME_TYPE = "Hb-Outcome-Type";
/** OUTCOMES sequence of the original outcome ("0" when unknown). */
export const H_OUTCOME_SEQ = "Hb-Outcome-Seq";
/** route | replay | recover */
export const H_TRIGGER = "Hb-Trigger";

export type DeliveryTrigger = "route" | "replay" | "recover";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const deliverySubject = (endpointId: string): string => `whd.${endpointId}`;
export const deadLetterSubject = (endpointId: string): string => `whdlq.${endpointId}`;
export const attemptSubject = (endpointId: string): string => `wha.${endpointId}`;

/** The endpoint id of a whd./whdlq./wha. subject. */
export function endpointOfSubject(subject: string): string {
  const dot = subject.indexOf(".");
  return dot < 0 ? "" : subject.slice(dot + 1);
}

/** Durable consumer of an endpoint's delivery subject. */
export function endpointDurable(endpointId: string): string {
  return `whd_${endpointId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/** Endpoint ids double as subject tokens, KV keys and durable names. */
export const ENDPOINT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Default size limit of the delivery stream (`outbound.deliveryMaxBytes`): 1 GiB. */
export const DEFAULT_DELIVERY_MAX_BYTES = 1024 * 1024 * 1024;

/**
 * The three outbound streams; the delivery stream keeps messages 1.5 × the retry horizon, at
 * least 3 days, and holds at most `deliveryMaxBytes`: when full it refuses new messages
 * (discard new) and the router keeps outcomes on HB_OUTCOMES until there is room (router.ts).
 */
export function outboundStreams(retryHorizonMs: number, deliveryMaxBytes: number = DEFAULT_DELIVERY_MAX_BYTES): StreamSpec[] {
  return [
    {
      name: STREAM_WEBHOOK_DELIVERY,
      subjects: ["whd.>"],
      retention: "workqueue",
      duplicateWindowMs: 30 * MINUTE,
      maxAgeMs: Math.max(3 * DAY, Math.ceil(1.5 * retryHorizonMs)),
      maxBytes: deliveryMaxBytes,
      discard: "new",
    },
    { name: STREAM_WEBHOOK_DLQ, subjects: ["whdlq.>"], retention: "limits", duplicateWindowMs: 30 * MINUTE, maxAgeMs: 30 * DAY },
    { name: STREAM_WEBHOOK_ATTEMPTS, subjects: ["wha.>"], retention: "limits", duplicateWindowMs: 2 * MINUTE, maxAgeMs: 30 * DAY },
  ];
}
