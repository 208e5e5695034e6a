/**
 * Endpoint lifecycle: create / update / delete / enable / disable / rotate for API
 * subscriptions (KV), enable / disable for config endpoints (state in the health bucket),
 * automatic disabling (410, failing too long) and the periodic reconcile that picks up what
 * other replicas changed. Registry updates are serialized by a lock; consumer changes
 * (starting, draining) happen after it is released, because draining waits for in-flight
 * handlers, which may themselves be disabling their endpoint.
 */
import type { EndpointConfig } from "../config/types.js";
import type { IdGen } from "../core/ids.js";
import type { EndpointConsumers } from "./endpoint-consumers.js";
import type { EndpointEntry } from "./endpoint-registry.js";
import type { OutboundContext } from "./outbound-context.js";
import { outboundError } from "./outbound-errors.js";
import { endpointDisabledEvent, publishOpsEvent } from "./ops-events.js";
import { generateWebhookSecret } from "./signer.js";
import type { LookupAll, SsrfPolicy } from "./ssrf-guard.js";
import { SsrfBlockedError, checkUrl } from "./ssrf-guard.js";
import type { DisabledReason, Subscription } from "./subscription.js";
import { subscriptionOfConfig } from "./subscription.js";
import type { RotateInput, SubscriptionInput, SubscriptionPatch } from "./subscription-input.js";
import { checkPatchedHeaders, checkSecretFor } from "./subscription-input.js";
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
        await checkUrl(this.d.policy, u, this.d.lookupAll);
      } catch (err) {
        if (err instanceof SsrfBlockedError) throw outboundError("urlForbidden", `${field}: ${err.message}`);
        throw err;
      }
    }
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
    const secret = input.secret ?? generateWebhookSecret();
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
          signing: input.signing,
          secret,
          previousSecrets: [],
          status: "enabled",
          ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
          ...(input.maxInFlight === undefined ? {} : { maxInFlight: input.maxInFlight }),
          createdAt: now,
          updatedAt: now,
        };
        if (await this.d.store.create(sub)) return this.d.ctx.registry.set(sub, "api");
      }
    });
    await this.d.consumers.sync(entry.sub.id);
    // No URL in logs: webhook URLs often carry a token (Slack, Teams).
    this.d.ctx.logger.info({ endpointId: entry.sub.id, events: entry.sub.events }, "webhook endpoint created");
    return { entry, secret };
  }

  async update(id: string, patch: SubscriptionPatch): Promise<EndpointEntry> {
    const cur = this.apiEntry(id, "changed");
    const auth = patch.auth === undefined ? cur.sub.auth : (patch.auth ?? undefined);
    await this.checkUrls(patch.url, patch.auth?.type === "oauth2" ? patch.auth.tokenUrl : undefined);
    const entry = await this.exclusive(async () => {
      const sub = await this.d.store.update(id, (s) => {
        const next: { -readonly [K in keyof Subscription]: Subscription[K] } = { ...s, updatedAt: this.d.ctx.clock.now() };
        if (patch.url !== undefined) next.url = patch.url;
        if (patch.events !== undefined) next.events = patch.events;
        if (patch.headers !== undefined) next.headers = patch.headers;
        if (patch.signing !== undefined) next.signing = patch.signing;
        if (patch.description === null) delete next.description;
        else if (patch.description !== undefined) next.description = patch.description;
        if (patch.auth === null) delete next.auth;
        else if (patch.auth !== undefined) next.auth = patch.auth;
        if (patch.filter === null) delete next.filter;
        else if (patch.filter !== undefined) next.filter = patch.filter;
        if (patch.timeoutMs === null) delete next.timeoutMs;
        else if (patch.timeoutMs !== undefined) next.timeoutMs = patch.timeoutMs;
        if (patch.maxInFlight === null) delete next.maxInFlight;
        else if (patch.maxInFlight !== undefined) next.maxInFlight = patch.maxInFlight;
        checkPatchedHeaders(next.headers, auth);
        if (patch.signing !== undefined) checkSecretFor(next.signing, next.secret, "secret (current, for the new signing scheme)");
        return next;
      });
      return this.d.ctx.registry.set(sub, "api");
    });
    await this.d.consumers.sync(id);
    return entry;
  }

  async remove(id: string): Promise<void> {
    this.apiEntry(id, "deleted");
    await this.exclusive(async () => {
      await this.d.store.delete(id);
      this.d.ctx.registry.delete(id);
    });
    await this.d.consumers.sync(id);
    await this.d.ctx.health.remove(id);
    this.d.ctx.logger.info({ endpointId: id }, "webhook endpoint deleted");
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
      return e.sub.status === "enabled" ? e : this.setStatus(e, "enabled");
    });
    await this.d.consumers.sync(id);
    this.d.ctx.logger.info({ endpointId: id }, "webhook endpoint enabled");
    return entry;
  }

  async disable(id: string): Promise<EndpointEntry> {
    const entry = await this.exclusive(async () => {
      const e = this.entry(id);
      return e.sub.status === "disabled" ? e : this.setStatus(e, "disabled", "manual");
    });
    await this.d.consumers.sync(id);
    this.d.ctx.logger.info({ endpointId: id }, "webhook endpoint disabled");
    return entry;
  }

  /** 410 Gone or failing too long: disable, emit endpoint.disabled, drain in the background. */
  async autoDisable(id: string, reason: "gone" | "failing", detail: Readonly<Record<string, unknown>>): Promise<void> {
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
    await publishOpsEvent(this.d.ctx.bus, endpointDisabledEvent({ id, source: entry.source }, reason, at, detail)).catch((err: unknown) =>
      this.d.ctx.logger.error({ endpointId: id, err }, "could not emit endpoint.disabled"),
    );
    void this.d.consumers.sync(id);
  }

  async rotateSecret(id: string, input: RotateInput): Promise<{ secret: string; previousExpiresAt: number }> {
    const cur = this.apiEntry(id, "rotated");
    const secret = input.secret ?? generateWebhookSecret();
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
      for (const e of ctx.registry.all()) if (e.source === "api" && !seen.has(e.sub.id)) ctx.registry.delete(e.sub.id);
    });
    const ids = new Set([...ctx.registry.all().map((e) => e.sub.id), ...this.d.consumers.ids()]);
    await Promise.all([...ids].map((id) => this.d.consumers.sync(id)));
  }
}
