/**
 * Outbound delivery end to end (issue 6): OUTCOMES → router → per-endpoint consumer → local
 * receivers that fail on command, on the memory bus and on a real nats-server (one per file).
 * Every test uses its own outcome types (uniq()) so tests sharing the NATS server never see
 * each other's outcomes, and deletes its API endpoints at the end.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Bus } from "../../src/bus/port.js";
import { decodeJson } from "../../src/bus/port.js";
import { verifyCompatSignature } from "../../src/outbound/compat-signer.js";
import { OUTBOUND_CODES } from "../../src/outbound/outbound-errors.js";
import { STREAM_WEBHOOK_DLQ, deadLetterSubject } from "../../src/outbound/outbound-streams.js";
import type { DeadLetterRecord } from "../../src/outbound/records.js";
import type { OutboundOptions } from "../../src/outbound/service.js";
import type { OutboundService } from "../../src/outbound/service-api.js";
import { verifyWebhook } from "../../src/outbound/signer.js";
import { parseCreateInput } from "../../src/outbound/subscription-input.js";
import { natsServerBinary } from "../helpers/nats.js";
import type { BusKind, Received, Reply } from "./outbound-helpers.js";
import { OK, errorCodeOf, header, makeBus, outboundTestFile, outcomesOfType, publishOutcome, sleep, startReceiver, startService, uniq, waitFor } from "./outbound-helpers.js";

const file = outboundTestFile();
const cleanups = file.cleanups;

const codeOf = errorCodeOf;

async function deadLettersOf(bus: Bus, endpointId: string): Promise<DeadLetterRecord[]> {
  const out: DeadLetterRecord[] = [];
  for await (const m of bus.readMessages!(STREAM_WEBHOOK_DLQ, { subject: deadLetterSubject(endpointId) })) out.push(decodeJson<DeadLetterRecord>(m.data));
  return out;
}

const gaps = (rs: readonly Received[]): number[] => rs.slice(1).map((r, i) => r.at - (rs[i] as Received).at);

for (const kind of ["memory", "nats"] as BusKind[]) {
  describe(`outbound delivery on the ${kind} bus`, { skip: kind === "nats" && !natsServerBinary && "nats-server not installed" }, () => {
    const setup = (over: Partial<OutboundOptions> = {}) => file.setup(kind, over);
    const receiver = (respond?: (r: Received) => Reply) => file.receiver(respond);
    const subscribe = (svc: OutboundService, body: Record<string, unknown>) => file.subscribe(svc, body);

    it("sends the stored bytes signed (Standard Webhooks) to every endpoint whose events and payload filter match", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const all = await receiver();
      const a100 = await receiver();
      const other = await receiver();
      const epAll = await subscribe(svc, { url: all.url, events: [`${T}.action.*`], headers: { "X-Tenant": "t1" } });
      await subscribe(svc, { url: a100.url, events: [`${T}.*`], filter: { "data.gpu": { $in: ["a100"] }, "data.nodes": { $gte: 2 } } });
      await subscribe(svc, { url: other.url, events: [`${T}.rule.*`] });

      const first = await publishOutcome(bus, `${T}.action.failed`, { gpu: "a100", nodes: 4 });
      const second = await publishOutcome(bus, `${T}.action.succeeded`, { gpu: "h100", nodes: 4 });
      await waitFor("deliveries", () => all.requests.length === 2 && a100.requests.length === 1);
      await sleep(100);

      assert.equal(other.requests.length, 0);
      assert.equal(a100.requests.length, 1);
      assert.equal(header(a100.requests[0]!, "webhook-id"), `msg_${first.id}`);
      const byId = new Map(all.requests.map((r) => [header(r, "webhook-id"), r]));
      for (const o of [first, second]) {
        const r = byId.get(`msg_${o.id}`);
        assert.ok(r, `received msg_${o.id}`);
        assert.deepEqual(r.body, o.bytes, "the body is the stored outcome, byte for byte");
        assert.equal(verifyWebhook(epAll.secret, r.headers, r.body), true);
        assert.equal(header(r, "content-type"), "application/json");
        assert.equal(header(r, "user-agent"), "hookbook/0.1");
        assert.equal(header(r, "x-tenant"), "t1");
      }
    });

    it("retries 5xx on the schedule (jitter ±20 %) with the same webhook-id; attempts and stats show it", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ random: () => 0.5 });
      const rx = await receiver((r) => (r.n <= 2 ? { status: 500, body: "boom" } : { status: 200, body: "fine" }));
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      const o = await publishOutcome(bus, `${T}.action.failed`);
      await waitFor("delivery", () => rx.deliveredIds().size === 1);

      assert.deepEqual(rx.requests.map((r) => header(r, "webhook-id")), [`msg_${o.id}`, `msg_${o.id}`, `msg_${o.id}`]);
      for (const r of rx.requests) assert.match(header(r, "webhook-timestamp") ?? "", /^\d{10}$/, "a timestamp per attempt");
      const [g1, g2] = gaps(rx.requests);
      assert.ok(g1 !== undefined && g1 >= 45, `first retry after ≈50 ms, got ${g1}`);
      assert.ok(g2 !== undefined && g2 >= 90, `second retry after ≈100 ms, got ${g2}`);

      await waitFor("3 attempt records", async () => (await svc.attempts(ep.id, 10)).length === 3);
      const attempts = await svc.attempts(ep.id, 10);
      assert.deepEqual(attempts.map((a) => [a.attempt, a.status, a.outcome, a.message_id]), [
        [3, 200, "delivered", `msg_${o.id}`],
        [2, 500, "retry", `msg_${o.id}`],
        [1, 500, "retry", `msg_${o.id}`],
      ]);
      assert.equal(attempts[2]?.response, "boom");
      assert.equal(attempts[2]?.next_retry_ms, 50);
      assert.deepEqual((await svc.attempts(ep.id, 1)).map((a) => a.attempt), [3]);

      const stats = await svc.stats(ep.id);
      assert.equal(stats.attempts, 3);
      assert.equal(stats.delivered, 1);
      assert.equal(stats.failures_24h, 2);
      assert.ok(Math.abs((stats.success_rate ?? 0) - 1 / 3) < 1e-9);
      assert.ok(stats.latency_ms !== null && stats.latency_ms.p50 >= 0 && stats.latency_ms.p95 >= stats.latency_ms.p50);
      assert.ok(stats.last_success_at !== null);
      assert.equal(stats.failing_since, null, "a success clears the failure marker");
      const metrics = await svc.metrics.metrics();
      assert.match(metrics, new RegExp(`hookbook_webhook_attempts_total\\{endpoint="${ep.id}",outcome="retry"\\} 2`));
      assert.match(metrics, new RegExp(`hookbook_webhook_deliveries_total\\{endpoint="${ep.id}"\\} 1`));
    });

    it("dead-letters a message after its last attempt: outcome, last attempt and reason", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const rx = await receiver(() => ({ status: 502, body: "bad gateway" }));
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      const o = await publishOutcome(bus, `${T}.action.failed`, { n: 1 });
      await waitFor("dead letter", async () => (await svc.deadLetters(ep.id, 10)).length === 1);

      assert.equal(rx.requests.length, 4, "1 + 3 scheduled retries");
      const [dl] = await svc.deadLetters(ep.id, 10);
      assert.equal(dl?.reason, "exhausted");
      assert.equal(dl?.attempts, 4);
      assert.equal(dl?.message_id, `msg_${o.id}`);
      assert.equal(dl?.last_attempt?.status, 502);
      assert.equal(dl?.last_attempt?.response, "bad gateway");
      assert.equal(dl?.body, o.bytes.toString("utf8"));
      assert.equal((dl?.outcome as { id: string }).id, o.id);
      assert.match(await svc.metrics.metrics(), new RegExp(`hookbook_webhook_dead_letters_total\\{endpoint="${ep.id}",reason="exhausted"\\} 1`));
      const stats = await svc.stats(ep.id);
      assert.equal(stats.dead_letters_24h, 1);
      assert.ok(stats.failing_since !== null);
    });

    it("410 disables the endpoint, emits endpoint.disabled and dead-letters; later outcomes are dead-lettered, not sent", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const gone = await receiver(() => ({ status: 410 }));
      const ops = await receiver();
      const ep = await subscribe(svc, { url: gone.url, events: [`${T}.*`] });
      await subscribe(svc, { url: ops.url, events: ["endpoint.*"], filter: { "data.endpoint_id": ep.id, type: "endpoint.disabled" } });

      const first = await publishOutcome(bus, `${T}.action.failed`);
      await waitFor("disabled", () => svc.get(ep.id).status === "disabled");
      assert.equal(svc.get(ep.id).disabled_reason, "gone");
      await waitFor("endpoint.disabled delivered", () => ops.requests.length === 1);
      const event = JSON.parse(ops.requests[0]!.body.toString()) as { type: string; data: Record<string, unknown> };
      assert.equal(event.type, "endpoint.disabled");
      assert.equal(event.data["endpoint_id"], ep.id);
      assert.equal(event.data["reason"], "gone");

      const second = await publishOutcome(bus, `${T}.action.failed`);
      await waitFor("2 dead letters", async () => (await svc.deadLetters(ep.id, 10)).length === 2);
      const dls = await svc.deadLetters(ep.id, 10);
      assert.deepEqual(dls.map((d) => [d.message_id, d.reason]), [
        [`msg_${second.id}`, "endpoint_disabled"],
        [`msg_${first.id}`, "gone"],
      ]);
      assert.equal(gone.requests.length, 1, "nothing is sent to a disabled endpoint");
    });

    it("429 and 503 honour Retry-After (as asked, capped at the longest scheduled delay)", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: [50, 100, 3000], random: () => 0.5 });
      const rx = await receiver((r) => {
        if (r.n === 1) return { status: 429, headers: { "retry-after": "1" } };
        if (r.n === 2) return { status: 503, headers: { "retry-after": "0" } };
        return OK;
      });
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      await publishOutcome(bus, `${T}.action.started`);
      await waitFor("delivery", () => rx.deliveredIds().size === 1);
      const [g1, g2] = gaps(rx.requests);
      assert.ok(g1 !== undefined && g1 >= 950 && g1 < 2500, `Retry-After: 1 waited ${g1} ms`);
      assert.ok(g2 !== undefined && g2 < 500, `Retry-After: 0 retried at once, waited ${g2} ms`);
      await waitFor("records", async () => (await svc.attempts(ep.id, 5)).length === 3);
      assert.deepEqual((await svc.attempts(ep.id, 5)).map((a) => a.next_retry_ms ?? null).reverse(), [1000, 0, null]);
    });

    it("a 429 without Retry-After waits at least the overload floor (here the schedule's largest delay); a 500 waits its scheduled step", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: [50, 50, 600], random: () => 0.5 });
      const rx = await receiver((r) => (r.n === 1 ? { status: 429 } : r.n === 2 ? { status: 500 } : OK));
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      await publishOutcome(bus, `${T}.action.started`);
      await waitFor("delivery", () => rx.deliveredIds().size === 1);
      const [g1, g2] = gaps(rx.requests);
      assert.ok(g1 !== undefined && g1 >= 550, `429 without Retry-After waited ${g1} ms`);
      assert.ok(g2 !== undefined && g2 < 500, `500 retried after its 50 ms step, waited ${g2} ms`);
      await waitFor("records", async () => (await svc.attempts(ep.id, 5)).length === 3);
      assert.deepEqual((await svc.attempts(ep.id, 5)).map((a) => a.next_retry_ms ?? null).reverse(), [600, 50, null]);
    });

    it("a hanging receiver times out and is retried; a slow one inside the timeout is delivered", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const rx = await receiver((r) => (r.n === 1 ? "hang" : { status: 204, delayMs: 100 }));
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`], timeout_ms: 300 });
      await publishOutcome(bus, `${T}.action.timeout`);
      await waitFor("delivery", () => rx.deliveredIds().size === 1);
      await waitFor("records", async () => (await svc.attempts(ep.id, 5)).length === 2);
      const [second, first] = await svc.attempts(ep.id, 5);
      assert.equal(first?.error, "timeout");
      assert.equal(first?.error_kind, "timeout");
      assert.ok((first?.latency_ms ?? 0) >= 250);
      assert.equal(second?.status, 204);
      assert.ok((second?.latency_ms ?? 0) >= 90, "slow answer measured");
    });

    it("a receiver down for a while, then back, gets every message exactly once per id", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: [100, 200, 300, 400, 500, 600, 700] });
      const rx = await receiver();
      await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      await rx.down();
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push((await publishOutcome(bus, `${T}.action.succeeded`, { i })).id);
      await sleep(400);
      assert.equal(rx.requests.length, 0);
      await rx.up();
      await waitFor("all delivered", () => rx.deliveredIds().size === 10, 10_000);
      await sleep(300);
      assert.deepEqual([...rx.deliveredIds().keys()].sort(), ids.map((id) => `msg_${id}`).sort());
      assert.ok([...rx.deliveredIds().values()].every((n) => n === 1), "exactly once per id");
      assert.equal(rx.requests.length, 10);
    });

    it("a dead endpoint does not delay a healthy one", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const dead = await receiver(() => "hang");
      const healthy = await receiver();
      await subscribe(svc, { url: dead.url, events: [`${T}.*`], timeout_ms: 1500, max_in_flight: 1 });
      await subscribe(svc, { url: healthy.url, events: [`${T}.*`], max_in_flight: 1 });
      const t0 = Date.now();
      for (let i = 0; i < 5; i++) await publishOutcome(bus, `${T}.action.succeeded`, { i });
      await waitFor("healthy deliveries", () => healthy.deliveredIds().size === 5);
      assert.ok(Date.now() - t0 < 1500, "all delivered before the dead endpoint's first timeout");
      assert.equal(dead.requests.length, 1, "the dead endpoint is stuck on its first message, alone");
    });

    it("an endpoint failing continuously for disableAfterMs is disabled and its queue dead-lettered", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: Array(20).fill(40), disableAfterMs: 300 });
      const rx = await receiver(() => ({ status: 500 }));
      const ops = await receiver();
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      await subscribe(svc, { url: ops.url, events: ["endpoint.disabled"], filter: { "data.endpoint_id": ep.id } });
      for (let i = 0; i < 3; i++) await publishOutcome(bus, `${T}.action.failed`, { i });
      await waitFor("disabled", () => svc.get(ep.id).status === "disabled", 5000);
      assert.equal(svc.get(ep.id).disabled_reason, "failing");
      await waitFor("3 dead letters", async () => (await svc.deadLetters(ep.id, 10)).length === 3);
      assert.ok((await svc.deadLetters(ep.id, 10)).every((d) => d.reason === "endpoint_disabled"));
      await waitFor("ops event", () => ops.requests.length === 1);
      const ev = JSON.parse(ops.requests[0]!.body.toString()) as { data: Record<string, unknown> };
      assert.equal(ev.data["reason"], "failing");
      assert.equal(typeof ev.data["failing_since"], "string");
      const n = rx.requests.length;
      await sleep(200);
      assert.equal(rx.requests.length, n, "no attempts after disabling");
    });

    it("disabling dead-letters parked retries at once; enabling resumes; recover resends the dead letters with their ids", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: [60_000] });
      let healthy = false;
      const rx = await receiver(() => (healthy ? OK : { status: 500 }));
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      const since = Date.now() - 1000;
      const parked = await publishOutcome(bus, `${T}.action.failed`);
      await waitFor("first attempt", () => rx.requests.length === 1);
      const t0 = Date.now();
      await svc.disable(ep.id);
      const whileDisabled = await publishOutcome(bus, `${T}.action.failed`);
      await waitFor("2 dead letters", async () => (await svc.deadLetters(ep.id, 10)).length === 2, 5000);
      assert.ok(Date.now() - t0 < 4000, "the parked retry (60 s) was dead-lettered at once");
      assert.ok((await svc.deadLetters(ep.id, 10)).every((d) => d.reason === "endpoint_disabled"));
      assert.equal(rx.requests.length, 1);

      healthy = true;
      await svc.enable(ep.id);
      const fresh = await publishOutcome(bus, `${T}.action.succeeded`);
      await waitFor("fresh delivered", () => rx.deliveredIds().has(`msg_${fresh.id}`));

      const recovered = await svc.recover(ep.id, since);
      assert.equal(recovered.replayed, 2);
      await waitFor("recovered", () => rx.deliveredIds().size === 3);
      assert.deepEqual([...rx.deliveredIds().keys()].sort(), [parked, whileDisabled, fresh].map((o) => `msg_${o.id}`).sort());
      const body = rx.requests.find((r) => r.n > 1 && header(r, "webhook-id") === `msg_${parked.id}`)?.body;
      assert.deepEqual(body, parked.bytes, "recovered with the original body");
      assert.equal((await svc.recover(ep.id, since)).replayed, 2);
      await sleep(150);
      assert.equal(rx.deliveredIds().get(`msg_${parked.id}`), 1, "a repeated recover inside the duplicate window sends nothing new");
    });

    it("replay resends one message with the same webhook-id, from the dead letters or from OUTCOMES", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: [20] });
      let healthy = false;
      const rx = await receiver(() => (healthy ? OK : { status: 500 }));
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      const failed = await publishOutcome(bus, `${T}.action.failed`);
      await waitFor("dead letter", async () => (await svc.deadLetters(ep.id, 5)).length === 1);
      healthy = true;
      const done = await publishOutcome(bus, `${T}.action.succeeded`);
      await waitFor("delivered", () => rx.deliveredIds().has(`msg_${done.id}`));

      assert.deepEqual(await svc.replay(ep.id, `msg_${failed.id}`), { message_id: `msg_${failed.id}`, found_in: "dead_letters" });
      assert.deepEqual(await svc.replay(ep.id, done.id), { message_id: `msg_${done.id}`, found_in: "outcomes" });
      await waitFor("replays", () => rx.deliveredIds().get(`msg_${done.id}`) === 2 && rx.deliveredIds().has(`msg_${failed.id}`));
      const replayed = rx.requests.filter((r) => header(r, "webhook-id") === `msg_${failed.id}`).at(-1)!;
      assert.deepEqual(replayed.body, failed.bytes);
      assert.equal(verifyWebhook((await svc.secret(ep.id)).secret, replayed.headers, replayed.body), true);
      assert.equal(await codeOf(svc.replay(ep.id, "msg_nope")), OUTBOUND_CODES.messageNotFound);
    });

    it("deleting an endpoint dead-letters its queue (endpoint_deleted) without restart", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: [60_000] });
      const rx = await receiver(() => ({ status: 500 }));
      const created = await svc.create(parseCreateInput({ url: rx.url, events: [`${T}.*`] }));
      const o = await publishOutcome(bus, `${T}.action.failed`);
      await waitFor("attempt", () => rx.requests.length === 1);
      await svc.remove(created.id);
      assert.equal(await codeOf(Promise.resolve().then(() => svc.get(created.id))), OUTBOUND_CODES.notFound);
      await waitFor("dead letter", async () => (await deadLettersOf(bus, created.id)).length === 1);
      const [dl] = await deadLettersOf(bus, created.id);
      assert.deepEqual([dl?.message_id, dl?.reason], [`msg_${o.id}`, "endpoint_deleted"]);
      await publishOutcome(bus, `${T}.action.failed`);
      await sleep(150);
      assert.equal(rx.requests.length, 1);
    });

    it("secret rotation: old and new secrets both sign during the grace period", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const rx = await receiver();
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      const rotated = await svc.rotateSecret(ep.id, {});
      assert.match(rotated.secret, /^whsec_/);
      assert.ok(Date.parse(rotated.previous_expires_at) - Date.now() > 23 * 3_600_000);
      await publishOutcome(bus, `${T}.a`);
      await waitFor("delivery", () => rx.requests.length === 1);
      const r = rx.requests[0]!;
      assert.equal(header(r, "webhook-signature")?.split(" ").length, 2);
      assert.equal(verifyWebhook(rotated.secret, r.headers, r.body), true);
      assert.equal(verifyWebhook(ep.secret, r.headers, r.body), true);

      // Rotating again without grace: the second secret stops at once, the first keeps its 24 h.
      await svc.rotateSecret(ep.id, { graceMs: 0 });
      const { secret, previous } = svc.secret(ep.id);
      assert.equal(previous.length, 1);
      await publishOutcome(bus, `${T}.b`);
      await waitFor("delivery", () => rx.requests.length === 2);
      const r2 = rx.requests[1]!;
      assert.equal(header(r2, "webhook-signature")?.split(" ").length, 2);
      assert.equal(verifyWebhook(secret, r2.headers, r2.body), true);
      assert.equal(verifyWebhook(ep.secret, r2.headers, r2.body), true);
      assert.equal(verifyWebhook(rotated.secret, r2.headers, r2.body), false);
    });

    it("compatibility scheme: X-Webhook-Signature sha256=<hex HMAC of the body>, both secrets while rotating", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const rx = await receiver();
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`], signing: "hmac-sha256-hex", secret: "my-shared-secret-1234" });
      const o = await publishOutcome(bus, `${T}.a`);
      await waitFor("delivery", () => rx.requests.length === 1);
      const r = rx.requests[0]!;
      assert.equal(header(r, "webhook-signature"), undefined);
      assert.equal(header(r, "x-webhook-id"), `msg_${o.id}`);
      assert.match(header(r, "x-webhook-timestamp") ?? "", /^\d{10}$/);
      assert.match(header(r, "x-webhook-signature") ?? "", /^sha256=[0-9a-f]{64}$/);
      assert.equal(verifyCompatSignature(ep.secret, header(r, "x-webhook-signature"), r.body), true);
      const { secret } = await svc.rotateSecret(ep.id, {});
      await publishOutcome(bus, `${T}.b`);
      await waitFor("delivery", () => rx.requests.length === 2);
      const sig = header(rx.requests[1]!, "x-webhook-signature");
      assert.equal(sig?.split(",").length, 2);
      assert.equal(verifyCompatSignature(secret, sig, rx.requests[1]!.body), true);
      assert.equal(verifyCompatSignature(ep.secret, sig, rx.requests[1]!.body), true);
    });

    it("endpoint auth: a static API key header; OAuth 2.0 client credentials cached and refreshed once on 401", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      let issued = 0;
      const tokenServer = await receiver(() => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ access_token: `tok-${++issued}`, token_type: "Bearer", expires_in: 3600 }) }));
      const oauthRx = await receiver((r) => (header(r, "authorization") === "Bearer tok-1" ? { status: 401 } : header(r, "authorization") === "Bearer tok-2" ? OK : { status: 403 }));
      const keyRx = await receiver((r) => (header(r, "x-api-key") === "k-123" ? OK : { status: 401 }));
      await subscribe(svc, { url: keyRx.url, events: [`${T}.*`], auth: { type: "api_key", header: "X-Api-Key", value: "k-123" } });
      await subscribe(svc, {
        url: oauthRx.url,
        events: [`${T}.*`],
        auth: { type: "oauth2", token_url: tokenServer.url, client_id: "hookbook", client_secret: "s3cret", scope: "webhooks" },
      });
      await publishOutcome(bus, `${T}.a`);
      await waitFor("both delivered", () => keyRx.deliveredIds().size === 1 && oauthRx.deliveredIds().size === 1);
      await publishOutcome(bus, `${T}.b`);
      await waitFor("second delivered", () => oauthRx.deliveredIds().size === 2);
      assert.equal(issued, 2, "one token, one refresh after the 401, then cached");
      const tokenReq = tokenServer.requests[0]!;
      assert.equal(tokenReq.body.toString(), "grant_type=client_credentials&scope=webhooks");
      assert.equal(header(tokenReq, "authorization"), `Basic ${Buffer.from("hookbook:s3cret").toString("base64")}`);
      assert.deepEqual(oauthRx.requests.map((r) => header(r, "authorization")), ["Bearer tok-1", "Bearer tok-2", "Bearer tok-2"]);
    });

    it("SSRF at delivery: a host resolving to loopback at delivery time is refused (DNS rebinding)", async () => {
      const T = uniq();
      const rx = await receiver();
      let lookups = 0;
      const { bus, svc } = await setup({
        ssrf: { allow: [], httpsOnly: false },
        lookupAll: async () => (lookups++ === 0 ? [{ address: "93.184.216.34", family: 4 }] : [{ address: "127.0.0.1", family: 4 }]),
      });
      const ep = await subscribe(svc, { url: `http://rebind.example.test:${rx.port}/hook`, events: [`${T}.*`] });
      await publishOutcome(bus, `${T}.a`);
      await waitFor("attempt", async () => (await svc.attempts(ep.id, 5)).length >= 1);
      const [a] = await svc.attempts(ep.id, 5);
      assert.equal(a?.error_kind, "ssrf");
      assert.match(a?.error ?? "", /127\.0\.0\.1/);
      assert.equal(rx.requests.length, 0);
    });

    it("POST …/test sends a signed webhook.test and returns the receiver's answer", async () => {
      const { svc } = await setup();
      const rx = await receiver(() => ({ status: 202, body: "thanks" }));
      const ep = await subscribe(svc, { url: rx.url, events: ["never.*"] });
      const res = await svc.sendTest(ep.id);
      assert.equal(res.delivered, true);
      assert.equal(res.status, 202);
      assert.equal(res.body, "thanks");
      assert.equal(res.error, null);
      const r = rx.requests[0]!;
      assert.equal(header(r, "webhook-id"), res.message_id);
      assert.equal((JSON.parse(r.body.toString()) as { type: string }).type, "webhook.test");
      assert.equal(verifyWebhook(ep.secret, r.headers, r.body), true);
      await waitFor("test attempt recorded", async () => (await svc.attempts(ep.id, 5)).length === 1);
      assert.equal((await svc.attempts(ep.id, 5))[0]?.outcome, "test");
      assert.equal((await svc.stats(ep.id)).attempts, 0, "test sends are not in the stats");
    });

    it("config endpoints deliver (the operator's own: no SSRF address check), are read-only, a 410 disables them until enabled", async () => {
      const T = uniq();
      const id = uniq("static_");
      let gone = true;
      const rx = await receiver(() => (gone ? { status: 410 } : OK));
      const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
      const { bus, svc } = await setup({
        ssrf: { allow: [], httpsOnly: false },
        staticEndpoints: [{ id, url: rx.url, secret, events: [`${T}.*`], headers: {}, timeoutMs: 2000 }],
      });
      assert.equal(await codeOf(svc.create(parseCreateInput({ url: rx.url, events: ["*"] }))), OUTBOUND_CODES.urlForbidden, "the same URL through the API is refused");
      assert.equal(svc.get(id).read_only, true);
      assert.equal(svc.get(id).source, "config");
      assert.equal(await codeOf(svc.update(id, { url: "http://127.0.0.1:1/" })), OUTBOUND_CODES.readOnly);
      assert.equal(await codeOf(svc.rotateSecret(id, {})), OUTBOUND_CODES.readOnly);
      assert.equal(await codeOf(svc.remove(id)), OUTBOUND_CODES.readOnly);

      await publishOutcome(bus, `${T}.a`);
      await waitFor("disabled", () => svc.get(id).status === "disabled");
      // The state flips in memory first; the operational event is stored right after.
      await waitFor("endpoint.disabled stored", async () => (await outcomesOfType(bus, "endpoint.disabled")).some((e) => e.data["endpoint_id"] === id && e.data["source"] === "config"));
      gone = false;
      await svc.enable(id);
      const o = await publishOutcome(bus, `${T}.b`);
      await waitFor("delivered", () => rx.deliveredIds().has(`msg_${o.id}`));
      assert.equal(verifyWebhook(secret, rx.requests.at(-1)!.headers, rx.requests.at(-1)!.body), true);
    });
  });
}

describe("outbound state on NATS survives a restart", { skip: !natsServerBinary && "nats-server not installed" }, () => {
  it("subscriptions (KV), dead letters (stream) and parked messages are there after a restart", async () => {
    const T = uniq();
    const rx = await startReceiver(() => ({ status: 500 }));
    cleanups.push(() => rx.close());
    const bus1 = await makeBus("nats", file.nats());
    const { svc: svc1 } = await startService(bus1, { retry: [60_000] });
    const created = await svc1.create(parseCreateInput({ url: rx.url, events: [`${T}.*`], description: "survivor" }));
    const parked = await publishOutcome(bus1, `${T}.a`);
    await waitFor("first attempt", () => rx.requests.length === 1);
    await svc1.stop();
    await bus1.close();

    rx.respond = () => OK;
    const bus2 = await makeBus("nats", file.nats());
    cleanups.push(() => bus2.close());
    const { svc: svc2 } = await startService(bus2, { retry: [60_000] });
    cleanups.push(() => svc2.stop());
    cleanups.push(() => svc2.remove(created.id));
    const view = svc2.get(created.id);
    assert.equal(view.description, "survivor");
    assert.equal(svc2.secret(created.id).secret, created.secret);
    // the parked message (next try in 60 s) is still queued; replaying it delivers now
    assert.equal((await svc2.stats(created.id)).queued, 1);
    await svc2.replay(created.id, parked.id);
    await waitFor("replayed", () => rx.deliveredIds().has(`msg_${parked.id}`));
  });
});
