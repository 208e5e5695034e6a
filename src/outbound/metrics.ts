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
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export interface OutboundMetrics {
  readonly registry: Registry;
  readonly deliveries: Counter<"endpoint">;
  readonly attempts: Counter<"endpoint" | "outcome">;
  readonly latency: Histogram<"endpoint">;
  readonly deadLetters: Counter<"endpoint" | "reason">;
  readonly routed: Counter<"endpoint">;
}

export function createOutboundMetrics(countEndpoints: () => { enabled: number; disabled: number }, registry: Registry = new Registry()): OutboundMetrics {
  const registers = [registry];
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
  };
}
