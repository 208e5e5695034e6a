/** What the router, the delivery handlers and the service share. */
import type { Bus } from "../bus/port.js";
import type { Clock } from "../core/clock.js";
import type { AttemptDeps } from "./attempt-sender.js";
import type { BreakerRegistry } from "./breaker-registry.js";
import type { EndpointRegistry } from "./endpoint-registry.js";
import type { HealthStore } from "./health-store.js";
import type { OutboundMetrics } from "./metrics.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { DisabledReason } from "./subscription.js";

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
  /** Circuit breakers per endpoint (consulted before and told after every attempt). */
  readonly breakers: BreakerRegistry;
  /** Per-endpoint rate limits (a token before every attempt). */
  readonly limiter: RateLimiter;
  /** Disable an endpoint automatically (410 Gone, failing too long, the receiver's `webhook-delivery: disable`) and emit endpoint.disabled; idempotent. */
  autoDisable(endpointId: string, reason: Exclude<DisabledReason, "manual">, detail: Readonly<Record<string, unknown>>): Promise<void>;
}
