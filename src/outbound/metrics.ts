/**
 * Prometheus metrics of outbound delivery, on a prom-client Registry the service exposes
 * (`service.metrics`; the runtime mounts it at /metrics). One registry per service, so tests
 * and several services in one process never clash.
 *
 *   hookbook_webhook_deliveries_total{endpoint}                 messages delivered (2xx)
 *   hookbook_webhook_attempts_total{endpoint, outcome}          attempts: delivered | retry | dead | test
 *   hookbook_webhook_attempt_duration_seconds{endpoint}         attempt latency histogram
 *   hookbook_webhook_dead_letters_total{endpoint, reason}       dead letters by reason
 *   hookbook_webhook_routed_total{endpoint}                     outcomes routed to an endpoint
 *   hookbook_webhook_endpoints{status}                          endpoints known, by status
 *   hookbook_webhook_breaker_state{endpoint}                    circuit breaker: 0 closed, 1 half-open, 2 open
 *   hookbook_webhook_breaker_opens_total{endpoint}              times the breaker opened
 *   hookbook_webhook_throttled_total{endpoint}                  attempts that waited for the endpoint's rate limit
 *   hookbook_webhook_throttle_wait_seconds{endpoint}            how long they waited (histogram)
 *   hookbook_webhook_backpressure_total                         outcomes held back because the delivery stream was full
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export interface OutboundMetrics {
  readonly registry: Registry;
  readonly deliveries: Counter<"endpoint">;
  readonly attempts: Counter<"endpoint" | "outcome">;
  readonly latency: Histogram<"endpoint">;
  readonly deadLetters: Counter<"endpoint" | "reason">;
  readonly routed: Counter<"endpoint">;
  readonly backpressure: Counter;
  readonly breakerOpens: Counter<"endpoint">;
  readonly throttled: Counter<"endpoint">;
  readonly throttleWait: Histogram<"endpoint">;
}

/** Gauge value of a breaker state. */
export const BREAKER_STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

export function createOutboundMetrics(
  countEndpoints: () => { enabled: number; disabled: number },
  registry: Registry = new Registry(),
  breakerStates: () => Iterable<readonly [string, keyof typeof BREAKER_STATE_VALUE]> = () => [],
): OutboundMetrics {
  const registers = [registry];
  new Gauge({
    name: "hookbook_webhook_breaker_state",
    help: "Circuit breaker of a webhook endpoint: 0 closed, 1 half-open, 2 open",
    labelNames: ["endpoint"],
    registers,
    collect() {
      this.reset();
      for (const [endpoint, state] of breakerStates()) this.set({ endpoint }, BREAKER_STATE_VALUE[state]);
    },
  });
  new Gauge({
    name: "hookbook_webhook_endpoints",
    help: "Webhook endpoints known, by status",
    labelNames: ["status"],
    registers,
    collect() {
      const c = countEndpoints();
      this.set({ status: "enabled" }, c.enabled);
      this.set({ status: "disabled" }, c.disabled);
    },
  });
  return {
    registry,
    deliveries: new Counter({ name: "hookbook_webhook_deliveries_total", help: "Webhook messages delivered (2xx)", labelNames: ["endpoint"], registers }),
    attempts: new Counter({ name: "hookbook_webhook_attempts_total", help: "Webhook delivery attempts by outcome", labelNames: ["endpoint", "outcome"], registers }),
    latency: new Histogram({
      name: "hookbook_webhook_attempt_duration_seconds",
      help: "Webhook delivery attempt latency",
      labelNames: ["endpoint"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers,
    }),
    deadLetters: new Counter({ name: "hookbook_webhook_dead_letters_total", help: "Webhook messages dead-lettered, by reason", labelNames: ["endpoint", "reason"], registers }),
    routed: new Counter({ name: "hookbook_webhook_routed_total", help: "Outcomes routed to a webhook endpoint", labelNames: ["endpoint"], registers }),
    breakerOpens: new Counter({ name: "hookbook_webhook_breaker_opens_total", help: "Times a webhook endpoint's circuit breaker opened", labelNames: ["endpoint"], registers }),
    throttled: new Counter({ name: "hookbook_webhook_throttled_total", help: "Webhook attempts that waited for the endpoint's rate limit", labelNames: ["endpoint"], registers }),
    throttleWait: new Histogram({
      name: "hookbook_webhook_throttle_wait_seconds",
      help: "How long throttled webhook attempts waited for the endpoint's rate limit",
      labelNames: ["endpoint"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    backpressure: new Counter({
      name: "hookbook_webhook_backpressure_total",
      help: "Outcomes held back on HB_OUTCOMES (redelivered later) because the webhook delivery stream was full",
      registers,
    }),
  };
}
