/**
 * Outcome messages on the OUTCOMES stream; the same `{id, type, timestamp, data}` object is the
 * body of the outbound webhook (Standard Webhooks payload shape). `id` is stable across every
 * retry and replay, so receivers deduplicate on it (it becomes `webhook-id`).
 */
export type OutcomeType =
  | "action.started"
  | "action.succeeded"
  | "action.failed"
  | "action.timeout";

export interface OutcomeMessage {
  readonly id: string;
  readonly type: OutcomeType | string;
  /** RFC 3339 time of the outcome. */
  readonly timestamp: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export function outcomeSubject(type: string): string {
  return `outcomes.${type}`;
}
