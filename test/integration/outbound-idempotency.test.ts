/**
 * `Idempotency-Key` on the admin API's creating POSTs (create, replay, recover, rotate-secret):
 * the same key + route + body within 12 h gives the kept answer without a second effect; a
 * different body → 409 HB_ERR_IDEMPOTENCY_KEY_REUSED; a concurrent call → 409
 * HB_ERR_IDEMPOTENCY_IN_PROGRESS with Retry-After; failures are not kept. Memory and NATS bus.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { adminApiPlugin } from "../../src/api/admin-api.js";
import type { Bus } from "../../src/bus/port.js";
import { createMemoryBus } from "../../src/bus/memory.js";
import type { Clock } from "../../src/core/clock.js";
import { HookbookError } from "../../src/core/errors.js";
import { createIngestServer } from "../../src/ingest/server.js";
import { IDEMPOTENCY_BUCKET, IDEMPOTENCY_LEASE_MS, IDEMPOTENCY_TTL_MS, IdempotencyStore } from "../../src/outbound/idempotency.js";
import { OUTBOUND_CODES } from "../../src/outbound/outbound-errors.js";
import type { OutboundService } from "../../src/outbound/service-api.js";
import { natsServerBinary } from "../helpers/nats.js";
import type { BusKind, ControlledReceiver } from "./outbound-helpers.js";
import { errorCodeOf, makeBus, outboundTestFile, publishOutcome, sleep, startReceiver, startService, uniq, waitFor } from "./outbound-helpers.js";

const TOKEN = "admin-token-0123456789abcdef";

const file = outboundTestFile();
const cleanups = file.cleanups;

interface Answer {
  status: number;
  json: Record<string, unknown>;
  headers: Record<string, unknown>;
}

for (const kind of ["memory", "nats"] as BusKind[]) {
  describe(`Idempotency-Key on the ${kind} bus`, { skip: kind === "nats" && !natsServerBinary && "nats-server not installed" }, () => {
    async function setup(): Promise<{ app: FastifyInstance; bus: Bus; svc: OutboundService; call: (method: string, url: string, body?: unknown, key?: string) => Promise<Answer> }> {
      const bus = await makeBus(kind, file.nats());
      cleanups.push(() => bus.close());
      const { svc } = await startService(bus);
      cleanups.push(() => svc.stop());
      const app = createIngestServer({ sources: [], bus, bodyLimit: 1024 * 1024 });
      await app.register(adminApiPlugin, { outbound: svc, adminToken: TOKEN });
      await app.ready();
      cleanups.push(() => app.close());
      cleanups.push(async () => {
        for (const v of svc.list()) if (v.source === "api") await svc.remove(v.id).catch(() => undefined);
      });
      const call = async (method: string, url: string, body?: unknown, key?: string): Promise<Answer> => {
        const res = await app.inject({
          method: method as "POST",
          url,
          headers: { authorization: `Bearer ${TOKEN}`, ...(key === undefined ? {} : { "idempotency-key": key }), ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
        });
        return { status: res.statusCode, json: res.body === "" ? {} : (JSON.parse(res.body) as Record<string, unknown>), headers: res.headers };
      };
      return { app, bus, svc, call };
    }

    async function receiver(): Promise<ControlledReceiver> {
      const rx = await startReceiver();
      cleanups.push(() => rx.close());
      return rx;
    }

    it("POST /api/webhooks: same key + same body → the same answer, one subscription; different body → 409; another key → a new one", async () => {
      const T = uniq();
      const { svc, call } = await setup();
      const rx = await receiver();
      const key = `create-${T}`;
      const body = { url: rx.url, events: [`${T}.*`], description: "idem" };
      const first = await call("POST", "/api/webhooks", body, key);
      assert.equal(first.status, 201);
      assert.equal(first.headers["idempotent-replayed"], undefined);
      const again = await call("POST", "/api/webhooks", { description: "idem", events: [`${T}.*`], url: rx.url }, key);
      assert.equal(again.status, 201);
      assert.equal(again.headers["idempotent-replayed"], "true");
      assert.deepEqual(again.json, first.json, "same status and body, secret included");
      assert.equal(svc.list().filter((v) => v.description === "idem").length, 1, "no second subscription");

      const reused = await call("POST", "/api/webhooks", { ...body, description: "other" }, key);
      assert.equal(reused.status, 409);
      assert.equal((reused.json["error"] as { code: string }).code, "HB_ERR_IDEMPOTENCY_KEY_REUSED");
      assert.equal(svc.list().filter((v) => v.source === "api").length, 1);

      const other = await call("POST", "/api/webhooks", body, `${key}-2`);
      assert.equal(other.status, 201);
      assert.notEqual(other.json["id"], first.json["id"]);
      const noKey = await call("POST", "/api/webhooks", body);
      assert.equal(noKey.status, 201);
      assert.equal(svc.list().filter((v) => v.source === "api").length, 3);
    });

    it("a failed call is not kept (the key can be retried); a bad key is refused naming the header", async () => {
      const T = uniq();
      const { svc, call } = await setup();
      const rx = await receiver();
      const key = `fail-${T}`;
      const bad = await call("POST", "/api/webhooks", { url: rx.url, events: [] }, key);
      assert.equal(bad.status, 400);
      const ok = await call("POST", "/api/webhooks", { url: rx.url, events: [`${T}.*`] }, key);
      assert.equal(ok.status, 201, "the same key works once the body is valid");
      for (const k of ["has space", "x".repeat(256)]) {
        const r = await call("POST", "/api/webhooks", { url: rx.url, events: [`${T}.*`] }, k);
        assert.equal(r.status, 400);
        assert.equal((r.json["error"] as { code: string }).code, OUTBOUND_CODES.invalid);
        assert.match((r.json["error"] as { message: string }).message, /Idempotency-Key/);
      }
      assert.equal(svc.list().filter((v) => v.source === "api").length, 1);
    });

    it("replay and recover: a retried call with the same key re-publishes nothing; keys are per route", async () => {
      const T = uniq();
      const { bus, svc, call } = await setup();
      const rx = await receiver();
      const created = await call("POST", "/api/webhooks", { url: rx.url, events: [`${T}.*`] });
      const id = created.json["id"] as string;
      const { id: outcomeId } = await publishOutcome(bus, `${T}.x`);
      await waitFor("first delivery", () => rx.requests.length === 1);

      const key = `replay-${T}`;
      const r1 = await call("POST", `/api/webhooks/${id}/replay`, { message_id: `msg_${outcomeId}` }, key);
      const r2 = await call("POST", `/api/webhooks/${id}/replay`, { message_id: `msg_${outcomeId}` }, key);
      assert.equal(r1.status, 202);
      assert.equal(r2.status, 202);
      assert.equal(r2.headers["idempotent-replayed"], "true");
      assert.deepEqual(r2.json, r1.json);
      await waitFor("replayed once", () => rx.requests.length === 2);
      await sleep(300);
      assert.equal(rx.requests.length, 2, "the retried replay did not send again");

      // Same key on another route is another call.
      const since = new Date(Date.now() - 60_000).toISOString();
      const rec1 = await call("POST", `/api/webhooks/${id}/recover`, { since }, key);
      assert.equal(rec1.status, 202);
      const rec2 = await call("POST", `/api/webhooks/${id}/recover`, { since }, key);
      assert.equal(rec2.headers["idempotent-replayed"], "true");
      assert.deepEqual(rec2.json, rec1.json);

      const rot1 = await call("POST", `/api/webhooks/${id}/rotate-secret`, {}, `rotate-${T}`);
      const rot2 = await call("POST", `/api/webhooks/${id}/rotate-secret`, {}, `rotate-${T}`);
      assert.equal(rot1.status, 200);
      assert.deepEqual(rot2.json, rot1.json, "rotated once");
      assert.equal((svc.secret(id) as { secret: string }).secret, rot1.json["secret"]);
    });

    it("concurrent calls with one key: one runs, the other gets 409 in progress with Retry-After", async () => {
      const T = uniq();
      const { call } = await setup();
      const rx = await receiver();
      const key = `race-${T}`;
      const body = { url: rx.url, events: [`${T}.*`] };
      const answers = await Promise.all(Array.from({ length: 5 }, () => call("POST", "/api/webhooks", body, key)));
      const created = answers.filter((a) => a.status === 201);
      const busy = answers.filter((a) => a.status === 409);
      assert.ok(created.length >= 1);
      assert.equal(new Set(created.map((a) => a.json["id"])).size, 1, "one subscription, whatever the interleaving");
      assert.equal(created.length + busy.length, 5);
      for (const b of busy) {
        assert.equal((b.json["error"] as { code: string }).code, "HB_ERR_IDEMPOTENCY_IN_PROGRESS");
        assert.equal(b.headers["retry-after"], "1");
      }
      const later = await call("POST", "/api/webhooks", body, key);
      assert.equal(later.json["id"], created[0]?.json["id"]);
    });
  });
}

describe("IdempotencyStore", () => {
  it("holds a running call (409 in progress), takes over an abandoned one after the lease, and keeps answers for 12 h", async () => {
    let now = 1_000_000;
    const clock: Clock = { now: () => now, setTimer: () => ({ cancel: () => undefined }) };
    const bus = createMemoryBus({ clock });
    cleanups.push(() => bus.close());
    const store = new IdempotencyStore(await bus.kv({ bucket: IDEMPOTENCY_BUCKET, ttlMs: IDEMPOTENCY_TTL_MS }), clock);
    let release: () => void = () => undefined;
    let runs = 0;
    const slow = store.run("POST /x", "k", { a: 1 }, async () => {
      runs++;
      await new Promise<void>((r) => (release = r));
      return { status: 201, body: { n: runs } };
    });
    await sleep(20);
    assert.equal(await errorCodeOf(store.run("POST /x", "k", { a: 1 }, async () => ({ status: 201, body: {} }))), "HB_ERR_IDEMPOTENCY_IN_PROGRESS");
    // The first process "died" (never finishes): after the lease another call takes over.
    now += IDEMPOTENCY_LEASE_MS + 1;
    const taken = await store.run("POST /x", "k", { a: 1 }, async () => ({ status: 201, body: { n: ++runs } }));
    assert.deepEqual(taken, { status: 201, body: { n: 2 }, replayed: false });
    release();
    await slow;
    const kept = await store.run("POST /x", "k", { a: 1 }, async () => {
      throw new HookbookError("HB_ERR_INTERNAL", "must not run");
    });
    assert.equal(kept.replayed, true);
    now += IDEMPOTENCY_TTL_MS + 1;
    const fresh = await store.run("POST /x", "k", { a: 1 }, async () => ({ status: 201, body: { n: 9 } }));
    assert.deepEqual(fresh, { status: 201, body: { n: 9 }, replayed: false }, "forgotten after 12 h");
  });
});
