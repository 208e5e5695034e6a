/**
 * Idempotent admin API calls (Svix's `Idempotency-Key`, cached 12 h): a POST that creates
 * something (`/api/webhooks`, `…/replay`, `…/recover`, `…/rotate-secret`) may carry an
 * `Idempotency-Key` header. The first call with a key runs and, when it succeeds (2xx), its
 * status and body are kept for 12 h in the KV bucket `hb_api_idempotency` (one entry per
 * route + key, the key hashed); a retry with the same key, route and body gets that answer
 * again (header `Idempotent-Replayed: true`) without running anything. The same key with a
 * different body → 409 HB_ERR_IDEMPOTENCY_KEY_REUSED. While the first call runs, another
 * with the same key → 409 HB_ERR_IDEMPOTENCY_IN_PROGRESS with Retry-After: 1 (a call whose
 * process died is taken over after a minute). A call that fails (4xx/5xx) is not kept: the
 * key can be retried. Bodies are compared canonically (object keys sorted). Kept answers are
 * sealed with the subscription secret box when one is configured (the create answer carries
 * the signing secret).
 */
import { createHash } from "node:crypto";
import type { KvBucket } from "../bus/port.js";
import { decodeJson, encodeJson } from "../bus/port.js";
import type { Clock } from "../core/clock.js";
import { HookbookError } from "../core/errors.js";
import { outboundError } from "./outbound-errors.js";
import type { SecretBox } from "./secret-box.js";

export const IDEMPOTENCY_BUCKET = "hb_api_idempotency";
/** How long an answer is kept (Svix: 12 h). */
export const IDEMPOTENCY_TTL_MS = 12 * 3_600_000;
/** A call still "in progress" after this long is considered abandoned (its process died) and may be taken over. */
export const IDEMPOTENCY_LEASE_MS = 60_000;
export const IDEMPOTENCY_HEADER = "idempotency-key";
export const IDEMPOTENCY_KEY_MAX = 255;

interface StoredCall {
  readonly v: 1;
  readonly route: string;
  readonly fingerprint: string;
  readonly state: "pending" | "done";
  /** ms since epoch: when the call started (pending) or finished (done). */
  readonly at: number;
  readonly status?: number;
  /** JSON of the answer body, sealed when a secret box is configured. */
  readonly body?: string;
}

export interface IdempotentAnswer {
  readonly status: number;
  readonly body: unknown;
  /** True when this is the kept answer of an earlier call. */
  readonly replayed: boolean;
}

/** The `Idempotency-Key` header checked: undefined when absent; HB_ERR_WEBHOOK_INVALID naming the header when unusable. */
export function idempotencyKeyOf(raw: string | string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw outboundError("invalid", "Idempotency-Key: give the header once");
  if (raw.length < 1 || raw.length > IDEMPOTENCY_KEY_MAX || !/^[\x21-\x7e]+$/.test(raw)) {
    throw outboundError("invalid", `Idempotency-Key: must be 1–${IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces (e.g. a UUID)`);
  }
  return raw;
}

/** JSON with object keys sorted, so the same body in another key order matches. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

const sha256 = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

export class IdempotencyStore {
  constructor(
    private readonly kv: KvBucket,
    private readonly clock: Clock,
    private readonly box?: SecretBox,
  ) {}

  /**
   * Run `call` once per (route, key): a repeat with the same body gets the kept answer; see the
   * file comment for conflicts. `route` is e.g. "POST /api/webhooks/ep_1/replay".
   */
  async run(route: string, key: string, body: unknown, call: () => Promise<{ status: number; body: unknown }>): Promise<IdempotentAnswer> {
    const kvKey = sha256(`${route}\n${key}`);
    const fingerprint = sha256(canonical(body));
    const pending = (): StoredCall => ({ v: 1, route, fingerprint, state: "pending", at: this.clock.now() });
    let owned = false;
    for (let i = 0; i < 3 && !owned; i++) {
      if (await this.kv.create(kvKey, encodeJson(pending()))) {
        owned = true;
        break;
      }
      const cur = await this.kv.get(kvKey);
      if (cur === undefined || cur.value.length === 0) continue; // expired or deleted meanwhile
      const rec = decodeJson<StoredCall>(cur.value);
      if (rec.fingerprint !== fingerprint || rec.route !== route) {
        throw new HookbookError("HB_ERR_IDEMPOTENCY_KEY_REUSED", `Idempotency-Key ${JSON.stringify(key)} was used for ${route} with a different request body within the last 12 h; use a new key`);
      }
      if (rec.state === "done") return { status: rec.status ?? 200, body: this.openBody(rec.body, kvKey), replayed: true };
      if (this.clock.now() - rec.at < IDEMPOTENCY_LEASE_MS) break;
      // Abandoned (the process running it died): take it over.
      owned = await this.kv.update(kvKey, encodeJson(pending()), cur.revision);
    }
    if (!owned) {
      throw new HookbookError("HB_ERR_IDEMPOTENCY_IN_PROGRESS", `a request with Idempotency-Key ${JSON.stringify(key)} is still being processed; retry shortly`, { retryAfterMs: 1000 });
    }
    let answer: { status: number; body: unknown };
    try {
      answer = await call();
    } catch (err) {
      await this.kv.delete(kvKey).catch(() => undefined);
      throw err;
    }
    if (answer.status >= 200 && answer.status < 300) {
      const done: StoredCall = { v: 1, route, fingerprint, state: "done", at: this.clock.now(), status: answer.status, body: this.sealBody(answer.body, kvKey) };
      await this.kv.put(kvKey, encodeJson(done));
    } else {
      await this.kv.delete(kvKey).catch(() => undefined);
    }
    return { ...answer, replayed: false };
  }

  private sealBody(body: unknown, kvKey: string): string {
    const json = JSON.stringify(body ?? null);
    return this.box ? this.box.seal(json, `idempotency/${kvKey}`) : json;
  }

  private openBody(stored: string | undefined, kvKey: string): unknown {
    if (stored === undefined) return null;
    return JSON.parse(this.box ? this.box.open(stored, `idempotency/${kvKey}`) : stored) as unknown;
  }
}
