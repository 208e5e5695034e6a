/**
 * Delivery controls end to end, on the memory bus and on a real nats-server (one per file): the
 * circuit breaker (consecutive and ratio rules, no request while open, half-open one at a time,
 * state kept over a restart), the per-endpoint rate limit (arrival spacing against an unlimited
 * endpoint, changes without restart, stops not waiting for tokens), the receiver's
 * `webhook-delivery` header and the operational events. Local receivers fail on command.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AttemptRecord } from "../../src/outbound/records.js";
import type { OutboundOptions } from "../../src/outbound/service.js";
import type { OutboundService } from "../../src/outbound/service-api.js";
import { parseCreateInput, parsePatchInput } from "../../src/outbound/subscription-input.js";
import { natsServerBinary } from "../helpers/nats.js";
import type { BusKind, Received, Reply } from "./outbound-helpers.js";
import { OK, header, makeBus, outboundTestFile, outcomesOfType, publishOutcome, sleep, startReceiver, startService, uniq, waitFor } from "./outbound-helpers.js";

const file = outboundTestFile();
const cleanups = file.cleanups;

interface Event {
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

const eventOf = (r: Received): Event => JSON.parse(r.body.toString()) as Event;

/** Attempt numbers per message id, in order. */
function attemptsByMessage(records: readonly AttemptRecord[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of [...records].reverse()) out.set(r.message_id, [...(out.get(r.message_id) ?? []), r.attempt]);
  return out;
}

const metricValue = (text: string, name: string, endpoint: string): number | undefined => {
  const m = new RegExp(`^${name}\\{endpoint="${endpoint}"\\} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : undefined;
};

for (const kind of ["memory", "nats"] as BusKind[]) {
  describe(`delivery controls on the ${kind} bus`, { skip: kind === "nats" && !natsServerBinary && "nats-server not installed" }, () => {
    const setup = (over: Partial<OutboundOptions> = {}) => file.setup(kind, over);
    const receiver = (respond?: (r: Received) => Reply) => file.receiver(respond);
    const subscribe = (svc: OutboundService, body: Record<string, unknown>) => file.subscribe(svc, body);

    it("circuit breaker: opens after N consecutive failures, nothing is sent while open, half-open probes one at a time, closes, every message delivered once", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: Array(10).fill(50), breaker: { failures: 3, cooldown: 500, halfOpenSuccesses: 3 } });
      let healthy = false;
      const rx = await receiver(() => (healthy ? { status: 200, delayMs: 40 } : { status: 500 }));
      const ops = await receiver();
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      await subscribe(svc, { url: ops.url, events: ["endpoint.*"], filter: { "data.endpoint_id": ep.id, type: { $in: ["endpoint.circuit_opened", "endpoint.circuit_closed"] } } });

      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await publishOutcome(bus, `${T}.action.failed`, { i })).id);
      await waitFor("breaker open", () => svc.get(ep.id).breaker.state === "open");
      const open = svc.get(ep.id).breaker;
      assert.ok(open.opened_at !== undefined && open.retry_at !== undefined);
      assert.ok(open.consecutive_failures >= 3);
      const retryAt = Date.parse(open.retry_at);
      assert.ok(retryAt - Date.parse(open.opened_at) === 500, "first cooldown as configured");
      assert.equal((await svc.stats(ep.id)).breaker.state, "open");
      await sleep(80); // attempts that had started before it opened finish
      const whileOpen = rx.requests.length;
      healthy = true;
      await sleep(Math.max(0, retryAt - Date.now() - 40));
      assert.equal(rx.requests.length, whileOpen, "no request reaches the receiver while the breaker is open");

      await waitFor("breaker closed", () => svc.get(ep.id).breaker.state === "closed", 10_000);
      await waitFor("all delivered", () => rx.deliveredIds().size === 6, 10_000);
      await sleep(200);
      assert.deepEqual([...rx.deliveredIds().keys()].sort(), ids.map((id) => `msg_${id}`).sort());
      assert.ok([...rx.deliveredIds().values()].every((n) => n === 1), "exactly once per id");

      const probes = rx.requests.slice(whileOpen, whileOpen + 3);
      assert.ok((probes[0]?.at ?? 0) >= retryAt - 5, "the first probe waited for the cooldown");
      for (let i = 1; i < probes.length; i++) {
        assert.ok(probes[i]!.at - probes[i - 1]!.at >= 35, `half-open sends one at a time (gap ${probes[i]!.at - probes[i - 1]!.at} ms)`);
      }

      // Being held back by the breaker never counted as an attempt: per message 1, 2, 3 … and one record per request.
      await waitFor("attempt records", async () => (await svc.attempts(ep.id, 200)).length === rx.requests.length);
      for (const [id, numbers] of attemptsByMessage(await svc.attempts(ep.id, 200))) {
        assert.deepEqual(numbers, numbers.map((_, i) => i + 1), `attempt numbers of ${id}`);
      }

      await waitFor("circuit events", () => ops.requests.length === 2);
      const [opened, closed] = ops.requests.map(eventOf);
      assert.equal(opened?.type, "endpoint.circuit_opened");
      assert.equal(opened?.data["reason"], "consecutive_failures");
      assert.equal(opened?.data["retry_at"], open.retry_at);
      assert.equal(closed?.type, "endpoint.circuit_closed");
      assert.equal(closed?.data["opened_at"], open.opened_at);
      const metrics = await svc.metrics.metrics();
      assert.equal(metricValue(metrics, "hookbook_webhook_breaker_opens_total", ep.id), 1);
      assert.equal(metricValue(metrics, "hookbook_webhook_breaker_state", ep.id), 0);
    });

    it("circuit breaker: the ratio rule opens at ≥ ratio failures once the window has minAttempts; disabling while open sends nothing", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: [60_000], breaker: { failures: 100, ratio: 0.6, minAttempts: 5, cooldown: 60_000 } });
      const rx = await receiver((r) => ((JSON.parse(r.body.toString()) as Event).data["ok"] ? OK : { status: 500 }));
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      // ok, fail, fail, ok → 2 of 4: below minAttempts; then fail → 3 of 5 = 60 %
      for (const [i, ok] of [true, false, false, true].entries()) {
        await publishOutcome(bus, `${T}.a`, { ok });
        await waitFor(`attempt ${i + 1}`, () => rx.requests.length === i + 1);
      }
      await sleep(50);
      assert.equal(svc.get(ep.id).breaker.state, "closed", "4 attempts < minAttempts");
      await publishOutcome(bus, `${T}.a`, { ok: false });
      await waitFor("open", () => svc.get(ep.id).breaker.state === "open");
      assert.equal(svc.get(ep.id).breaker.consecutive_failures, 1);
      await waitFor("circuit_opened", async () => (await outcomesOfType(bus, "endpoint.circuit_opened")).some((e) => e.data["endpoint_id"] === ep.id));
      const ev = (await outcomesOfType(bus, "endpoint.circuit_opened")).find((e) => e.data["endpoint_id"] === ep.id)!;
      assert.deepEqual([ev.data["reason"], ev.data["window_attempts"], ev.data["window_failures"]], ["failure_ratio", 5, 3]);
      await publishOutcome(bus, `${T}.a`, { ok: true });
      await sleep(300);
      assert.equal(rx.requests.length, 5, "nothing is sent while open");
      // A manual disable closes the breaker without letting the held message through.
      await svc.disable(ep.id);
      await waitFor("queued messages dead-lettered", async () => (await svc.deadLetters(ep.id, 10)).length === 4);
      assert.ok((await svc.deadLetters(ep.id, 10)).every((d) => d.reason === "endpoint_disabled"));
      assert.equal(svc.get(ep.id).breaker.state, "closed");
      await sleep(100);
      assert.equal(rx.requests.length, 5, "no attempt on disable");
    });

    it("circuit breaker and auto-disable: the failing period keeps counting while open; the next failure after disableAfterMs disables", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: Array(20).fill(20), disableAfterMs: 600, breaker: { failures: 2, cooldown: 150 } });
      const rx = await receiver(() => ({ status: 503 }));
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      await publishOutcome(bus, `${T}.a`);
      await waitFor("disabled", () => svc.get(ep.id).status === "disabled", 8000);
      assert.equal(svc.get(ep.id).disabled_reason, "failing");
      // 2 attempts, then a probe every cooldown (150, 300, 600 ms): far fewer than the schedule's 20 ms retries
      assert.ok(rx.requests.length <= 6, `attempts while the breaker was opening and closing: ${rx.requests.length}`);
      await waitFor("dead letter", async () => (await svc.deadLetters(ep.id, 5)).length === 1);
      assert.equal((await svc.deadLetters(ep.id, 5))[0]?.reason, "endpoint_disabled");
      await svc.enable(ep.id);
      assert.equal(svc.get(ep.id).breaker.state, "closed", "a manual enable resets the breaker");
    });

    it("rate limit: 20 messages at 10/s arrive spaced by the bucket while an unlimited endpoint gets them at once; throttling is no attempt", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const limited = await receiver();
      const free = await receiver();
      const epLimited = await subscribe(svc, { url: limited.url, events: [`${T}.*`], rate_limit: { requests: 10, period_ms: 1000 } });
      const epFree = await subscribe(svc, { url: free.url, events: [`${T}.*`] });
      assert.deepEqual(svc.get(epLimited.id).rate_limit, { requests: 10, period_ms: 1000 });
      assert.equal(svc.get(epFree.id).rate_limit, null);
      const t0 = Date.now();
      for (let i = 0; i < 20; i++) await publishOutcome(bus, `${T}.a`, { i });
      await waitFor("unlimited endpoint", () => free.deliveredIds().size === 20, 5000);
      const freeDone = Date.now();
      await waitFor("limited endpoint", () => limited.deliveredIds().size === 20, 8000);
      const at = limited.requests.map((r) => r.at);
      assert.ok(freeDone - t0 < 900, `the unlimited endpoint is not held back (${freeDone - t0} ms)`);
      assert.ok(at.at(-1)! - at[0]! >= 850, `20 at 10/s take ≈ 1 s, took ${at.at(-1)! - at[0]!} ms`);
      // never more than 10 + t·10/s in any interval (one extra for timing jitter)
      for (let i = 0; i < at.length; i++) {
        for (let j = i + 1; j < at.length; j++) assert.ok(j - i + 1 <= 10 + (at[j]! - at[i]!) / 100 + 1, `requests ${i}…${j} within ${at[j]! - at[i]!} ms`);
      }
      await waitFor("attempt records", async () => (await svc.attempts(epLimited.id, 100)).length === 20);
      const attempts = await svc.attempts(epLimited.id, 100);
      assert.ok(attempts.every((a) => a.attempt === 1 && a.outcome === "delivered"), "every message in one attempt");
      const metrics = await svc.metrics.metrics();
      assert.ok((metricValue(metrics, "hookbook_webhook_throttled_total", epLimited.id) ?? 0) >= 9);
      assert.equal(metricValue(metrics, "hookbook_webhook_throttled_total", epFree.id), undefined);
      assert.match(metrics, new RegExp(`hookbook_webhook_throttle_wait_seconds_count\\{endpoint="${epLimited.id}"\\} \\d+`));
    });

    it("rate limit: a change applies without restart (null removes it); disabling wakes waiting messages at once; the test send is not limited", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const rx = await receiver();
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`], rate_limit: { requests: 1, period_ms: 60_000 } });
      for (let i = 0; i < 5; i++) await publishOutcome(bus, `${T}.a`, { i });
      await waitFor("first", () => rx.requests.length === 1);
      await sleep(200);
      assert.equal(rx.requests.length, 1, "one per minute");
      assert.equal((await svc.sendTest(ep.id)).delivered, true, "POST …/test ignores the rate limit");
      await svc.update(ep.id, parsePatchInput({ rate_limit: null }));
      await waitFor("the rest at once", () => rx.deliveredIds().size === 6, 3000);
      assert.equal(svc.get(ep.id).rate_limit, null);

      await svc.update(ep.id, parsePatchInput({ rate_limit: { requests: 1, period_ms: 3_600_000 } }));
      for (let i = 0; i < 4; i++) await publishOutcome(bus, `${T}.b`, { i });
      await waitFor("one more", () => rx.requests.length === 7);
      await sleep(100);
      const t0 = Date.now();
      await svc.disable(ep.id);
      assert.ok(Date.now() - t0 < 3000, `disable did not wait for tokens (${Date.now() - t0} ms)`);
      await waitFor("waiting messages dead-lettered", async () => (await svc.deadLetters(ep.id, 10)).filter((d) => d.reason === "endpoint_disabled").length === 3);
      assert.equal(rx.requests.length, 7, "no attempt for the woken messages");
      const dls = await svc.deadLetters(ep.id, 10);
      assert.ok(dls.every((d) => d.attempts === 0), "dead letters show no attempt");
    });

    it("stopping the service does not wait for messages held by an open breaker or a rate limit", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: [50, 50], breaker: { failures: 1, cooldown: 60_000 } });
      const down = await receiver(() => ({ status: 500 }));
      const slow = await receiver();
      const epDown = await subscribe(svc, { url: down.url, events: [`${T}.*`], max_in_flight: 1 });
      const epSlow = await subscribe(svc, { url: slow.url, events: [`${T}.*`], rate_limit: { requests: 1, period_ms: 3_600_000 } });
      for (let i = 0; i < 4; i++) await publishOutcome(bus, `${T}.a`, { i });
      await waitFor("open and throttled", () => svc.get(epDown.id).breaker.state === "open" && slow.requests.length === 1);
      await sleep(200); // the failed message is back (retry after 50 ms) and held
      assert.equal(down.requests.length, 1);
      const t0 = Date.now();
      await svc.stop();
      assert.ok(Date.now() - t0 < 3000, `stop took ${Date.now() - t0} ms`);
      assert.equal(slow.requests.length, 1);
      assert.equal(epSlow.id.length > 0, true);
    });

    it("webhook-delivery: disable turns the endpoint off (receiver_disabled); abort-message dead-letters only that message; unknown values are ignored", async () => {
      const T = uniq();
      const { bus, svc, logger } = await setup({ retry: [30, 30, 30] });
      const quit = await receiver(() => ({ status: 500, headers: { "webhook-delivery": "disable" } }));
      const picky = await receiver((r) => {
        const data = (JSON.parse(r.body.toString()) as Event).data;
        if (data["abort"]) return { status: 422, headers: { "webhook-delivery": "Abort-Message" } };
        if (data["odd"] && r.n <= 2) return { status: 500, headers: { "webhook-delivery": "pause-please" } };
        return OK;
      });
      const ops = await receiver();
      const epQuit = await subscribe(svc, { url: quit.url, events: [`${T}.*`] });
      const epPicky = await subscribe(svc, { url: picky.url, events: [`${T}.*`] });
      await subscribe(svc, { url: ops.url, events: ["endpoint.disabled"], filter: { "data.endpoint_id": epQuit.id } });

      const aborted = await publishOutcome(bus, `${T}.a`, { abort: true });
      await waitFor("disabled by the receiver", () => svc.get(epQuit.id).status === "disabled");
      assert.equal(svc.get(epQuit.id).disabled_reason, "receiver");
      await waitFor("dead letters", async () => (await svc.deadLetters(epQuit.id, 5)).length === 1 && (await svc.deadLetters(epPicky.id, 5)).length === 1);
      const [quitDl] = await svc.deadLetters(epQuit.id, 5);
      assert.deepEqual([quitDl?.reason, quitDl?.attempts, quitDl?.last_attempt?.status], ["receiver_disabled", 1, 500]);
      const [pickyDl] = await svc.deadLetters(epPicky.id, 5);
      assert.deepEqual([pickyDl?.reason, pickyDl?.message_id, pickyDl?.attempts], ["aborted", `msg_${aborted.id}`, 1]);
      assert.equal(svc.get(epPicky.id).status, "enabled", "abort-message leaves the endpoint enabled");
      await waitFor("endpoint.disabled", () => ops.requests.length === 1);
      assert.equal(eventOf(ops.requests[0]!).data["reason"], "receiver");

      const odd = await publishOutcome(bus, `${T}.b`, { odd: true });
      await waitFor("odd delivered after retries", () => picky.deliveredIds().has(`msg_${odd.id}`));
      assert.equal(picky.requests.filter((r) => header(r, "webhook-id") === `msg_${odd.id}`).length, 2, "an unknown value changes nothing: retried as usual");
      assert.equal(logger.lines.filter((l) => l.level === "warn" && /webhook-delivery/.test(l.msg ?? "")).length, 1, "logged once");
      assert.equal(quit.requests.length, 1, "nothing more to an endpoint the receiver disabled");
      assert.equal(picky.requests.filter((r) => header(r, "webhook-id") === `msg_${aborted.id}`).length, 1, "an aborted message is not retried");
    });

    it("webhook-delivery: disable on a 2xx answer: the message counts as delivered, the endpoint is disabled", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const rx = await receiver(() => ({ status: 200, headers: { "webhook-delivery": "disable" } }));
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      const o = await publishOutcome(bus, `${T}.a`);
      await waitFor("disabled", () => svc.get(ep.id).status === "disabled");
      assert.equal(svc.get(ep.id).disabled_reason, "receiver");
      assert.ok(rx.deliveredIds().has(`msg_${o.id}`));
      await sleep(100);
      assert.deepEqual(await svc.deadLetters(ep.id, 5), []);
    });

    it("operational events: message.attempt.failing / exhausted / recovered and endpoint.created / updated / deleted reach an ops subscription, never the endpoint they are about", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: Array(6).fill(20) });
      const ops = await receiver();
      const opsEp = await subscribe(svc, { url: ops.url, events: ["message.*", "endpoint.*"] });
      // fails a T message 5 times then accepts it, except {never: true} which always fails
      const perId = new Map<string, number>();
      const flaky = await receiver((r) => {
        const ev = eventOf(r);
        if (!ev.type.startsWith(`${T}.`)) return OK;
        const n = (perId.get(ev.id) ?? 0) + 1;
        perId.set(ev.id, n);
        return ev.data["never"] || n <= 5 ? { status: 500, body: "nope" } : OK;
      });
      const ep = await subscribe(svc, { url: `${flaky.url}?token=s3cret`, events: [`${T}.*`, "message.*", "endpoint.*"] });
      const recovering = await publishOutcome(bus, `${T}.action.failed`, { never: false });
      const hopeless = await publishOutcome(bus, `${T}.action.failed`, { never: true });
      await waitFor("recovered delivered", () => flaky.deliveredIds().has(`msg_${recovering.id}`), 8000);
      await waitFor("hopeless dead-lettered", async () => (await svc.deadLetters(ep.id, 5)).length === 1, 8000);
      await svc.update(ep.id, parsePatchInput({ description: "flaky", max_in_flight: 2 }));

      const about = (type: string, id: string): Event[] => ops.requests.map(eventOf).filter((e) => e.type === type && e.data["endpoint_id"] === id);
      await waitFor("ops events", () => about("message.attempt.failing", ep.id).length === 2 && about("message.attempt.exhausted", ep.id).length === 1 && about("message.attempt.recovered", ep.id).length === 1 && about("endpoint.updated", ep.id).length === 1);
      const failing = about("message.attempt.failing", ep.id).find((e) => e.data["outcome_id"] === recovering.id)!;
      assert.deepEqual(failing.data, { endpoint_id: ep.id, message_id: `msg_${recovering.id}`, outcome_id: recovering.id, type: `${T}.action.failed`, attempt: 4, last_status: 500, last_error: "HTTP 500" });
      const exhausted = about("message.attempt.exhausted", ep.id)[0]!;
      assert.deepEqual([exhausted.data["outcome_id"], exhausted.data["attempt"], exhausted.data["last_status"]], [hopeless.id, 7, 500]);
      const recovered = about("message.attempt.recovered", ep.id)[0]!;
      assert.deepEqual([recovered.data["outcome_id"], recovered.data["attempt"], recovered.data["last_status"]], [recovering.id, 6, 200]);
      const created = about("endpoint.created", ep.id)[0];
      assert.deepEqual(created?.data, { endpoint_id: ep.id, source: "api", url: new URL(flaky.url).origin }, "the URL's origin only: no path, no token");
      assert.deepEqual(about("endpoint.updated", ep.id)[0]?.data["fields"], ["description", "max_in_flight"]);

      await svc.remove(ep.id);
      await waitFor("endpoint.deleted", () => about("endpoint.deleted", ep.id).length === 1);

      // The endpoint subscribed to message.* and endpoint.* itself: it got none about itself …
      const selfEvents = flaky.requests.map(eventOf).filter((e) => (e.type.startsWith("message.") || e.type.startsWith("endpoint.")) && e.data["endpoint_id"] === ep.id);
      assert.deepEqual(selfEvents, []);
      // … nor did the ops endpoint, whose own update is on the stream but not sent to it.
      await svc.update(opsEp.id, parsePatchInput({ description: "ops" }));
      await waitFor("stored", async () => (await outcomesOfType(bus, "endpoint.updated")).some((e) => e.data["endpoint_id"] === opsEp.id));
      await sleep(150);
      assert.equal(about("endpoint.updated", opsEp.id).length, 0);
    });
  });
}

describe("delivery controls on NATS survive a restart", { skip: !natsServerBinary && "nats-server not installed" }, () => {
  it("an open breaker stays open after a restart (same retry time), then half-opens and delivers", async () => {
    const T = uniq();
    let healthy = false;
    const rx = await startReceiver(() => (healthy ? OK : { status: 500 }));
    cleanups.push(() => rx.close());
    const breaker = { failures: 2, cooldown: 2500 };
    const bus1 = await makeBus("nats", file.nats());
    const { svc: svc1 } = await startService(bus1, { retry: Array(10).fill(50), breaker });
    const created = await svc1.create(parseCreateInput({ url: rx.url, events: [`${T}.*`], max_in_flight: 1 }));
    const o = await publishOutcome(bus1, `${T}.a`);
    await waitFor("open", () => svc1.get(created.id).breaker.state === "open");
    const open = svc1.get(created.id).breaker;
    await svc1.stop();
    await bus1.close();
    const sent = rx.requests.length;

    healthy = true;
    const bus2 = await makeBus("nats", file.nats());
    cleanups.push(() => bus2.close());
    const { svc: svc2 } = await startService(bus2, { retry: Array(10).fill(50), breaker });
    cleanups.push(() => svc2.stop());
    cleanups.push(() => svc2.remove(created.id));
    assert.deepEqual(svc2.get(created.id).breaker, open, "the stored breaker is honoured");
    const retryAt = Date.parse(open.retry_at!);
    await waitFor("delivered after the cooldown", () => rx.deliveredIds().has(`msg_${o.id}`), 20_000);
    // Judged by the receiver's arrival times, not by polling: a loaded machine may check late.
    const early = rx.requests.slice(sent).filter((r) => r.at < retryAt - 5);
    assert.deepEqual(early, [], "nothing is sent before the stored retry time");
    await waitFor("half-open", () => svc2.get(created.id).breaker.state !== "open");
  });
});
