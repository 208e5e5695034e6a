/**
 * The Bus contract (port.ts), run against the memory bus and the NATS bus (a nats-server of
 * this file's own on a random port with a temporary store), plus NATS-only outage tests.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { HookbookError, isHookbookError } from "../../src/core/errors.js";
import { createMemoryBus } from "../../src/bus/memory.js";
import { connectNatsBus } from "../../src/bus/nats/connect.js";
import type { Bus, Delivery, StreamSpec } from "../../src/bus/port.js";
import { decodeJson, encodeJson } from "../../src/bus/port.js";
import type { TestNats } from "../helpers/nats.js";
import { natsServerBinary, startTestNats } from "../helpers/nats.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let counter = 0;
/** A fresh stream per test: tests never see each other's messages. */
function freshStream(retention: StreamSpec["retention"] = "limits"): { spec: StreamSpec; subject: (s: string) => string } {
  const id = `t${Date.now().toString(36)}${counter++}`;
  return {
    spec: { name: `S_${id}`, subjects: [`${id}.>`], retention, duplicateWindowMs: 60_000, maxAgeMs: 0 },
    subject: (s) => `${id}.${s}`,
  };
}

interface Seen {
  readonly subject: string;
  readonly seq: number;
  readonly deliveryCount: number;
  readonly at: number;
  readonly body: string;
}

function record(d: Delivery): Seen {
  return { subject: d.subject, seq: d.seq, deliveryCount: d.deliveryCount, at: Date.now(), body: text(d.data) };
}

type BusFactory = () => Promise<Bus>;

function busContract(name: string, makeBus: BusFactory, isReady: () => boolean = () => true): void {
  describe(`Bus contract: ${name}`, { skip: !isReady() && "nats-server not installed" }, () => {
    let bus: Bus;
    before(async () => {
      bus = await makeBus();
    });
    after(async () => {
      await bus?.close();
    });

    test("publish stores and a consumer receives subject, data, headers, seq, deliveryCount, storedAt; json() decodes", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      const before = Date.now();
      const ack1 = await bus.publish(subject("a"), encodeJson({ n: 1 }), { headers: { "X-Hb-Test": "yes" } });
      const ack2 = await bus.publish(subject("b"), encodeJson({ n: 2 }));
      assert.deepEqual(ack1, { stream: spec.name, seq: 1, duplicate: false });
      assert.deepEqual(ack2, { stream: spec.name, seq: 2, duplicate: false });
      const got: Delivery[] = [];
      const h = await bus.consume({ stream: spec.name, durable: "basic" }, async (d) => {
        got.push(d);
      });
      await waitFor("2 deliveries", () => got.length === 2);
      await h.stop();
      const [d1, d2] = got;
      assert.ok(d1 && d2);
      assert.equal(d1.subject, subject("a"));
      assert.equal(d1.seq, 1);
      assert.equal(d1.deliveryCount, 1);
      assert.equal(d1.headers["X-Hb-Test"], "yes");
      assert.deepEqual(d1.json(), { n: 1 });
      assert.deepEqual(decodeJson(d2.data), { n: 2 });
      assert.equal(d2.seq, 2);
      assert.ok(d1.storedAt >= before - 1000 && d1.storedAt <= Date.now() + 1000, `storedAt ${d1.storedAt}`);
    });

    test("a subject no stream stores is rejected with HB_ERR_BUS_UNAVAILABLE", async () => {
      await assert.rejects(bus.publish("nobody.stores.this", bytes("x"), { timeoutMs: 1000 }), (err: unknown) => {
        return isHookbookError(err) && err.code === "HB_ERR_BUS_UNAVAILABLE";
      });
    });

    test("a repeated msgId inside the duplicate window is acked as duplicate and stored once", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      const first = await bus.publish(subject("x"), bytes("one"), { msgId: "dedup-1" });
      const second = await bus.publish(subject("x"), bytes("two"), { msgId: "dedup-1" });
      const other = await bus.publish(subject("x"), bytes("three"), { msgId: "dedup-2" });
      assert.equal(first.duplicate, false);
      assert.equal(second.duplicate, true);
      assert.equal(second.seq, first.seq);
      assert.equal(other.duplicate, false);
      assert.equal(other.seq, first.seq + 1);
      assert.equal((await bus.streamInfo?.(spec.name))?.messages, 2);
      const got: Seen[] = [];
      const h = await bus.consume({ stream: spec.name, durable: "dedup" }, async (d) => {
        got.push(record(d));
        assert.equal(d.headers["Nats-Msg-Id"], d.seq === first.seq ? "dedup-1" : "dedup-2");
      });
      await waitFor("2 deliveries", () => got.length === 2);
      await sleep(200);
      await h.stop();
      assert.deepEqual(got.map((s) => s.body), ["one", "three"]);
    });

    test("a work-queue stream drops a message once it is acked; a limits stream keeps it", async () => {
      const wq = freshStream("workqueue");
      const lim = freshStream("limits");
      await bus.ensureStreams([wq.spec, lim.spec]);
      for (let i = 0; i < 3; i++) {
        await bus.publish(wq.subject("job"), bytes(`w${i}`));
        await bus.publish(lim.subject("evt"), bytes(`l${i}`));
      }
      assert.equal((await bus.streamInfo?.(wq.spec.name))?.messages, 3);
      let wqSeen = 0;
      let limSeen = 0;
      const h1 = await bus.consume({ stream: wq.spec.name, durable: "runner" }, async () => {
        wqSeen++;
      });
      const h2 = await bus.consume({ stream: lim.spec.name, durable: "reader" }, async () => {
        limSeen++;
      });
      await waitFor("all handled", () => wqSeen === 3 && limSeen === 3);
      await waitFor("work queue emptied", async () => (await bus.streamInfo?.(wq.spec.name))?.messages === 0);
      await h1.stop();
      await h2.stop();
      const wqStats = await bus.streamInfo?.(wq.spec.name);
      assert.equal(wqStats?.lastSeq, 3);
      assert.equal((await bus.streamInfo?.(lim.spec.name))?.messages, 3);
      assert.equal(await bus.streamInfo?.("NO_SUCH_STREAM"), undefined);
    });

    test("a durable consumer resumes after the last acked message when consumed again", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      for (let i = 1; i <= 3; i++) await bus.publish(subject("e"), bytes(`m${i}`));
      const first: number[] = [];
      const h1 = await bus.consume({ stream: spec.name, durable: "resume" }, async (d) => {
        first.push(d.seq);
      });
      await waitFor("first 3", () => first.length === 3);
      await h1.stop();
      for (let i = 4; i <= 5; i++) await bus.publish(subject("e"), bytes(`m${i}`));
      const second: number[] = [];
      const h2 = await bus.consume({ stream: spec.name, durable: "resume" }, async (d) => {
        second.push(d.seq);
      });
      await waitFor("next 2", () => second.length === 2);
      await sleep(300);
      await h2.stop();
      assert.deepEqual(first, [1, 2, 3]);
      assert.deepEqual(second, [4, 5]);
    });

    test("deliverPolicy new: a new durable skips what was stored before it; an existing one resumes", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      for (let i = 1; i <= 2; i++) await bus.publish(subject("e"), bytes(`old${i}`));
      const seen: string[] = [];
      const h1 = await bus.consume({ stream: spec.name, durable: "fresh", deliverPolicy: "new" }, async (d) => {
        seen.push(text(d.data));
      });
      await bus.publish(subject("e"), bytes("new1"));
      await waitFor("new1", () => seen.length === 1);
      await h1.stop();
      await bus.publish(subject("e"), bytes("new2"));
      const h2 = await bus.consume({ stream: spec.name, durable: "fresh", deliverPolicy: "new" }, async (d) => {
        seen.push(text(d.data));
      });
      await waitFor("new2 after resume", () => seen.length === 2);
      await sleep(200);
      await h2.stop();
      assert.deepEqual(seen, ["new1", "new2"]);
    });

    test("a handler that throws gets the message again with deliveryCount incremented", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      await bus.publish(subject("e"), bytes("flaky"));
      const got: Seen[] = [];
      const h = await bus.consume({ stream: spec.name, durable: "throws" }, async (d) => {
        got.push(record(d));
        if (d.deliveryCount === 1) throw new Error("transient failure");
        if (d.deliveryCount === 2) throw new HookbookError("HB_ERR_BUS_UNAVAILABLE", "later", { retryAfterMs: 100 });
      });
      await waitFor("3 deliveries", () => got.length === 3, 8000);
      await sleep(200);
      await h.stop();
      assert.deepEqual(got.map((s) => [s.seq, s.deliveryCount]), [[1, 1], [1, 2], [1, 3]]);
      const [g1, g2, g3] = got;
      assert.ok(g1 && g2 && g3);
      // transient: backoff of redeliveryDelayMs(1) = 250..500 ms; retry-after: its 100 ms
      assert.ok(g2.at - g1.at >= 200, `backoff ${g2.at - g1.at} ms`);
      assert.ok(g3.at - g2.at >= 80 && g3.at - g2.at < 2000, `retry-after ${g3.at - g2.at} ms`);
    });

    test("a permanent error terminates the message: never redelivered, the consumer moves on", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      await bus.publish(subject("e"), bytes("poison"));
      await bus.publish(subject("e"), bytes("fine"));
      const got: Seen[] = [];
      const h = await bus.consume({ stream: spec.name, durable: "permanent", maxAckPending: 1 }, async (d) => {
        got.push(record(d));
        if (text(d.data) === "poison") throw new HookbookError("HB_ERR_INVALID_PAYLOAD", "cannot parse");
      });
      await waitFor("both seen", () => got.length >= 2);
      await sleep(800);
      await h.stop();
      assert.deepEqual(got.map((s) => [s.body, s.deliveryCount]), [["poison", 1], ["fine", 1]]);
    });

    test("nak(delay) redelivers no sooner than the delay", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      await bus.publish(subject("e"), bytes("later"));
      const got: Seen[] = [];
      const h = await bus.consume({ stream: spec.name, durable: "nak" }, async (d) => {
        got.push(record(d));
        if (d.deliveryCount === 1) d.nak(400);
      });
      await waitFor("redelivery", () => got.length === 2);
      await sleep(200);
      await h.stop();
      const [g1, g2] = got;
      assert.ok(g1 && g2);
      assert.equal(got.length, 2, "the handler's own nak is not followed by an ack-and-drop or a second redelivery");
      assert.equal(g2.deliveryCount, 2);
      assert.ok(g2.at - g1.at >= 350, `redelivered after ${g2.at - g1.at} ms`);
    });

    test("maxDeliver gives up after that many deliveries", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      await bus.publish(subject("e"), bytes("always fails"));
      await bus.publish(subject("e"), bytes("next"));
      const got: Seen[] = [];
      const h = await bus.consume({ stream: spec.name, durable: "maxdeliver", maxDeliver: 3 }, async (d) => {
        got.push(record(d));
        if (text(d.data) === "always fails") throw new HookbookError("HB_ERR_ACTION_FAILED", "boom");
      });
      await waitFor("next delivered", () => got.some((s) => s.body === "next"), 8000);
      await sleep(800);
      await h.stop();
      assert.deepEqual(
        got.filter((s) => s.body === "always fails").map((s) => s.deliveryCount),
        [1, 2, 3],
      );
    });

    test("a handler that neither acks nor finishes within ackWaitMs sees the message again", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      await bus.publish(subject("e"), bytes("slow"));
      const got: Seen[] = [];
      let release: () => void = () => undefined;
      const hung = new Promise<void>((resolve) => {
        release = resolve;
      });
      const h = await bus.consume({ stream: spec.name, durable: "ackwait", ackWaitMs: 500, maxAckPending: 2 }, async (d) => {
        got.push(record(d));
        if (d.deliveryCount === 1) await hung;
      });
      await waitFor("redelivery after ack wait", () => got.length === 2, 5000);
      release();
      await h.stop();
      const [g1, g2] = got;
      assert.ok(g1 && g2);
      assert.equal(g2.seq, g1.seq);
      assert.equal(g2.deliveryCount, 2);
      assert.ok(g2.at - g1.at >= 400, `redelivered after ${g2.at - g1.at} ms`);
    });

    test("working() extends the ack deadline of a long handler", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      await bus.publish(subject("e"), bytes("long"));
      const got: Seen[] = [];
      const h = await bus.consume({ stream: spec.name, durable: "working", ackWaitMs: 500, maxAckPending: 2 }, async (d) => {
        got.push(record(d));
        for (let i = 0; i < 6; i++) {
          await sleep(200);
          d.working();
        }
      });
      await waitFor("first delivery", () => got.length === 1);
      await sleep(1600);
      await h.stop();
      assert.deepEqual(got.map((s) => s.deliveryCount), [1]);
    });

    test("maxAckPending bounds concurrent handlers; the default of 1 keeps order", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      for (let i = 1; i <= 6; i++) await bus.publish(subject("e"), bytes(String(i)));
      const run = async (durable: string, maxAckPending?: number): Promise<{ max: number; order: number[] }> => {
        let active = 0;
        let max = 0;
        const order: number[] = [];
        const h = await bus.consume({ stream: spec.name, durable, ...(maxAckPending ? { maxAckPending } : {}) }, async (d) => {
          active++;
          max = Math.max(max, active);
          await sleep(120);
          order.push(d.seq);
          active--;
        });
        await waitFor(`${durable} done`, () => order.length === 6, 8000);
        await h.stop();
        return { max, order };
      };
      const parallel = await run("parallel", 3);
      const serial = await run("serial");
      assert.equal(parallel.max, 3);
      assert.deepEqual([...parallel.order].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
      assert.equal(serial.max, 1);
      assert.deepEqual(serial.order, [1, 2, 3, 4, 5, 6]);
    });

    test("filterSubjects selects the subjects a consumer sees (several subjects included)", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      await bus.publish(subject("a"), bytes("a"));
      await bus.publish(subject("b"), bytes("b"));
      await bus.publish(subject("c.1"), bytes("c1"));
      await bus.publish(subject("c.2.x"), bytes("c2x"));
      const one: string[] = [];
      const many: string[] = [];
      const h1 = await bus.consume({ stream: spec.name, durable: "one", filterSubjects: [subject("c.>")] }, async (d) => {
        one.push(text(d.data));
      });
      const h2 = await bus.consume({ stream: spec.name, durable: "many", filterSubjects: [subject("a"), subject("c.*")] }, async (d) => {
        many.push(text(d.data));
      });
      await waitFor("filtered deliveries", () => one.length === 2 && many.length === 2);
      await sleep(200);
      await h1.stop();
      await h2.stop();
      assert.deepEqual(one, ["c1", "c2x"]);
      assert.deepEqual(many, ["a", "c1"]);
    });

    test("ensureStreams is idempotent and updates an existing stream", async () => {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      await bus.publish(subject("a"), bytes("kept"));
      await bus.ensureStreams([{ ...spec, subjects: [...spec.subjects, `${spec.name}-extra.*`], duplicateWindowMs: 30_000, maxAgeMs: 3_600_000 }]);
      await bus.ensureStreams([{ ...spec, subjects: [...spec.subjects, `${spec.name}-extra.*`], duplicateWindowMs: 30_000, maxAgeMs: 3_600_000 }]);
      const ack = await bus.publish(`${spec.name}-extra.x`, bytes("new subject"));
      assert.equal(ack.stream, spec.name);
      assert.equal(ack.seq, 2);
      assert.equal((await bus.streamInfo?.(spec.name))?.messages, 2);
      await assert.rejects(bus.ensureStreams([{ ...spec, retention: "workqueue" }]), (err: unknown) => {
        return isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID";
      });
    });

    test("KV: create is compare-and-set on absence, update on revision; get, put, delete, keys", async () => {
      const kv = await bus.kv({ bucket: `kv_${counter++}_${Date.now().toString(36)}` });
      assert.equal(await kv.get("missing"), undefined);
      assert.equal(await kv.create("ledger.a", bytes("1")), true);
      assert.equal(await kv.create("ledger.a", bytes("2")), false);
      const e1 = await kv.get("ledger.a");
      assert.ok(e1);
      assert.equal(text(e1.value), "1");
      assert.equal(await kv.update("ledger.a", bytes("3"), e1.revision + 100), false);
      assert.equal(await kv.update("ledger.a", bytes("3"), e1.revision), true);
      assert.equal(await kv.update("ledger.a", bytes("4"), e1.revision), false, "a stale revision loses");
      const e2 = await kv.get("ledger.a");
      assert.ok(e2);
      assert.equal(text(e2.value), "3");
      assert.ok(e2.revision > e1.revision);
      const rev = await kv.put("ledger.b", bytes("b"));
      assert.ok(rev > e2.revision);
      assert.equal(await kv.update("nope", bytes("x"), 1), false);
      assert.deepEqual((await kv.keys()).sort(), ["ledger.a", "ledger.b"]);
      await kv.delete("ledger.a");
      assert.equal(await kv.get("ledger.a"), undefined);
      assert.deepEqual(await kv.keys(), ["ledger.b"]);
      assert.equal(await kv.create("ledger.a", bytes("again")), true, "create works after delete");
      assert.equal(text((await kv.get("ledger.a"))?.value ?? new Uint8Array()), "again");
    });

    test("KV: changes(after) reads the writes above a revision, oldest first, deletes included", async () => {
      const kv = await bus.kv({ bucket: `kvch_${counter++}_${Date.now().toString(36)}` });
      const read = async (after: number) => {
        const out: { key: string; value: string | undefined; revision: number; storedAt: number }[] = [];
        for await (const c of kv.changes(after)) out.push({ key: c.key, value: c.value === undefined ? undefined : text(c.value), revision: c.revision, storedAt: c.storedAt });
        return out;
      };
      assert.deepEqual(await read(0), [], "an empty bucket has no changes");
      const t0 = Date.now();
      const r1 = await kv.put("s.a", bytes("1"));
      const r2 = await kv.put("s.b", bytes("2"));
      const r3 = await kv.put("s.a", bytes("3"));
      const all = await read(0);
      // history 1: the overwritten first write of s.a is gone, its newest write is there
      assert.deepEqual(all.map((c) => [c.key, c.value, c.revision]), [["s.b", "2", r2], ["s.a", "3", r3]]);
      assert.ok(r1 < r2 && r2 < r3);
      for (const c of all) assert.ok(c.storedAt >= t0 - 1000 && c.storedAt <= Date.now() + 1000, "storedAt is the write time");
      assert.deepEqual((await read(r2)).map((c) => c.key), ["s.a"], "only what is above the revision");
      assert.deepEqual(await read(r3), [], "nothing above the newest revision");
      await kv.delete("s.b");
      const afterDelete = await read(r3);
      assert.equal(afterDelete.length, 1);
      assert.equal(afterDelete[0]?.key, "s.b");
      assert.equal(afterDelete[0]?.value, undefined, "a delete has no value");
      assert.ok((afterDelete[0]?.revision ?? 0) > r3);
    });

    test("KV: ttlMs expires entries", async () => {
      const kv = await bus.kv({ bucket: `kvttl_${counter++}_${Date.now().toString(36)}`, ttlMs: 1000 });
      assert.equal(await kv.create("k", bytes("v")), true);
      assert.ok(await kv.get("k"));
      await waitFor("expiry", async () => (await kv.get("k")) === undefined, 4000);
      assert.equal(await kv.create("k", bytes("v2")), true, "an expired key can be created again");
    });

    test("close(): publish then fails with HB_ERR_BUS_CLOSED and healthy() is false", async () => {
      const other = await makeBus();
      assert.equal(await other.healthy(), true);
      await other.close();
      assert.equal(await other.healthy(), false);
      await assert.rejects(other.publish("any.thing", bytes("x")), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_BUS_CLOSED");
    });
  });
}

// ---------------------------------------------------------------------------------------------

const warnings: string[] = [];
const quietLogger = { warn: (_obj: object, msg?: string) => void warnings.push(msg ?? "") };

let nats: TestNats | undefined;
before(async () => {
  if (natsServerBinary) nats = await startTestNats();
});
after(async () => {
  await nats?.stop();
});

busContract("memory", async () => createMemoryBus());
busContract(
  "nats",
  async () => {
    assert.ok(nats, "nats-server started");
    return connectNatsBus({ url: nats.url, name: "bus-contract", logger: quietLogger });
  },
  () => natsServerBinary !== undefined,
);

describe("NATS bus: server outage", { skip: !natsServerBinary && "nats-server not installed" }, () => {
  test("while the server is down publish fails fast with HB_ERR_BUS_UNAVAILABLE and healthy() is false; after a restart both recover and a running consumer continues", async () => {
    assert.ok(nats);
    const bus = await connectNatsBus({ url: nats.url, name: "bus-outage", logger: quietLogger });
    try {
      const { spec, subject } = freshStream();
      await bus.ensureStreams([spec]);
      const got: string[] = [];
      const h = await bus.consume({ stream: spec.name, durable: "survivor" }, async (d) => {
        got.push(text(d.data));
      });
      await bus.publish(subject("e"), bytes("before"));
      await waitFor("before", () => got.length === 1);
      assert.equal(await bus.healthy(), true);

      await nats.stopServer();
      const t0 = Date.now();
      const err = await bus.publish(subject("e"), bytes("during"), { msgId: "during-1" }).then(
        () => assert.fail("publish succeeded while the server is down"),
        (e: unknown) => e,
      );
      const took = Date.now() - t0;
      assert.ok(isHookbookError(err), String(err));
      assert.equal(err.code, "HB_ERR_BUS_UNAVAILABLE");
      assert.equal(err.retryAfterMs, 5000);
      assert.ok(took < 4000, `publish failed after ${took} ms`);
      await waitFor("unhealthy", async () => !(await bus.healthy()), 4000);

      await nats.startServer();
      await waitFor("healthy again", () => bus.healthy(), 15_000);
      const ack = await bus.publish(subject("e"), bytes("after"), { msgId: "after-1" });
      assert.equal(ack.duplicate, false);
      assert.equal(ack.seq, 2, "the failed publish stored nothing; the store survived the restart");
      await waitFor("consumer resumed", () => got.includes("after"), 15_000);
      await h.stop();
      assert.deepEqual(got, ["before", "after"]);
      assert.ok(warnings.some((w) => w.includes("disconnected")), "the disconnect was logged at warn");
    } finally {
      await bus.close();
    }
  });

  test("connecting to a server that is not there fails with HB_ERR_BUS_UNAVAILABLE", async () => {
    assert.ok(nats);
    await nats.stopServer();
    try {
      await assert.rejects(connectNatsBus({ url: nats.url, logger: quietLogger, connectTimeoutMs: 1000 }), (err: unknown) => {
        return isHookbookError(err) && err.code === "HB_ERR_BUS_UNAVAILABLE";
      });
    } finally {
      await nats.startServer();
    }
  });

  test("several filter subjects on a work-queue stream are refused on nats-server < 2.10", async () => {
    assert.ok(nats);
    const bus = await connectNatsBus({ url: nats.url, logger: quietLogger });
    try {
      const { spec, subject } = freshStream("workqueue");
      await bus.ensureStreams([spec]);
      const attempt = bus.consume({ stream: spec.name, durable: "multi", filterSubjects: [subject("a"), subject("b")] }, async () => undefined);
      const v = await attempt.then(
        async (h) => {
          await h.stop();
          return "accepted" as const;
        },
        (err: unknown) => err,
      );
      if (v === "accepted") return; // a 2.10+ server filters on its side
      assert.ok(isHookbookError(v) && v.code === "HB_ERR_CONFIG_INVALID", String(v));
    } finally {
      await bus.close();
    }
  });
});
