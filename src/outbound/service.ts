/**
 * The outbound webhook service (issue 6, reference/webhooks.md §5.1): `startOutbound()` creates
 * the streams and buckets, loads config endpoints and API subscriptions, starts one delivery
 * consumer per enabled endpoint and the router on HB_OUTCOMES, and returns what the admin API
 * (src/api) calls. Everything below it is in this folder; the runtime only wires it.
 */
import type { Registry } from "prom-client";
import type { Bus, ConsumerHandle } from "../bus/port.js";
import { defaultStreams, STREAM_OUTCOMES } from "../bus/streams.js";
import type { EndpointConfig } from "../config/types.js";
import type { Clock } from "../core/clock.js";
import { systemClock } from "../core/clock.js";
import { HookbookError } from "../core/errors.js";
import type { IdGen } from "../core/ids.js";
import { randomIds } from "../core/ids.js";
import { OUTBOUND_USER_AGENT } from "./attempt-sender.js";
import { EndpointAdmin } from "./endpoint-admin.js";
import { EndpointConsumers } from "./endpoint-consumers.js";
import { eventPatternError } from "./endpoint-match.js";
import { EndpointRegistry } from "./endpoint-registry.js";
import { HealthStore } from "./health-store.js";
import { BreakerRegistry } from "./breaker-registry.js";
import type { BreakerConfigInput } from "./circuit-breaker.js";
import { resolveBreakerSettings } from "./circuit-breaker.js";
import { RATE_LIMIT_MAX_REQUESTS, RATE_LIMIT_PERIOD, RateLimiter } from "./rate-limiter.js";
import { configRateLimit } from "./subscription.js";
import type { WebhookHttpClient } from "./http-client.js";
import { createFetchHttpClient, createGuardedHttpClient, DEFAULT_MAX_RESPONSE_BYTES } from "./http-client.js";
import { createOutboundMetrics } from "./metrics.js";
import { OAuth2TokenCache } from "./oauth2-token.js";
import type { OutboundContext, OutboundLogger } from "./outbound-context.js";
import { ENDPOINT_ID_PATTERN, HEALTH_BUCKET, SUBSCRIPTIONS_BUCKET, outboundStreams } from "./outbound-streams.js";
import type { RetryScheduleInput } from "./retry-schedule.js";
import { resolveRetrySchedule, retryHorizonMs } from "./retry-schedule.js";
import type { BackpressureOptions } from "./router.js";
import { BACKPRESSURE_DEFAULTS, startRouter } from "./router.js";
import type { SecretKeyOptions } from "./secret-box.js";
import { openSecretBox } from "./secret-box.js";
import { clientCertInfo } from "./client-tls.js";
import type { EgressProxyConfig } from "./egress-proxy.js";
import { compileEgressProxy } from "./egress-proxy.js";
import { IDEMPOTENCY_BUCKET, IDEMPOTENCY_TTL_MS, IdempotencyStore } from "./idempotency.js";
import { OutboundServiceImpl } from "./service-api.js";
import type { OutboundService } from "./service-api.js";
import { parseWebhookSecret } from "./signer.js";
import type { LookupAll, SsrfOptions } from "./ssrf-guard.js";
import { compileSsrfPolicy, systemLookupAll } from "./ssrf-guard.js";
import { SubscriptionStore } from "./subscription-store.js";
import { checkSecretFor } from "./subscription-input.js";

export { OUTBOUND_USER_AGENT };

const DAY = 24 * 3_600_000;

export const OUTBOUND_DEFAULTS = {
  timeoutMs: 15_000,
  maxInFlight: 8,
  disableAfterMs: 5 * DAY,
  rotationGraceMs: DAY,
  reconcileIntervalMs: 10_000,
  drainTimeoutMs: 30_000,
} as const;

export interface OutboundOptions {
  readonly bus: Bus;
  readonly logger: OutboundLogger;
  readonly clock?: Clock;
  /** `outbound.endpoints` from the config: always delivered to, read-only in the API. */
  readonly staticEndpoints?: readonly EndpointConfig[];
  /** "default" (Svix: 5s 5m 30m 2h 5h 10h 10h), "short" (1s 2s 4s), a list of delays, or the legacy exponential policy. */
  readonly retry?: RetryScheduleInput;
  /** SSRF guard: allow-list and https-only mode (default: nothing allowed beyond public addresses, http allowed). */
  readonly ssrf?: SsrfOptions;
  /** Use this fetch instead of the built-in client (the SSRF check then runs before fetch resolves again: see http-client.ts). */
  readonly fetchImpl?: typeof fetch;
  /** Replace the HTTP client entirely (tests, benches). */
  readonly httpClient?: WebhookHttpClient;
  /** DNS for the SSRF guard (default dns.lookup, all addresses). */
  readonly lookupAll?: LookupAll;
  /** Disable an endpoint failing continuously this long (default 5 days). */
  readonly disableAfterMs?: number;
  /** Default grace period of a rotated secret (default 24 h). */
  readonly rotationGraceMs?: number;
  /** Default request timeout (15 s). */
  readonly defaultTimeoutMs?: number;
  /** Default messages in flight per endpoint (8). */
  readonly maxInFlight?: number;
  /** Reload endpoints from KV this often (other replicas' changes; default 10 s, 0 = never). */
  readonly reconcileIntervalMs?: number;
  readonly drainTimeoutMs?: number;
  /** Response bytes kept per attempt (4096). */
  readonly responseExcerptBytes?: number;
  /** Register the metrics here instead of on a new registry. */
  readonly metricsRegistry?: Registry;
  readonly ids?: IdGen;
  /** Jitter source (tests). */
  readonly random?: () => number;
  /** Circuit breaker per endpoint (`outbound.breaker`; default on, Convoy's thresholds). */
  readonly breaker?: BreakerConfigInput;
  /** Size limit of HB_WEBHOOK_DELIVERY (default 1 GiB); when full, outcomes wait on HB_OUTCOMES. */
  readonly deliveryMaxBytes?: number;
  /** Redelivery delays of outcomes held back by a full delivery stream (default 5 s doubling to 60 s). */
  readonly backpressure?: Partial<BackpressureOptions>;
  /** Encryption of subscription credentials in KV (secret-box.ts); none = plain text with a warning. */
  readonly secretKeys?: SecretKeyOptions;
  /** Egress proxy for every attempt and OAuth2 token request (`outbound.proxy`, egress-proxy.ts); not used with `fetchImpl`/`httpClient`. */
  readonly proxy?: EgressProxyConfig;
}

function checkStaticEndpoints(endpoints: readonly EndpointConfig[], httpsOnly: boolean, logger: OutboundLogger): EndpointConfig[] {
  const seen = new Set<string>();
  const out: EndpointConfig[] = [];
  for (const ep of endpoints) {
    if (!ENDPOINT_ID_PATTERN.test(ep.id)) throw new HookbookError("HB_ERR_CONFIG_INVALID", `outbound endpoint id ${JSON.stringify(ep.id)}: use 1–64 of [A-Za-z0-9_-]`);
    if (seen.has(ep.id)) throw new HookbookError("HB_ERR_CONFIG_INVALID", `outbound endpoint id ${ep.id} is used twice`);
    seen.add(ep.id);
    if ((ep.signing ?? "standard") === "standard") parseWebhookSecret(ep.secret);
    else checkSecretFor(ep.signing ?? "standard", ep.secret, `outbound endpoint ${ep.id}: secret`);
    if (!/^https?:\/\//i.test(ep.url)) throw new HookbookError("HB_ERR_CONFIG_INVALID", `outbound endpoint ${ep.id}: url must be http:// or https://`);
    if (httpsOnly && !/^https:\/\//i.test(ep.url)) throw new HookbookError("HB_ERR_CONFIG_INVALID", `outbound endpoint ${ep.id}: outbound.ssrf.httpsOnly requires an https:// url`);
    for (const p of ep.events) {
      const err = eventPatternError(p);
      if (err !== undefined) throw new HookbookError("HB_ERR_CONFIG_INVALID", `outbound endpoint ${ep.id}: ${err}`);
    }
    if (ep.events.length === 0) logger.warn({ endpointId: ep.id }, "endpoint subscribes to no event types; it receives nothing");
    if (ep.rateLimit !== undefined) {
      const { requests, periodMs } = configRateLimit(ep.rateLimit);
      if (!Number.isInteger(requests) || requests < 1 || requests > RATE_LIMIT_MAX_REQUESTS) {
        throw new HookbookError("HB_ERR_CONFIG_INVALID", `outbound endpoint ${ep.id}: rateLimit.requests must be an integer between 1 and ${RATE_LIMIT_MAX_REQUESTS}`);
      }
      if (!Number.isInteger(periodMs) || periodMs < RATE_LIMIT_PERIOD.min || periodMs > RATE_LIMIT_PERIOD.max) {
        throw new HookbookError("HB_ERR_CONFIG_INVALID", `outbound endpoint ${ep.id}: rateLimit.period must be between 1s and 1h (ms, or "1s", "60s"), got ${JSON.stringify(ep.rateLimit.period)}`);
      }
    }
    const cert = ep.tls?.certPem === undefined ? null : clientCertInfo(ep.tls.certPem);
    if (cert && !(cert.notAfter > Date.now())) logger.warn({ endpointId: ep.id, certFile: ep.tls?.certFile, notAfter: new Date(cert.notAfter).toISOString() }, "the endpoint's client certificate has expired; its deliveries will likely fail TLS");
    out.push(ep);
  }
  return out;
}

export async function startOutbound(opts: OutboundOptions): Promise<OutboundService> {
  const { bus, logger } = opts;
  if (typeof bus.readMessages !== "function" || typeof bus.countMessages !== "function" || typeof bus.deleteConsumer !== "function") {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `the ${bus.kind} bus lacks readMessages/countMessages/deleteConsumer, which outbound delivery needs`);
  }
  const clock = opts.clock ?? systemClock;
  const schedule = resolveRetrySchedule(opts.retry);
  const breakerSettings = resolveBreakerSettings(opts.breaker);
  const policy = compileSsrfPolicy(opts.ssrf ?? { allow: [], httpsOnly: false });
  const proxy = opts.proxy === undefined ? undefined : compileEgressProxy(opts.proxy);
  if (proxy && (opts.fetchImpl || opts.httpClient)) logger.warn({ proxy: proxy.display }, "outbound.proxy is ignored: an injected fetch or HTTP client sends the webhooks");
  const lookupAll = opts.lookupAll ?? systemLookupAll;
  const staticEndpoints = checkStaticEndpoints(opts.staticEndpoints ?? [], policy.httpsOnly, logger);
  const defaults = { timeoutMs: opts.defaultTimeoutMs ?? OUTBOUND_DEFAULTS.timeoutMs, maxInFlight: opts.maxInFlight ?? OUTBOUND_DEFAULTS.maxInFlight };

  await bus.ensureStreams([...defaultStreams().filter((s) => s.name === STREAM_OUTCOMES), ...outboundStreams(retryHorizonMs(schedule), opts.deliveryMaxBytes)]);
  const box = openSecretBox(opts.secretKeys, logger);
  const idempotency = new IdempotencyStore(await bus.kv({ bucket: IDEMPOTENCY_BUCKET, ttlMs: IDEMPOTENCY_TTL_MS }), clock, box);
  const store = new SubscriptionStore(await bus.kv({ bucket: SUBSCRIPTIONS_BUCKET }), {
    box,
    onUnreadable: (id, err, kept) =>
      logger.error({ endpointId: id, code: err.code, error: err.message }, kept ? "webhook endpoint changed but cannot be decrypted; the last readable version stays in use" : "webhook endpoint skipped: its stored secrets cannot be decrypted"),
  });
  const resealed = await store.reseal();
  if (resealed > 0) logger.info({ endpoints: resealed }, "webhook subscription secrets sealed with the current key");
  const health = new HealthStore(await bus.kv({ bucket: HEALTH_BUCKET }), (o, m) => logger.warn(o, m));

  // API subscriptions go through the SSRF guard; config endpoints are the operator's own and skip the address check.
  const trustedPolicy = compileSsrfPolicy({ allow: ["0.0.0.0/0", "::/0"], httpsOnly: policy.httpsOnly });
  const clientFor = (p: typeof policy): WebhookHttpClient =>
    opts.httpClient ??
    (opts.fetchImpl ? createFetchHttpClient({ policy: p, fetchImpl: opts.fetchImpl, lookupAll }) : createGuardedHttpClient({ policy: p, lookupAll, ...(proxy ? { proxy } : {}) }));
  const http = clientFor(policy);
  const trustedHttp = clientFor(trustedPolicy);
  const registry = new EndpointRegistry();
  const late: { admin?: EndpointAdmin } = {};
  const breakers = new BreakerRegistry(breakerSettings, clock, {
    persist: (id, p) => health.setBreaker(id, p),
    transition: (id, t) => late.admin?.breakerChanged(id, t),
  });
  const metrics = createOutboundMetrics(
    () => {
      const all = registry.all();
      const disabled = all.filter((e) => e.sub.status === "disabled").length;
      return { enabled: all.length - disabled, disabled };
    },
    opts.metricsRegistry,
    () => registry.all().map((e) => [e.sub.id, breakers.state(e.sub.id)] as const),
  );

  const ctx: OutboundContext = {
    bus,
    clock,
    logger,
    registry,
    health,
    metrics,
    schedule,
    random: opts.random ?? Math.random,
    attemptDeps: {
      http,
      trustedHttp,
      tokens: new OAuth2TokenCache(http, clock),
      clock,
      defaultTimeoutMs: defaults.timeoutMs,
      responseExcerptBytes: opts.responseExcerptBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    },
    disableAfterMs: opts.disableAfterMs ?? OUTBOUND_DEFAULTS.disableAfterMs,
    breakers,
    limiter: new RateLimiter(clock),
    autoDisable: (id, reason, detail) => late.admin?.autoDisable(id, reason, detail) ?? Promise.resolve(),
  };
  const consumers = new EndpointConsumers(ctx, { defaultTimeoutMs: defaults.timeoutMs, maxInFlight: defaults.maxInFlight, drainTimeoutMs: opts.drainTimeoutMs ?? OUTBOUND_DEFAULTS.drainTimeoutMs });
  const admin = new EndpointAdmin({
    ctx,
    store,
    consumers,
    staticEndpoints,
    policy,
    lookupAll,
    ...(proxy ? { proxy } : {}),
    ids: opts.ids ?? randomIds,
    rotationGraceMs: opts.rotationGraceMs ?? OUTBOUND_DEFAULTS.rotationGraceMs,
  });
  late.admin = admin;

  let router: ConsumerHandle | undefined;
  try {
    await admin.reconcile();
    router = await startRouter(ctx, { ...BACKPRESSURE_DEFAULTS, ...opts.backpressure });
  } catch (err) {
    await consumers.stop();
    breakers.stop();
    ctx.limiter.stop();
    http.close();
    trustedHttp.close();
    throw err;
  }
  logger.info({ endpoints: registry.all().length, schedule, httpsOnly: policy.httpsOnly, breaker: breakerSettings, proxy: proxy?.display ?? null }, "outbound webhooks started");
  return new OutboundServiceImpl({ ctx, admin, consumers, router, http: [http, trustedHttp], defaults, ids: opts.ids ?? randomIds, idempotency, reconcileIntervalMs: opts.reconcileIntervalMs ?? OUTBOUND_DEFAULTS.reconcileIntervalMs });
}
