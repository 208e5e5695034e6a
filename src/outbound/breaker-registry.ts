/**
 * The breakers of every endpoint (circuit-breaker.ts holds the state machine): the delivery
 * handler reports each attempt (`record`) and asks before one (`admit`: at once when closed,
 * held while open, one at a time when half-open); cooldown timers move open → half_open.
 * Every transition is persisted (`hooks.persist`, the health KV) before it is announced
 * (`hooks.transition`: consumer restart/stop, ops event, metrics). `adopt` takes a newer state
 * from KV (a restart, another replica); `reset` closes a breaker (manual enable/disable).
 */
import type { Clock, TimerHandle } from "../core/clock.js";
import type { BreakerSettings, BreakerStateName, BreakerTransition, BreakerView, PersistedBreaker } from "./circuit-breaker.js";
import { BreakerState } from "./circuit-breaker.js";

export interface BreakerHooks {
  /** Store the state; awaited before the transition is announced. */
  persist(id: string, p: PersistedBreaker): Promise<void>;
  /** After a transition was stored. */
  transition(id: string, t: BreakerTransition): void;
}

export interface Permit {
  release(): void;
}

/** What `admit` answers: go ahead (release the permit after recording the result), or the wait was aborted. */
export type Admission = Permit | "aborted";

const FREE: Permit = { release: () => undefined };

interface Waiter {
  readonly resolve: (a: Admission) => void;
  readonly cleanup: () => void;
}

interface Probe {
  busy: boolean;
  readonly waiters: Waiter[];
}

export class BreakerRegistry {
  private readonly states = new Map<string, BreakerState>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly probes = new Map<string, Probe>();
  private stopped = false;

  constructor(
    readonly settings: BreakerSettings,
    private readonly clock: Clock,
    private readonly hooks: BreakerHooks,
  ) {}

  private get(id: string): BreakerState {
    let b = this.states.get(id);
    if (!b) {
      b = new BreakerState(this.settings);
      this.states.set(id, b);
    }
    return b;
  }

  state(id: string): BreakerStateName {
    return this.settings.enabled ? (this.states.get(id)?.state ?? "closed") : "closed";
  }

  view(id: string): BreakerView {
    return this.states.get(id)?.view() ?? { state: "closed", consecutive_failures: 0 };
  }

  /** ms until an open breaker half-opens (0 when not open). */
  retryInMs(id: string): number {
    const b = this.states.get(id);
    return b?.state === "open" && b.retryAt !== undefined ? Math.max(0, b.retryAt - this.clock.now()) : 0;
  }

  /** [endpoint id, state] of every breaker known (metrics). */
  entries(): [string, BreakerStateName][] {
    return [...this.states].map(([id, b]) => [id, b.state]);
  }

  /** The result of one attempt of the endpoint. */
  async record(id: string, ok: boolean): Promise<void> {
    if (!this.settings.enabled || this.stopped) return;
    const b = this.get(id);
    const t = b.record(ok, this.clock.now());
    if (t) await this.apply(id, b, t);
  }

  private async apply(id: string, b: BreakerState, t: BreakerTransition): Promise<void> {
    if (t.kind === "opened") this.arm(id, b);
    else this.disarm(id);
    this.pump(id);
    await this.hooks.persist(id, b.persisted());
    if (!this.stopped) this.hooks.transition(id, t);
  }

  private arm(id: string, b: BreakerState): void {
    this.disarm(id);
    if (this.stopped) return;
    const timer = this.clock.setTimer(Math.max(0, (b.retryAt ?? 0) - this.clock.now()), () => {
      this.timers.delete(id);
      if (this.states.get(id) !== b) return;
      const t = b.halfOpen(this.clock.now());
      if (t) void this.apply(id, b, t);
    });
    this.timers.set(id, timer);
  }

  private disarm(id: string): void {
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
  }

  /**
   * Before an attempt: closed → at once; open → wait until it half-opens; half-open → one
   * attempt at a time (the next waiter goes when the permit is released); an abort ends the wait.
   */
  admit(id: string, signal?: AbortSignal): Admission | Promise<Admission> {
    if (signal?.aborted || this.stopped) return "aborted";
    const state = this.state(id);
    if (state === "closed") return FREE;
    let probe = this.probes.get(id);
    if (!probe) {
      probe = { busy: false, waiters: [] };
      this.probes.set(id, probe);
    }
    if (state === "half_open" && !probe.busy) {
      probe.busy = true;
      return this.permit(id, probe);
    }
    const p = probe;
    return new Promise<Admission>((resolve) => {
      const onAbort = (): void => {
        const i = p.waiters.indexOf(waiter);
        if (i >= 0) p.waiters.splice(i, 1);
        resolve("aborted");
      };
      const waiter: Waiter = { resolve, cleanup: () => signal?.removeEventListener("abort", onAbort) };
      signal?.addEventListener("abort", onAbort, { once: true });
      p.waiters.push(waiter);
    });
  }

  private permit(id: string, probe: Probe): Permit {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        probe.busy = false;
        this.pump(id);
      },
    };
  }

  /** Hand the half-open probe slot to the next waiter; closed (or stopped) releases every waiter; open keeps them. */
  private pump(id: string): void {
    const probe = this.probes.get(id);
    if (!probe) return;
    const state = this.stopped ? "stopped" : this.state(id);
    if (state === "closed" || state === "stopped") {
      for (const w of probe.waiters.splice(0)) {
        w.cleanup();
        w.resolve(state === "closed" ? FREE : "aborted");
      }
      if (!probe.busy) this.probes.delete(id);
      return;
    }
    if (state === "open" || probe.busy) return;
    const next = probe.waiters.shift();
    if (!next) return;
    probe.busy = true;
    next.cleanup();
    next.resolve(this.permit(id, probe));
  }

  /**
   * A stored state (start, reconcile): taken when newer than ours. No event is emitted (whoever
   * made the transition did); an open breaker gets its cooldown timer, one past its retry time
   * half-opens now.
   */
  async adopt(id: string, p: PersistedBreaker | undefined): Promise<void> {
    if (!this.settings.enabled || this.stopped || p === undefined) return;
    const cur = this.states.get(id);
    if (cur && cur.changedAt >= p.changedAt) return;
    const b = this.get(id);
    b.restore(p);
    if (b.state === "open") {
      if ((b.retryAt ?? 0) <= this.clock.now()) {
        const t = b.halfOpen(this.clock.now());
        if (t) await this.apply(id, b, t);
        return;
      }
      this.arm(id, b);
    } else {
      this.disarm(id);
    }
    this.pump(id);
  }

  /** Close the breaker (manual enable / disable); stored so other replicas follow. */
  async reset(id: string): Promise<void> {
    const b = this.states.get(id);
    this.disarm(id);
    if (!b || b.state === "closed") {
      if (b) b.consecutiveFailures = 0;
      return;
    }
    b.close(this.clock.now());
    b.consecutiveFailures = 0;
    this.pump(id);
    await this.hooks.persist(id, b.persisted());
  }

  /** The endpoint is gone. */
  forget(id: string): void {
    this.disarm(id);
    this.states.delete(id);
    this.pump(id);
  }

  /** Cancel every cooldown timer and release every waiting handler ("aborted"). */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    for (const id of [...this.probes.keys()]) this.pump(id);
  }
}
