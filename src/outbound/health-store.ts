/**
 * Per-endpoint health in the KV bucket `hb_webhook_health`: since when the endpoint has been
 * failing without a success in between (auto-disable), its last success, and for config
 * endpoints the enabled/disabled state (their definition lives in the config file).
 *
 * Reads are served from memory; KV is written on transitions only (first failure, first
 * success after failures, at most once a minute for the last-success time, state changes), so
 * a healthy endpoint costs no KV write per delivery. `refresh()` reloads what other replicas
 * wrote.
 */
import type { KvBucket } from "../bus/port.js";
import { decodeJson, encodeJson } from "../bus/port.js";
import type { DisabledReason, EndpointStatus } from "./subscription.js";

export interface EndpointHealth {
  /** First failed attempt since the last success (ms since epoch). */
  readonly failingSince?: number;
  readonly lastSuccessAt?: number;
  readonly lastFailureAt?: number;
  /** Config endpoints only: their state. */
  readonly status?: EndpointStatus;
  readonly disabledReason?: DisabledReason;
  readonly disabledAt?: number;
}

const LAST_SUCCESS_WRITE_EVERY_MS = 60_000;

export class HealthStore {
  private readonly mem = new Map<string, EndpointHealth>();
  private readonly persistedSuccess = new Map<string, number>();

  constructor(
    private readonly kv: KvBucket,
    private readonly warn: (obj: object, msg: string) => void,
  ) {}

  async refresh(): Promise<void> {
    for (const key of await this.kv.keys()) {
      const e = await this.kv.get(key);
      if (e) this.mem.set(key, decodeJson<EndpointHealth>(e.value));
    }
  }

  get(id: string): EndpointHealth {
    return this.mem.get(id) ?? {};
  }

  private async write(id: string, h: EndpointHealth): Promise<void> {
    this.mem.set(id, h);
    try {
      await this.kv.put(id, encodeJson(h));
    } catch (err) {
      this.warn({ endpointId: id, err }, "could not store endpoint health");
    }
  }

  /** A failed attempt; returns since when the endpoint has been failing. */
  async recordFailure(id: string, at: number): Promise<number> {
    const cur = this.get(id);
    if (cur.failingSince !== undefined) {
      this.mem.set(id, { ...cur, lastFailureAt: at });
      return cur.failingSince;
    }
    await this.write(id, { ...cur, failingSince: at, lastFailureAt: at });
    return at;
  }

  async recordSuccess(id: string, at: number): Promise<void> {
    const cur = this.get(id);
    const { failingSince: _f, ...rest } = cur;
    const next: EndpointHealth = { ...rest, lastSuccessAt: at };
    const persisted = this.persistedSuccess.get(id) ?? 0;
    if (cur.failingSince !== undefined || at - persisted >= LAST_SUCCESS_WRITE_EVERY_MS) {
      this.persistedSuccess.set(id, at);
      await this.write(id, next);
    } else {
      this.mem.set(id, next);
    }
  }

  /** Forget the failure marker (an endpoint being enabled again starts with a clean slate). */
  async clearFailures(id: string): Promise<void> {
    const { failingSince: _f, ...rest } = this.get(id);
    await this.write(id, rest);
  }

  async setState(id: string, state: { status: EndpointStatus; disabledReason?: DisabledReason; disabledAt?: number }): Promise<void> {
    const { status: _s, disabledReason: _r, disabledAt: _a, ...rest } = this.get(id);
    await this.write(id, { ...rest, ...state });
  }

  async remove(id: string): Promise<void> {
    this.mem.delete(id);
    this.persistedSuccess.delete(id);
    await this.kv.delete(id).catch((err: unknown) => this.warn({ endpointId: id, err }, "could not delete endpoint health"));
  }
}
