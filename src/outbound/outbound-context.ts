/** What the router, the delivery handlers and the service share. */
import type { Bus } from "../bus/port.js";
import type { Clock } from "../core/clock.js";
import type { AttemptDeps } from "./attempt-sender.js";
import type { EndpointRegistry } from "./endpoint-registry.js";
import type { HealthStore } from "./health-store.js";
import type { OutboundMetrics } from "./metrics.js";

export interface OutboundLogger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface OutboundContext {
  readonly bus: Bus;
  readonly clock: Clock;
  readonly logger: OutboundLogger;
  readonly registry: EndpointRegistry;
  readonly health: HealthStore;
  readonly metrics: OutboundMetrics;
  /** Delays before attempt 2, 3, … (retry-schedule.ts). */
  readonly schedule: readonly number[];
  readonly random: () => number;
  readonly attemptDeps: AttemptDeps;
  /** An endpoint failing without a success for this long is disabled. */
  readonly disableAfterMs: number;
  /** Disable an endpoint automatically (410 Gone, failing too long) and emit endpoint.disabled; idempotent. */
  autoDisable(endpointId: string, reason: "gone" | "failing", detail: Readonly<Record<string, unknown>>): Promise<void>;
}
