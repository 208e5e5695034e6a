/**
 * Outbound delivery: every outcome on STREAM_OUTCOMES is POSTed, signed (Standard Webhooks), to
 * every endpoint that subscribed to its type.
 *
 * One durable consumer per endpoint (`deliver_<endpoint id>`), each a bulkhead: a dead
 * endpoint's pending retries only occupy its own consumer, never another endpoint's.
 *
 * Per message:
 * - not subscribed → ack (skip);
 * - body = the stored bytes, exactly (the outcome was serialized once by its producer);
 *   webhook-id = msg_<outcome id> (stable across retries and replays); timestamp + signature
 *   fresh per attempt; redirects are never followed (3xx = failure);
 * - 2xx → ack; 410 → terminate this message (TODO: disable the endpoint, later issue);
 *   429/503 with Retry-After → nak with that delay (≤ maxDelayMs); any other status or a
 *   network error/timeout → nak with the retry policy's backoff; attempt = deliveryCount;
 * - budget used up → terminate + "delivery exhausted" (TODO: dead-letter stream, later issue).
 */
import type { Bus, ConsumerHandle, Delivery } from "../bus/port.js";
import { STREAM_OUTCOMES } from "../bus/streams.js";
import type { Clock } from "../core/clock.js";
import { systemClock } from "../core/clock.js";
import { HookbookError } from "../core/errors.js";
import type { OutcomeMessage } from "../core/outcome.js";
import type { EndpointConfig, RetryPolicyConfig } from "../config/types.js";
import { matchesEventType } from "./endpoint-match.js";
import { nextDelayMs, parseRetryAfter } from "./retry-policy.js";
import { parseWebhookSecret, signatureHeaders } from "./signer.js";

export const USER_AGENT = "hookbook/0.1";
/** Added to the endpoint timeout to get the consumer's ack wait. */
export const ACK_WAIT_MARGIN_MS = 15_000;
/** Concurrent in-flight messages per endpoint unless told otherwise. */
export const DEFAULT_MAX_IN_FLIGHT = 8;

export interface DeliveryAttempt {
  readonly endpointId: string;
  /** The webhook-id: msg_<outcome id>. */
  readonly messageId: string;
  /** 1-based, the bus's delivery count. */
  readonly attempt: number;
  /** HTTP status when a response arrived. */
  readonly status?: number;
  /** Network error, timeout or non-2xx summary. */
  readonly error?: string;
  readonly latencyMs: number;
  /** delivered = acked; retry = naked for another attempt; failed = terminated (410, exhausted). */
  readonly outcome: "delivered" | "retry" | "failed";
}

export interface DeliveryLogger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface DeliveryWorkerOptions {
  readonly bus: Bus;
  readonly endpoints: readonly EndpointConfig[];
  readonly retry: RetryPolicyConfig;
  readonly logger: DeliveryLogger;
  /** Source of the webhook-timestamp (default: system clock). */
  readonly clock?: Clock;
  readonly fetchImpl?: typeof fetch;
  readonly onAttempt?: (a: DeliveryAttempt) => void;
  /** Messages in flight at once per endpoint (default 8; 1 = strict per-endpoint order). */
  readonly maxInFlight?: number;
}

export interface DeliveryWorkers {
  stop(): Promise<void>;
}

/** Durable consumer name for an endpoint. */
export function deliveryDurableName(endpointId: string): string {
  const cleaned = endpointId.replace(/[^A-Za-z0-9_-]/g, "_");
  return `deliver_${cleaned.length > 0 ? cleaned : "_"}`;
}

/**
 * webhook-id for an outcome: `msg_<id>`. Characters outside [A-Za-z0-9_-] (dots included, which
 * the spec forbids) become "_" so the id is a safe header value and stays the same on every try.
 */
export function webhookMessageId(outcomeId: string): string {
  return `msg_${outcomeId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

function isOutcome(value: unknown): value is OutcomeMessage {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v["id"] === "string" && v["id"].length > 0 && typeof v["type"] === "string";
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError") return "timeout";
    const cause = (err as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : "";
    return `${err.message}${detail}`;
  }
  return String(err);
}

interface EndpointRuntime {
  readonly endpoint: EndpointConfig;
  readonly key: Buffer;
}

export async function startDeliveryWorkers(opts: DeliveryWorkerOptions): Promise<DeliveryWorkers> {
  const { bus, retry, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const fetchImpl = opts.fetchImpl ?? fetch;
  const maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;

  // Validate everything before starting anything: a bad secret or a durable-name clash is a
  // configuration error that should stop the process at start, not at the first outcome.
  const runtimes: EndpointRuntime[] = [];
  const durables = new Map<string, string>();
  for (const endpoint of opts.endpoints) {
    const durable = deliveryDurableName(endpoint.id);
    const clash = durables.get(durable);
    if (clash !== undefined) {
      throw new HookbookError(
        "HB_ERR_CONFIG_INVALID",
        `endpoints "${clash}" and "${endpoint.id}" map to the same consumer name ${durable}`,
      );
    }
    durables.set(durable, endpoint.id);
    runtimes.push({ endpoint, key: parseWebhookSecret(endpoint.secret) });
  }

  const report = (a: DeliveryAttempt): void => {
    try {
      opts.onAttempt?.(a);
    } catch (err) {
      logger.warn({ endpointId: a.endpointId, err: errorText(err) }, "onAttempt callback threw");
    }
  };

  async function deliver(rt: EndpointRuntime, delivery: Delivery): Promise<void> {
    const { endpoint } = rt;
    let outcome: unknown;
    try {
      outcome = delivery.json();
    } catch {
      outcome = undefined;
    }
    if (!isOutcome(outcome)) {
      logger.error({ endpointId: endpoint.id, seq: delivery.seq }, "outcome message is not valid; terminated");
      delivery.term("invalid outcome message");
      return;
    }
    if (!matchesEventType(endpoint.events, outcome.type)) {
      await delivery.ack();
      return;
    }

    const messageId = webhookMessageId(outcome.id);
    const attempt = delivery.deliveryCount;
    const body = delivery.data;
    const headers = new Headers();
    headers.set("user-agent", USER_AGENT);
    for (const [name, value] of Object.entries(endpoint.headers)) headers.set(name, value);
    headers.set("content-type", "application/json");
    const timestampSec = Math.floor(clock.now() / 1000);
    for (const [name, value] of Object.entries(signatureHeaders([rt.key], messageId, timestampSec, body))) {
      headers.set(name, value);
    }

    const started = performance.now();
    let status: number | undefined;
    let retryAfterMs: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetchImpl(endpoint.url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(endpoint.timeoutMs),
      });
      status = res.status;
      if (status === 429 || status === 503) retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), clock.now());
      // The response body is not needed; release the connection.
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      error = errorText(err);
    }
    const latencyMs = Math.round(performance.now() - started);
    const base = { endpointId: endpoint.id, messageId, attempt, latencyMs };
    const withStatus = status === undefined ? base : { ...base, status };

    if (status !== undefined && status >= 200 && status < 300) {
      await delivery.ack();
      report({ ...withStatus, outcome: "delivered" });
      return;
    }
    if (error === undefined) error = `HTTP ${status}`;

    if (status === 410) {
      // TODO(endpoint-disable): 410 Gone should disable the endpoint (webhooks.md §5.1); a later
      // issue adds endpoint state. For now only this message is terminated.
      logger.error({ ...withStatus }, "endpoint answered 410 Gone; message terminated (endpoint disabling not implemented yet)");
      delivery.term("endpoint answered 410 Gone");
      report({ ...withStatus, error, outcome: "failed" });
      return;
    }

    const delay = nextDelayMs(retry, attempt, retryAfterMs);
    if (delay === undefined) {
      // TODO(dead-letter): publish to a dead-letter stream before terminating (later issue).
      logger.error({ ...withStatus, error }, "delivery exhausted");
      delivery.term("delivery exhausted");
      report({ ...withStatus, error, outcome: "failed" });
      return;
    }
    logger.warn({ ...withStatus, error, retryInMs: delay }, "delivery failed; will retry");
    delivery.nak(delay);
    report({ ...withStatus, error, outcome: "retry" });
  }

  const handles: ConsumerHandle[] = [];
  try {
    for (const rt of runtimes) {
      if (rt.endpoint.events.length === 0) {
        logger.warn({ endpointId: rt.endpoint.id }, "endpoint subscribes to no event types; no delivery consumer started");
        continue;
      }
      const handle = await bus.consume(
        {
          stream: STREAM_OUTCOMES,
          durable: deliveryDurableName(rt.endpoint.id),
          filterSubjects: ["outcomes.>"],
          ackWaitMs: rt.endpoint.timeoutMs + ACK_WAIT_MARGIN_MS,
          maxDeliver: retry.maxAttempts + 2,
          maxAckPending: maxInFlight,
          // A new endpoint gets outcomes from its creation on, not the stream's history.
          deliverPolicy: "new",
        },
        (delivery) => deliver(rt, delivery),
      );
      handles.push(handle);
      logger.info({ endpointId: rt.endpoint.id, events: rt.endpoint.events }, "delivery consumer started");
    }
  } catch (err) {
    await Promise.allSettled(handles.map((h) => h.stop()));
    throw err;
  }

  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(handles.map((h) => h.stop()));
    },
  };
}
