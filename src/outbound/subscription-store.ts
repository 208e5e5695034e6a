/**
 * API subscriptions in the KV bucket `hb_webhooks` (one JSON value per endpoint id). Updates
 * are compare-and-set on the KV revision, retried a few times, so two admin calls (or two
 * hookbook replicas) never lose each other's change.
 *
 * With a SecretBox the credentials of a subscription are sealed in the stored JSON (signing
 * secret, retired secrets, API key value, OAuth2 client secret, TLS private key, values of
 * credential-looking headers: secret-box.ts); every write seals with the current key, so a
 * rotated key takes over on the next write (and `reseal()` at start). A subscription that
 * cannot be opened (key not configured, value altered) is reported once per stored revision and
 * skipped by `list()` — unless this store read an earlier revision of it: then that one is
 * listed still (a replica whose key config lags behind keeps delivering instead of dropping the
 * endpoint and its queue). `get()`/`update()` throw HB_ERR_CONFIG_INVALID naming it.
 */
import type { KvBucket } from "../bus/port.js";
import { decodeJson, encodeJson } from "../bus/port.js";
import { HookbookError } from "../core/errors.js";
import { outboundError } from "./outbound-errors.js";
import type { SecretBox } from "./secret-box.js";
import { SecretBoxError, isSealed } from "./secret-box.js";
import type { Subscription } from "./subscription.js";
import { SENSITIVE_HEADER } from "./subscription-view.js";

const CAS_ATTEMPTS = 5;

export interface SubscriptionStoreOptions {
  /** Seal credentials at rest; without it they are stored in plain text. */
  readonly box?: SecretBox;
  /** A stored subscription cannot be read (called once per stored revision); `keptPrevious` when an earlier readable revision is listed instead. */
  readonly onUnreadable?: (id: string, err: HookbookError, keptPrevious: boolean) => void;
}

/** `sub` with every credential passed through `f(value, field)`. */
export function mapCredentials(sub: Subscription, f: (value: string, field: string) => string): Subscription {
  const out: { -readonly [K in keyof Subscription]: Subscription[K] } = { ...sub };
  out.secret = f(sub.secret, "secret");
  out.previousSecrets = (sub.previousSecrets ?? []).map((r) => ({ ...r, secret: f(r.secret, "previous_secrets") }));
  if (sub.auth?.type === "api_key") out.auth = { ...sub.auth, value: f(sub.auth.value, "auth.value") };
  else if (sub.auth?.type === "oauth2") out.auth = { ...sub.auth, clientSecret: f(sub.auth.clientSecret, "auth.client_secret") };
  if (sub.tls?.keyPem !== undefined) out.tls = { ...sub.tls, keyPem: f(sub.tls.keyPem, "tls.key_pem") };
  out.headers = Object.fromEntries(Object.entries(sub.headers ?? {}).map(([k, v]) => [k, SENSITIVE_HEADER.test(k) ? f(v, `headers.${k}`) : v]));
  return out;
}

export class SubscriptionStore {
  private readonly box: SecretBox | undefined;
  private readonly reported = new Set<string>();
  /** The last revision of each subscription this store could read. */
  private readonly lastReadable = new Map<string, Subscription>();

  constructor(
    private readonly kv: KvBucket,
    private readonly opts: SubscriptionStoreOptions = {},
  ) {
    this.box = opts.box;
  }

  private encode(sub: Subscription): Uint8Array {
    const box = this.box;
    return encodeJson(box === undefined ? sub : mapCredentials(sub, (v, field) => box.seal(v, `${sub.id}/${field}`)));
  }

  private decode(id: string, value: Uint8Array): Subscription {
    const stored = decodeJson<Subscription>(value);
    return mapCredentials(stored, (v, field) => {
      try {
        if (this.box === undefined) {
          if (isSealed(v)) throw new SecretBoxError("unknown_key", undefined, "sealed, but no outbound.secretKey is configured");
          return v;
        }
        return this.box.open(v, `${id}/${field}`);
      } catch (err) {
        if (!(err instanceof SecretBoxError)) throw err;
        throw new HookbookError("HB_ERR_CONFIG_INVALID", `webhook endpoint ${id}: cannot decrypt its ${field}: ${err.message}`, {
          cause: err,
          hint: "configure the key it was stored with in outbound.secretKeys, or delete the endpoint's entry from the hb_webhooks KV bucket",
        });
      }
    });
  }

  /** Every readable subscription; unreadable ones are reported (onUnreadable) and skipped, or listed as last read. */
  async list(): Promise<Subscription[]> {
    const out: Subscription[] = [];
    const keys = await this.kv.keys();
    for (const id of this.lastReadable.keys()) if (!keys.includes(id)) this.lastReadable.delete(id);
    for (const key of keys) {
      const e = await this.kv.get(key);
      if (e === undefined) continue;
      try {
        const sub = this.decode(key, e.value);
        this.lastReadable.set(key, sub);
        out.push(sub);
      } catch (err) {
        if (!(err instanceof HookbookError) || err.code !== "HB_ERR_CONFIG_INVALID") throw err;
        const previous = this.lastReadable.get(key);
        if (previous !== undefined) out.push(previous);
        const seen = `${key}@${e.revision}`;
        if (!this.reported.has(seen)) {
          this.reported.add(seen);
          this.opts.onUnreadable?.(key, err, previous !== undefined);
        }
      }
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<Subscription | undefined> {
    const e = await this.kv.get(id);
    if (e === undefined) return undefined;
    const sub = this.decode(id, e.value);
    this.lastReadable.set(id, sub);
    return sub;
  }

  /** False when the id exists already. */
  async create(sub: Subscription): Promise<boolean> {
    const created = await this.kv.create(sub.id, this.encode(sub));
    if (created) this.lastReadable.set(sub.id, sub);
    return created;
  }

  /**
   * Apply `change` to the stored subscription and store the result (compare-and-set, retried).
   * Throws OUTBOUND_CODES.notFound when it does not exist; `change` may throw to refuse.
   */
  async update(id: string, change: (cur: Subscription) => Subscription): Promise<Subscription> {
    for (let i = 0; i < CAS_ATTEMPTS; i++) {
      const e = await this.kv.get(id);
      if (e === undefined) throw outboundError("notFound", `no webhook endpoint ${JSON.stringify(id)}`);
      const next = change(this.decode(id, e.value));
      if (await this.kv.update(id, this.encode(next), e.revision)) {
        this.lastReadable.set(id, next);
        return next;
      }
    }
    throw new HookbookError("HB_ERR_BUS_UNAVAILABLE", `webhook endpoint ${id} changed concurrently ${CAS_ATTEMPTS} times; try again`, { retryAfterMs: 1000 });
  }

  /**
   * Store again, sealed with the current key, every readable subscription holding a plain
   * credential or one sealed with an older key. Returns how many were rewritten.
   */
  async reseal(): Promise<number> {
    const box = this.box;
    if (box === undefined) return 0;
    let n = 0;
    for (const key of await this.kv.keys()) {
      const e = await this.kv.get(key);
      if (e === undefined) continue;
      let stale = false;
      mapCredentials(decodeJson<Subscription>(e.value), (v) => {
        if (box.needsReseal(v)) stale = true;
        return v;
      });
      if (!stale) continue;
      try {
        const sub = this.decode(key, e.value);
        if (await this.kv.update(key, this.encode(sub), e.revision)) n++;
      } catch (err) {
        // Unreadable: list() reports it; a concurrent change wrote it sealed already.
        if (!(err instanceof HookbookError) || err.code !== "HB_ERR_CONFIG_INVALID") throw err;
      }
    }
    return n;
  }

  async delete(id: string): Promise<void> {
    await this.kv.delete(id);
    this.lastReadable.delete(id);
  }
}
