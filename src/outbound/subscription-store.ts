/**
 * API subscriptions in the KV bucket `hb_webhooks` (one JSON value per endpoint id). Updates
 * are compare-and-set on the KV revision, retried a few times, so two admin calls (or two
 * hookbook replicas) never lose each other's change.
 */
import type { KvBucket } from "../bus/port.js";
import { decodeJson, encodeJson } from "../bus/port.js";
import { HookbookError } from "../core/errors.js";
import { outboundError } from "./outbound-errors.js";
import type { Subscription } from "./subscription.js";

const CAS_ATTEMPTS = 5;

export class SubscriptionStore {
  constructor(private readonly kv: KvBucket) {}

  async list(): Promise<Subscription[]> {
    const out: Subscription[] = [];
    for (const key of await this.kv.keys()) {
      const sub = await this.get(key);
      if (sub) out.push(sub);
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<Subscription | undefined> {
    const e = await this.kv.get(id);
    return e === undefined ? undefined : decodeJson<Subscription>(e.value);
  }

  /** False when the id exists already. */
  async create(sub: Subscription): Promise<boolean> {
    return this.kv.create(sub.id, encodeJson(sub));
  }

  /**
   * Apply `change` to the stored subscription and store the result (compare-and-set, retried).
   * Throws OUTBOUND_CODES.notFound when it does not exist; `change` may throw to refuse.
   */
  async update(id: string, change: (cur: Subscription) => Subscription): Promise<Subscription> {
    for (let i = 0; i < CAS_ATTEMPTS; i++) {
      const e = await this.kv.get(id);
      if (e === undefined) throw outboundError("notFound", `no webhook endpoint ${JSON.stringify(id)}`);
      const next = change(decodeJson<Subscription>(e.value));
      if (await this.kv.update(id, encodeJson(next), e.revision)) return next;
    }
    throw new HookbookError("HB_ERR_BUS_UNAVAILABLE", `webhook endpoint ${id} changed concurrently ${CAS_ATTEMPTS} times; try again`, { retryAfterMs: 1000 });
  }

  async delete(id: string): Promise<void> {
    await this.kv.delete(id);
  }
}
