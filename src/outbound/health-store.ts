/**
 * Per-endpoint health in the KV bucket `hb_webhook_health`: since when the endpoint has been
 * failing without a success in between (auto-disable), its last success, its circuit breaker
 * (circuit-breaker.ts), the attempts made so far of its messages waiting for a retry (a message
 * can be redelivered without an attempt — a consumer stop, an open breaker — so the bus's
 * delivery count is not the attempt number), and for config endpoints the enabled/disabled state
 * (their definition lives in the config file).
 *
 * Reads are served from memory; KV is written on transitions only (first failure, first
 * success after failures, at most once a minute for the last-success time, breaker and state
 * changes, a failed attempt of a message), so a healthy endpoint costs no KV write per delivery. Writes of
 * one endpoint are serialized and always store the newest value. `refresh()` reloads what other
 * replicas wrote.
 */
import type { KvBucket } from "../bus/port.js";
import { decodeJson, encodeJson } from "../bus/port.js";
import type { PersistedBreaker } from "./circuit-breaker.js";
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
  readonly breaker?: PersistedBreaker;
  /** Delivery-stream sequence → attempts made of that message (failed ones: it waits for a retry). */
  readonly attempts?: Readonly<Record<string, number>>;
}

const LAST_SUCCESS_WRITE_EVERY_MS = 60_000;
/**
 * Attempt counters kept per endpoint (the oldest messages go first). A message waiting for a
 * retry holds one of the endpoint's in-flight slots, so there are rarely more than max_in_flight.
 */
const MAX_ATTEMPT_ENTRIES = 512;

export class HealthStore {
  private readonly mem = new Map<string, EndpointHealth>();
  private readonly persistedSuccess = new Map<string, number>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly kv: KvBucket,
    private readonly warn: (obj: object, msg: string) => void,
  ) {}

  async refresh(): Promise<void> {
    for (const key of await this.kv.keys()) {
      // A write of ours still under way is newer than what KV holds.
      if (this.chains.has(key)) continue;
      const e = await this.kv.get(key);
      if (e && !this.chains.has(key)) this.mem.set(key, decodeJson<EndpointHealth>(e.value));
    }
  }

  get(id: string): EndpointHealth {
    return this.mem.get(id) ?? {};
  }

  /** Set the value in memory and store it; concurrent writes of one id store the newest value, in order. */
  private async write(id: string, h: EndpointHealth): Promise<void> {
    this.mem.set(id, h);
    const next = (this.chains.get(id) ?? Promise.resolve()).then(async () => {
      const cur = this.mem.get(id);
      if (cur === undefined) return;
      try {
        await this.kv.put(id, encodeJson(cur));
      } catch (err) {
        this.warn({ endpointId: id, err }, "could not store endpoint health");
      }
    });
    this.chains.set(id, next);
    await next;
    if (this.chains.get(id) === next) this.chains.delete(id);
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

  async setBreaker(id: string, breaker: PersistedBreaker): Promise<void> {
    await this.write(id, { ...this.get(id), breaker });
  }

  /** Attempts made so far of message `seq` (undefined when none is recorded). */
  attemptsMade(id: string, seq: number): number | undefined {
    return this.mem.get(id)?.attempts?.[String(seq)];
  }

  /** Attempt `n` of message `seq` failed and it waits for the next one. */
  async recordAttempt(id: string, seq: number, n: number): Promise<void> {
    const cur = this.get(id);
    const attempts: Record<string, number> = { ...cur.attempts, [String(seq)]: n };
    const keys = Object.keys(attempts);
    if (keys.length > MAX_ATTEMPT_ENTRIES) for (const k of keys.sort((a, b) => Number(a) - Number(b)).slice(0, keys.length - MAX_ATTEMPT_ENTRIES)) delete attempts[k];
    await this.write(id, { ...cur, attempts });
  }

  /** Message `seq` is settled for good (delivered, dead-lettered): forget its counter. */
  async clearAttempts(id: string, seq: number): Promise<void> {
    const cur = this.get(id);
    if (cur.attempts?.[String(seq)] === undefined) return;
    const { [String(seq)]: _gone, ...attempts } = cur.attempts;
    const { attempts: _a, ...rest } = cur;
    await this.write(id, Object.keys(attempts).length === 0 ? rest : { ...rest, attempts });
  }

  async remove(id: string): Promise<void> {
    this.mem.delete(id);
    this.persistedSuccess.delete(id);
    await this.chains.get(id);
    await this.kv.delete(id).catch((err: unknown) => this.warn({ endpointId: id, err }, "could not delete endpoint health"));
  }
}
