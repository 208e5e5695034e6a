/**
 * Endpoint lifecycle: create / update / delete / enable / disable / rotate for API
 * subscriptions (KV), enable / disable for config endpoints (state in the health bucket),
 * automatic disabling (410, failing too long, the receiver's `webhook-delivery: disable`), the
 * circuit breaker's transitions (endpoint.circuit_* events) and the periodic reconcile that picks up what other replicas changed. API changes
 * emit endpoint.created / updated / deleted; a manual enable, disable or delete resets the
 * breaker. Registry updates are serialized by a lock; consumer changes
 * (starting, draining) happen after it is released, because draining waits for in-flight
 * handlers, which may themselves be disabling their endpoint.
 */
import type { EndpointConfig } from "../config/types.js";
import type { IdGen } from "../core/ids.js";
import type { OutcomeMessage } from "../core/outcome.js";
import type { BreakerTransition } from "./circuit-breaker.js";
import type { EndpointConsumers } from "./endpoint-consumers.js";
import type { EndpointEntry } from "./endpoint-registry.js";
import type { OutboundContext } from "./outbound-context.js";
import { outboundError } from "./outbound-errors.js";
import type { EndpointLifecycleType } from "./ops-events.js";
import { CIRCUIT_CLOSED, CIRCUIT_OPENED, ENDPOINT_CREATED, ENDPOINT_DELETED, ENDPOINT_UPDATED, circuitEvent, endpointDisabledEvent, endpointLifecycleEvent, publishOpsEvent } from "./ops-events.js";
import type { LookupAll, SsrfPolicy } from "./ssrf-guard.js";
import { SsrfBlockedError, checkUrl } from "./ssrf-guard.js";
import type { EgressProxy } from "./egress-proxy.js";
import { isProxied } from "./egress-proxy.js";
import type { DisabledReason, Subscription } from "./subscription.js";
import { subscriptionOfConfig } from "./subscription.js";
import type { RotateInput, SubscriptionInput, SubscriptionPatch } from "./subscription-input.js";
import { checkPatchedHeaders, checkSecretFor, checkTlsUrl, generateSecretFor, isAsymmetric } from "./subscription-input.js";
import type { SubscriptionStore } from "./subscription-store.js";

/** Old secrets kept signing after rotations, at most. */
export const MAX_RETIRED_SECRETS = 10;

export interface AdminDeps {
  readonly ctx: OutboundContext;
  readonly store: SubscriptionStore;
  readonly consumers: EndpointConsumers;
  readonly staticEndpoints: readonly EndpointConfig[];
  readonly policy: SsrfPolicy;
  readonly lookupAll: LookupAll;
  /** With an egress proxy the proxy resolves proxied hosts: only their URL and address literals are checked here. */
  readonly proxy?: EgressProxy;
  readonly ids: IdGen;
  readonly rotationGraceMs: number;
}

export class EndpointAdmin {
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: AdminDeps) {}

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** The entry, or OUTBOUND_CODES.notFound. */
  entry(id: string): EndpointEntry {
    const e = this.d.ctx.registry.get(id);
    if (!e) throw outboundError("notFound", `no webhook endpoint ${JSON.stringify(id)}`);
    return e;
  }

  private apiEntry(id: string, what: string): EndpointEntry {
    const e = this.entry(id);
    if (e.source === "config") throw outboundError("readOnly", `endpoint ${id} comes from the config file and cannot be ${what} through the API`);
    return e;
  }

  private async checkUrls(url: string | undefined, tokenUrl: string | undefined): Promise<void> {
    for (const [field, u] of [["url", url], ["auth.token_url", tokenUrl]] as const) {
      if (u === undefined) continue;
      try {
        if (this.d.proxy !== undefined && isProxied(this.d.proxy, this.d.policy, u)) continue;
        await checkUrl(this.d.policy, u, this.d.lookupAll);
      } catch (err) {
        if (err instanceof SsrfBlockedError) throw outboundError("urlForbidden", `${field}: ${err.message}`);
        throw err;
      }
    }
  }

  /** Emit an operational event; a failure is logged, never fails the caller. */
  private async emit(event: OutcomeMessage, endpointId: string): Promise<void> {
    await publishOpsEvent(this.d.ctx.bus, event).catch((err: unknown) => this.d.ctx.logger.error({ endpointId, err }, `could not emit ${event.type}`));
  }

  private lifecycle(type: EndpointLifecycleType, entry: EndpointEntry, detail: Readonly<Record<string, unknown>> = {}): Promise<void> {
    const e = endpointLifecycleEvent(type, { id: entry.sub.id, source: entry.source, url: entry.sub.url }, this.d.ctx.clock.now(), this.d.ids.uuid().slice(0, 8), detail);
    return this.emit(e, entry.sub.id);
  }

  private newId(): string {
    for (;;) {
      const id = `ep_${this.d.ids.uuid().replace(/-/g, "").slice(0, 24)}`;
      if (!this.d.ctx.registry.get(id)) return id;
    }
  }

  async create(input: SubscriptionInput): Promise<{ entry: EndpointEntry; secret: string }> {
    await this.checkUrls(input.url, input.auth?.type === "oauth2" ? input.auth.tokenUrl : undefined);
    const now = this.d.ctx.clock.now();
    const secret = input.secret ?? generateSecretFor(input.signing);
    const entry = await this.exclusive(async () => {
      for (;;) {
        const sub: Subscription = {
          id: this.newId(),
          url: input.url,
          events: input.events,
          ...(input.filter === undefined ? {} : { filter: input.filter }),
          ...(input.description === undefined ? {} : { description: input.description }),
          headers: input.headers,
          ...(input.auth === undefined ? {} : { auth: input.auth }),
          ...(input.tls === undefined ? {} : { tls: input.tls }),
          signing: input.signing,
          secret,
          previousSecrets: [],
          status: "enabled",
          ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
          ...(input.maxInFlight === undefined ? {} : { maxInFlight: input.maxInFlight }),
          ...(input.rateLimit === undefined ? {} : { rateLimit: input.rateLimit }),
          ...(input.transform === undefined ? {} : { transform: input.transform }),
          ...(input.deliveryMode === undefined || input.deliveryMode === "at_least_once" ? {} : { deliveryMode: input.deliveryMode }),
          createdAt: now,
          updatedAt: now,
        };
        if (await this.d.store.create(sub)) return this.d.ctx.registry.set(sub, "api");
      }
    });
    await this.d.consumers.sync(entry.sub.id);
    // No URL in logs: webhook URLs often carry a token (Slack, Teams).
    this.d.ctx.logger.info({ endpointId: entry.sub.id, events: entry.sub.events }, "webhook endpoint created");
    await this.lifecycle(ENDPOINT_CREATED, entry);
    return { entry, secret };
  }

  async update(id: string, patch: SubscriptionPatch): Promise<EndpointEntry> {
    const cur = this.apiEntry(id, "changed");
    const auth = patch.auth === undefined ? cur.sub.auth : (patch.auth ?? undefined);
    await this.checkUrls(patch.url, patch.auth?.type === "oauth2" ? patch.auth.tokenUrl : undefined);
    const entry = await this.exclusive(async () => {
      const now = this.d.ctx.clock.now();
      const sub = await this.d.store.update(id, (s) => {
        const next: { -readonly [K in keyof Subscription]: Subscription[K] } = { ...s, updatedAt: now };
        if (patch.url !== undefined) next.url = patch.url;
        if (patch.events !== undefined) next.events = patch.events;
        if (patch.headers !== undefined) next.headers = patch.headers;
        if (patch.signing !== undefined) next.signing = patch.signing;
        if (patch.description === null) delete next.description;
        else if (patch.description !== undefined) next.description = patch.description;
        if (patch.auth === null) delete next.auth;
        else if (patch.auth !== undefined) next.auth = patch.auth;
        if (patch.tls === null) delete next.tls;
        else if (patch.tls !== undefined) next.tls = patch.tls;
        checkTlsUrl(next.url, next.tls);
        if (patch.filter === null) delete next.filter;
        else if (patch.filter !== undefined) next.filter = patch.filter;
        if (patch.timeoutMs === null) delete next.timeoutMs;
        else if (patch.timeoutMs !== undefined) next.timeoutMs = patch.timeoutMs;
        if (patch.maxInFlight === null) delete next.maxInFlight;
        else if (patch.maxInFlight !== undefined) next.maxInFlight = patch.maxInFlight;
        if (patch.rateLimit === null) delete next.rateLimit;
        else if (patch.rateLimit !== undefined) next.rateLimit = patch.rateLimit;
        if (patch.transform === null) delete next.transform;
        else if (patch.transform !== undefined) next.transform = patch.transform;
        if (patch.deliveryMode === null || patch.deliveryMode === "at_least_once") delete next.deliveryMode;
        else if (patch.deliveryMode !== undefined) next.deliveryMode = patch.deliveryMode;
        checkPatchedHeaders(next.headers, auth);
        if (patch.signing !== undefined && isAsymmetric(next.signing) !== isAsymmetric(s.signing)) switchKeyFamily(next, s, now, this.d.rotationGraceMs);
        if (patch.signing !== undefined) checkSecretFor(next.signing, next.secret, "secret (current, for the new signing scheme)");
        return next;
      });
      return this.d.ctx.registry.set(sub, "api");
    });
    await this.d.consumers.sync(id);
    await this.lifecycle(ENDPOINT_UPDATED, entry, { fields: patchedFields(patch) });
    return entry;
  }

  async remove(id: string): Promise<void> {
    const gone = this.apiEntry(id, "deleted");
    await this.exclusive(async () => {
      await this.d.store.delete(id);
      this.d.ctx.registry.delete(id);
    });
    // After the registry change: messages the breaker held see the endpoint gone, not a go-ahead.
    this.d.ctx.breakers.forget(id);
    await this.d.consumers.sync(id);
    await this.d.ctx.health.remove(id);
    this.d.ctx.logger.info({ endpointId: id }, "webhook endpoint deleted");
    await this.lifecycle(ENDPOINT_DELETED, gone);
  }

  /** Store a status for an API or config endpoint and update the registry (inside the lock). */
  private async setStatus(entry: EndpointEntry, status: "enabled" | "disabled", reason?: DisabledReason): Promise<EndpointEntry> {
    const now = this.d.ctx.clock.now();
    const state = status === "enabled" ? { status } : { status, disabledReason: reason ?? "manual", disabledAt: now };
    if (entry.source === "config") {
      await this.d.ctx.health.setState(entry.sub.id, state);
      return this.d.ctx.registry.set({ ...entry.sub, ...state, ...(status === "enabled" ? { disabledReason: undefined, disabledAt: undefined } : {}) }, "config");
    }
    const sub = await this.d.store.update(entry.sub.id, (s) => {
      const { disabledReason: _r, disabledAt: _a, ...rest } = s;
      return { ...rest, ...state, updatedAt: now };
    });
    return this.d.ctx.registry.set(sub, "api");
  }

  async enable(id: string): Promise<EndpointEntry> {
    const entry = await this.exclusive(async () => {
      const e = this.entry(id);
      await this.d.ctx.health.clearFailures(id);
      await this.d.ctx.breakers.reset(id);
      return e.sub.status === "enabled" ? e : this.setStatus(e, "enabled");
    });
    await this.d.consumers.sync(id);
    this.d.ctx.logger.info({ endpointId: id }, "webhook endpoint enabled");
    await this.lifecycle(ENDPOINT_UPDATED, entry, { fields: ["status"], status: "enabled" });
    return entry;
  }

  async disable(id: string): Promise<EndpointEntry> {
    const entry = await this.exclusive(async () => {
      const e = this.entry(id);
      const next = e.sub.status === "disabled" ? e : await this.setStatus(e, "disabled", "manual");
      // After the status change: messages the breaker held see the endpoint disabled, not a go-ahead.
      await this.d.ctx.breakers.reset(id);
      return next;
    });
    await this.d.consumers.sync(id);
    this.d.ctx.logger.info({ endpointId: id }, "webhook endpoint disabled");
    await this.lifecycle(ENDPOINT_UPDATED, entry, { fields: ["status"], status: "disabled" });
    return entry;
  }

  /** 410 Gone, failing too long or the receiver's `webhook-delivery: disable`: disable, emit endpoint.disabled, drain in the background. */
  async autoDisable(id: string, reason: Exclude<DisabledReason, "manual">, detail: Readonly<Record<string, unknown>>): Promise<void> {
    const entry = this.d.ctx.registry.get(id);
    if (!entry || entry.sub.status === "disabled") return;
    const at = this.d.ctx.clock.now();
    // In memory first: other in-flight messages of this endpoint see it at once.
    this.d.ctx.registry.set({ ...entry.sub, status: "disabled", disabledReason: reason, disabledAt: at }, entry.source);
    this.d.ctx.logger.error({ endpointId: id, reason, ...detail }, "webhook endpoint disabled automatically");
    await this.exclusive(async () => {
      const cur = this.d.ctx.registry.get(id);
      if (cur) await this.setStatus(cur, "disabled", reason);
    }).catch((err: unknown) => this.d.ctx.logger.error({ endpointId: id, err }, "could not store the disabled state"));
    await this.emit(endpointDisabledEvent({ id, source: entry.source }, reason, at, detail), id);
    void this.d.consumers.sync(id);
  }

  /** A breaker transition (already stored): emit endpoint.circuit_*, count and log it. */
  breakerChanged(id: string, t: BreakerTransition): void {
    const entry = this.d.ctx.registry.get(id);
    if (!entry) return;
    const source = { id, source: entry.source };
    const iso = (ms: number): string => new Date(ms).toISOString();
    if (t.kind === "opened") {
      this.d.ctx.metrics.breakerOpens.inc({ endpoint: id });
      const detail = {
        reason: t.reason,
        opened_at: iso(t.openedAt),
        retry_at: iso(t.retryAt),
        consecutive_failures: t.consecutiveFailures,
        consecutive_opens: t.consecutiveOpens,
        window_attempts: t.windowAttempts,
        window_failures: t.windowFailures,
      };
      this.d.ctx.logger.warn({ endpointId: id, ...detail }, "webhook endpoint circuit breaker opened");
      void this.emit(circuitEvent(CIRCUIT_OPENED, source, t.openedAt, detail), id);
    } else if (t.kind === "closed") {
      const detail = { closed_at: iso(t.at), ...(t.openedAt === undefined ? {} : { opened_at: iso(t.openedAt) }) };
      this.d.ctx.logger.info({ endpointId: id, ...detail }, "webhook endpoint circuit breaker closed");
      void this.emit(circuitEvent(CIRCUIT_CLOSED, source, t.at, detail), id);
    } else {
      this.d.ctx.logger.info({ endpointId: id }, "webhook endpoint circuit breaker half-open: trying one message at a time");
    }
  }

  async rotateSecret(id: string, input: RotateInput): Promise<{ secret: string; previousExpiresAt: number }> {
    const cur = this.apiEntry(id, "rotated");
    const secret = input.secret ?? generateSecretFor(cur.sub.signing);
    checkSecretFor(cur.sub.signing, secret);
    const now = this.d.ctx.clock.now();
    const expiresAt = now + (input.graceMs ?? this.d.rotationGraceMs);
    await this.exclusive(async () => {
      const sub = await this.d.store.update(id, (s) => {
        const retired = [{ secret: s.secret, expiresAt }, ...s.previousSecrets].filter((r) => r.expiresAt > now).slice(0, MAX_RETIRED_SECRETS);
        return { ...s, secret, previousSecrets: retired, updatedAt: now };
      });
      this.d.ctx.registry.set(sub, "api");
    });
    this.d.ctx.logger.info({ endpointId: id, previousExpiresAt: new Date(expiresAt).toISOString() }, "webhook secret rotated");
    await this.lifecycle(ENDPOINT_UPDATED, this.entry(id), { fields: ["secret"] });
    return { secret, previousExpiresAt: expiresAt };
  }

  /** Reload endpoints from config + KV (changes by other replicas) and bring consumers in line. */
  async reconcile(): Promise<void> {
    const { ctx } = this.d;
    await this.exclusive(async () => {
      await ctx.health.refresh();
      const staticIds = new Set<string>();
      for (const ep of this.d.staticEndpoints) {
        const h = ctx.health.get(ep.id);
        const state = h.status === "disabled" ? { status: "disabled" as const, ...(h.disabledReason ? { disabledReason: h.disabledReason } : {}), ...(h.disabledAt ? { disabledAt: h.disabledAt } : {}) } : { status: "enabled" as const };
        ctx.registry.set(subscriptionOfConfig(ep, state), "config");
        staticIds.add(ep.id);
      }
      const seen = new Set<string>();
      for (const sub of await this.d.store.list()) {
        if (staticIds.has(sub.id)) {
          ctx.logger.warn({ endpointId: sub.id }, "API endpoint has the id of a config endpoint; ignored");
          continue;
        }
        seen.add(sub.id);
        ctx.registry.set(sub, "api");
      }
      for (const e of ctx.registry.all()) {
        if (e.source === "api" && !seen.has(e.sub.id)) {
          ctx.registry.delete(e.sub.id);
          ctx.breakers.forget(e.sub.id);
        }
      }
      // A breaker stored by an earlier run (restart) or another replica.
      for (const e of ctx.registry.all()) await ctx.breakers.adopt(e.sub.id, ctx.health.get(e.sub.id).breaker);
    });
    const ids = new Set([...ctx.registry.all().map((e) => e.sub.id), ...this.d.consumers.ids()]);
    await Promise.all([...ids].map((id) => this.d.consumers.sync(id)));
  }
}

/**
 * A PATCH of `signing` between an HMAC scheme and ed25519: the current secret cannot sign in the
 * new scheme, so a fresh one of the new kind is generated (GET …/secret shows it). Between
 * `standard` and `ed25519` (both in `webhook-signature`) the old secret keeps signing beside it
 * for the rotation grace period (`v1` and `v1a` entries in one header), so receivers can switch
 * keys; the compat header cannot carry v1a, so `hmac-sha256-hex` ↔ `ed25519` switches at once.
 */
function switchKeyFamily(next: { -readonly [K in keyof Subscription]: Subscription[K] }, prev: Subscription, now: number, graceMs: number): void {
  next.secret = generateSecretFor(next.signing);
  const bothStandardHeader = next.signing !== "hmac-sha256-hex" && prev.signing !== "hmac-sha256-hex";
  next.previousSecrets = bothStandardHeader
    ? [{ secret: prev.secret, expiresAt: now + graceMs }, ...prev.previousSecrets].filter((r) => r.expiresAt > now).slice(0, MAX_RETIRED_SECRETS)
    : [];
}

/** The API names of the fields a PATCH changed. */
function patchedFields(patch: SubscriptionPatch): string[] {
  const names: Partial<Record<keyof SubscriptionPatch, string>> = {
    url: "url",
    events: "events",
    description: "description",
    headers: "headers",
    auth: "auth",
    filter: "filter",
    signing: "signing",
    timeoutMs: "timeout_ms",
    maxInFlight: "max_in_flight",
    rateLimit: "rate_limit",
    deliveryMode: "delivery_mode",
  };
  return (Object.keys(patch) as (keyof SubscriptionPatch)[]).filter((k) => patch[k] !== undefined).map((k) => names[k] ?? k);
}
