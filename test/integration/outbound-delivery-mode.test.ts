/**
 * Delivery modes per endpoint (`delivery_mode`): at_least_once (default) retries every failure;
 * at_most_once retries only attempts that provably never reached the receiver (connection
 * refused, DNS, TLS, SSRF, proxy refusal) and dead-letters `at_most_once` after any answer or a
 * timeout once the request was sent. On the memory bus and on a real nats-server.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.js";
import { isHookbookError } from "../../src/core/errors.js";
import type { Bus } from "../../src/bus/port.js";
import { createGuardedHttpClient } from "../../src/outbound/http-client.js";
import { HttpRequestError } from "../../src/outbound/http-client.js";
import { OUTBOUND_CODES } from "../../src/outbound/outbound-errors.js";
import type { OutboundOptions } from "../../src/outbound/service.js";
import type { OutboundService } from "../../src/outbound/service-api.js";
import { compileSsrfPolicy } from "../../src/outbound/ssrf-guard.js";
import { parseCreateInput, parsePatchInput } from "../../src/outbound/subscription-input.js";
import { natsServerBinary } from "../helpers/nats.js";
import type { BusKind, ControlledReceiver, Received, Reply } from "./outbound-helpers.js";
import { errorCodeOf, makeBus, outboundTestFile, publishOutcome, sleep, startReceiver, startService, uniq, waitFor } from "./outbound-helpers.js";

const file = outboundTestFile();
const cleanups = file.cleanups;

const FAIL_500: Reply = { status: 500, body: "boom" };

for (const kind of ["memory", "nats"] as BusKind[]) {
  describe(`delivery modes on the ${kind} bus`, { skip: kind === "nats" && !natsServerBinary && "nats-server not installed" }, () => {
    async function setup(over: Partial<OutboundOptions> = {}): Promise<{ bus: Bus; svc: OutboundService }> {
      const bus = await makeBus(kind, file.nats());
      cleanups.push(() => bus.close());
      const { svc } = await startService(bus, over);
      cleanups.push(() => svc.stop());
      return { bus, svc };
    }

    async function receiver(respond?: (r: Received) => Reply): Promise<ControlledReceiver> {
      const rx = await startReceiver(respond);
      cleanups.push(() => rx.close());
      return rx;
    }

    async function subscribe(svc: OutboundService, body: Record<string, unknown>): Promise<string> {
      const created = await svc.create(parseCreateInput(body));
      cleanups.push(() => svc.remove(created.id));
      return created.id;
    }

    it("at_most_once: a 500 answer is final — one request, dead letter at_most_once; at_least_once retries the same answer", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const once = await receiver(() => FAIL_500);
      const least = await receiver(() => FAIL_500);
      const idOnce = await subscribe(svc, { url: once.url, events: [`${T}.*`], delivery_mode: "at_most_once" });
      const idLeast = await subscribe(svc, { url: least.url, events: [`${T}.*`] });
      assert.equal(svc.get(idOnce).delivery_mode, "at_most_once");
      assert.equal(svc.get(idLeast).delivery_mode, "at_least_once");

      const { id } = await publishOutcome(bus, `${T}.action.failed`);
      await waitFor("at_least_once exhausted", async () => (await svc.deadLetters(idLeast, 10)).length === 1);
      await waitFor("at_most_once dead-lettered", async () => (await svc.deadLetters(idOnce, 10)).length === 1);
      await sleep(300);

      assert.equal(once.requests.length, 1, "at_most_once: never sent twice");
      assert.equal(least.requests.length, 4, "at_least_once: 1 + 3 retries of the test schedule");
      const [dlOnce] = await svc.deadLetters(idOnce, 10);
      assert.equal(dlOnce?.reason, "at_most_once");
      assert.equal(dlOnce?.attempts, 1);
      assert.equal(dlOnce?.outcome_id, id);
      assert.equal(dlOnce?.last_attempt?.status, 500);
      assert.equal((await svc.deadLetters(idLeast, 10))[0]?.reason, "exhausted");
      const attempts = await svc.attempts(idOnce, 10);
      assert.deepEqual(
        attempts.map((a) => a.outcome),
        ["dead"],
      );
    });

    it("at_most_once: refused connections are retried (the request never arrived) until the receiver is up", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: [100, 100, 100, 100, 100, 100, 100, 100] });
      const rx = await receiver();
      await rx.down();
      const epId = await subscribe(svc, { url: rx.url, events: [`${T}.*`], delivery_mode: "at_most_once" });
      const { id } = await publishOutcome(bus, `${T}.x`);
      await waitFor("two refused attempts", async () => (await svc.attempts(epId, 10)).length >= 2);
      await rx.up();
      await waitFor("delivered", () => rx.requests.length === 1);
      await sleep(200);
      assert.equal(rx.requests.length, 1);
      const attempts = (await svc.attempts(epId, 20)).sort((a, b) => a.attempt - b.attempt);
      assert.equal(attempts.at(-1)?.outcome, "delivered");
      for (const a of attempts.slice(0, -1)) {
        assert.equal(a.outcome, "retry");
        assert.equal(a.error_kind, "connect");
      }
      assert.equal(attempts[0]?.message_id, `msg_${id}`);
      assert.equal((await svc.deadLetters(epId, 10)).length, 0);
    });

    it("at_most_once: a timeout after the request was sent is final (the receiver may have it); at_least_once retries it", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const hangOnce = await receiver(() => "hang");
      const hangLeast = await receiver((r) => (r.n === 1 ? "hang" : { status: 200 }));
      const idOnce = await subscribe(svc, { url: hangOnce.url, events: [`${T}.*`], delivery_mode: "at_most_once", timeout_ms: 300 });
      const idLeast = await subscribe(svc, { url: hangLeast.url, events: [`${T}.*`], timeout_ms: 300 });
      await publishOutcome(bus, `${T}.x`);
      await waitFor("at_most_once dead-lettered", async () => (await svc.deadLetters(idOnce, 10)).length === 1);
      await waitFor("at_least_once delivered on the retry", async () => (await svc.attempts(idLeast, 10)).some((a) => a.outcome === "delivered"), 10_000);
      const [dl] = await svc.deadLetters(idOnce, 10);
      assert.equal(dl?.reason, "at_most_once");
      assert.equal(dl?.last_attempt?.error_kind, "timeout");
      assert.equal(hangOnce.requests.length, 1);
      assert.equal(hangLeast.requests.length, 2);
    });

    it("delivery_mode is validated, patched (null = default) and taken from config endpoints", async () => {
      const T = uniq();
      const rx = await receiver(() => FAIL_500);
      const { bus, svc } = await setup({
        staticEndpoints: [{ id: `cfg-${T}`, url: rx.url, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", events: [`${T}.*`], headers: {}, timeoutMs: 2000, deliveryMode: "at_most_once" }],
      });
      assert.equal(svc.get(`cfg-${T}`).delivery_mode, "at_most_once");
      assert.equal(await errorCodeOf(Promise.resolve().then(() => parseCreateInput({ url: rx.url, events: ["*"], delivery_mode: "exactly_once" }))), OUTBOUND_CODES.invalid);
      assert.equal(await errorCodeOf(Promise.resolve().then(() => parsePatchInput({ delivery_mode: 1 }))), OUTBOUND_CODES.invalid);
      const epId = await subscribe(svc, { url: rx.url, events: [`other-${T}.*`] });
      assert.equal((await svc.update(epId, parsePatchInput({ delivery_mode: "at_most_once" }))).delivery_mode, "at_most_once");
      assert.equal((await svc.update(epId, parsePatchInput({ delivery_mode: null }))).delivery_mode, "at_least_once");

      await publishOutcome(bus, `${T}.x`);
      await waitFor("config endpoint dead-lettered", async () => (await svc.deadLetters(`cfg-${T}`, 10)).length === 1);
      assert.equal((await svc.deadLetters(`cfg-${T}`, 10))[0]?.reason, "at_most_once");
      assert.equal(rx.requests.length, 1);
    });
  });
}

describe("config: outbound.endpoints[].deliveryMode", () => {
  it("is read from YAML and validated", () => {
    const dir = mkdtempSync(join(tmpdir(), "hb-delivery-mode-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "hookbook.yaml");
    const yaml = (mode: string): string =>
      `outbound:\n  endpoints:\n    - id: ops\n      url: https://ops.example.com/hook\n      secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n      deliveryMode: ${mode}\n`;
    writeFileSync(file, yaml("at_most_once"));
    assert.equal(loadConfig({ file, cwd: dir, env: {} }).outbound.endpoints[0]?.deliveryMode, "at_most_once");
    writeFileSync(file, yaml("exactly_once"));
    assert.throws(
      () => loadConfig({ file, cwd: dir, env: {} }),
      (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID",
    );
  });
});

describe("the guarded client tells whether a request can have reached the receiver", () => {
  it("refused connection → connect; an answer-less timeout after sending → timeout", async () => {
    const policy = compileSsrfPolicy({ allow: ["127.0.0.1/32"], httpsOnly: false });
    const client = createGuardedHttpClient({ policy });
    cleanups.push(() => client.close());
    const rx = await startReceiver(() => "hang");
    cleanups.push(() => rx.close());
    const kindOf = async (url: string): Promise<string> => {
      try {
        await client.send({ url, headers: {}, body: "{}", timeoutMs: 300 });
      } catch (err) {
        assert.ok(err instanceof HttpRequestError);
        return err.kind;
      }
      return "answered";
    };
    assert.equal(await kindOf(rx.url), "timeout");
    assert.equal(rx.requests.length, 1, "the request did arrive");
    await rx.down();
    assert.equal(await kindOf(rx.url), "connect");
  });
});
