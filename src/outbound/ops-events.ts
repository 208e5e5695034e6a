/**
 * Operational events (Svix naming), published on HB_OUTCOMES like any outcome so endpoints can
 * subscribe to them (`endpoint.*`, `message.*`). An event about an endpoint is never sent to
 * that endpoint itself (EndpointRegistry.matching), and message.attempt.* events are not emitted
 * about messages that are themselves message.attempt.* events (two failing operations endpoints
 * would otherwise feed each other forever).
 *
 *   endpoint.created | endpoint.updated | endpoint.deleted
 *                            data: {endpoint_id, source, url, …}   (updated: `fields` changed)
 *   endpoint.disabled        data: {endpoint_id, source, reason: "gone" | "failing" | "receiver", disabled_at, …detail}
 *   endpoint.circuit_opened  data: {endpoint_id, source, reason, opened_at, retry_at, consecutive_failures, …}
 *   endpoint.circuit_closed  data: {endpoint_id, source, closed_at, opened_at}
 *   message.attempt.failing | .exhausted | .recovered
 *                            data: {endpoint_id, message_id, outcome_id, type, attempt, last_status?, last_error?}
 *
 * `url` is the endpoint's origin only (scheme, host, port): webhook URLs often carry a token in
 * their path or query (Slack, Teams).
 */
import type { Bus } from "../bus/port.js";
import { encodeJson } from "../bus/port.js";
import type { OutcomeMessage } from "../core/outcome.js";
import { outcomeSubject } from "../core/outcome.js";

export const ENDPOINT_DISABLED = "endpoint.disabled";
export const ENDPOINT_CREATED = "endpoint.created";
export const ENDPOINT_UPDATED = "endpoint.updated";
export const ENDPOINT_DELETED = "endpoint.deleted";
export const CIRCUIT_OPENED = "endpoint.circuit_opened";
export const CIRCUIT_CLOSED = "endpoint.circuit_closed";
export const ATTEMPT_FAILING = "message.attempt.failing";
export const ATTEMPT_EXHAUSTED = "message.attempt.exhausted";
export const ATTEMPT_RECOVERED = "message.attempt.recovered";

/** message.attempt.failing is emitted after this many consecutive failed attempts of a message. */
export const FAILING_AFTER_ATTEMPTS = 4;

export type EndpointLifecycleType = typeof ENDPOINT_CREATED | typeof ENDPOINT_UPDATED | typeof ENDPOINT_DELETED;
export type MessageAttemptType = typeof ATTEMPT_FAILING | typeof ATTEMPT_EXHAUSTED | typeof ATTEMPT_RECOVERED;

/** True for the operational message events: none is emitted about a message of these types. */
export function isMessageAttemptEvent(type: string): boolean {
  return type.startsWith("message.attempt.");
}

/** Scheme, host and port of a URL (no path, query or credentials); undefined when it does not parse. */
export function urlOrigin(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

const eventId = (type: string, ...parts: (string | number)[]): string => [type.replace(/\./g, "-"), ...parts].join("_");

function opsEvent(id: string, type: string, at: number, data: Record<string, unknown>): OutcomeMessage {
  return { id, type, timestamp: new Date(at).toISOString(), data };
}

export function endpointDisabledEvent(
  endpoint: { id: string; source: string },
  reason: string,
  at: number,
  detail: Readonly<Record<string, unknown>>,
): OutcomeMessage {
  const disabledAt = new Date(at).toISOString();
  return opsEvent(`endpoint-disabled_${endpoint.id}_${at}`, ENDPOINT_DISABLED, at, { endpoint_id: endpoint.id, source: endpoint.source, reason, disabled_at: disabledAt, ...detail });
}

/** endpoint.created / updated / deleted; `unique` keeps two events of one millisecond apart. */
export function endpointLifecycleEvent(
  type: EndpointLifecycleType,
  endpoint: { id: string; source: string; url: string },
  at: number,
  unique: string,
  detail: Readonly<Record<string, unknown>> = {},
): OutcomeMessage {
  const url = urlOrigin(endpoint.url);
  return opsEvent(eventId(type, endpoint.id, at, unique), type, at, { endpoint_id: endpoint.id, source: endpoint.source, ...(url === undefined ? {} : { url }), ...detail });
}

export function circuitEvent(type: typeof CIRCUIT_OPENED | typeof CIRCUIT_CLOSED, endpoint: { id: string; source: string }, at: number, detail: Readonly<Record<string, unknown>>): OutcomeMessage {
  return opsEvent(eventId(type, endpoint.id, at), type, at, { endpoint_id: endpoint.id, source: endpoint.source, ...detail });
}

export interface MessageAttemptInfo {
  readonly endpointId: string;
  readonly messageId: string;
  readonly outcomeId: string;
  /** The message's outcome type. */
  readonly type: string;
  readonly attempt: number;
  readonly lastStatus?: number;
  readonly lastError?: string;
  /** Delivery-stream sequence of the message: one event of each type per queued message. */
  readonly seq: number;
}

export function messageAttemptEvent(type: MessageAttemptType, m: MessageAttemptInfo, at: number): OutcomeMessage {
  return opsEvent(eventId(type, m.endpointId, m.seq), type, at, {
    endpoint_id: m.endpointId,
    message_id: m.messageId,
    outcome_id: m.outcomeId,
    type: m.type,
    attempt: m.attempt,
    ...(m.lastStatus === undefined ? {} : { last_status: m.lastStatus }),
    ...(m.lastError === undefined ? {} : { last_error: m.lastError }),
  });
}

export async function publishOpsEvent(bus: Bus, event: OutcomeMessage): Promise<void> {
  await bus.publish(outcomeSubject(event.type), encodeJson(event), { msgId: event.id });
}
