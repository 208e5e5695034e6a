/** Memory-bus details that need a virtual clock; the shared behaviour is in test/integration/bus-contract.test.ts. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { VirtualClock } from "../../src/core/clock.js";
import { HookbookError, isHookbookError } from "../../src/core/errors.js";
import { createMemoryBus } from "../../src/bus/memory.js";
import type { Bus, Delivery, StreamSpec } from "../../src/bus/port.js";
import { settlementForError } from "../../src/bus/settle.js";
import { subjectMatches } from "../../src/bus/subject.js";

const T0 = Date.UTC(2025, 0, 1);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (d: Uint8Array): string => new TextDecoder().decode(d);
/** Let queued microtasks and handler continuations run. */
const tick = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

const STREAM: StreamSpec = { name: "EV", subjects: ["ev.>"], retention: "limits", duplicateWindowMs: 10_000, maxAgeMs: 0 };

async function setup(spec: StreamSpec = STREAM): Promise<{ bus: Bus; clock: VirtualClock }> {
  const clock = new VirtualClock(T0);
  const bus = createMemoryBus({ clock });
  await bus.ensureStreams([spec]);
  return { bus, clock };
}

describe("subjectMatches", () => {
  const cases: [string, string, boolean][] = [
    ["ev.>", "ev.a", true],
    ["ev.>", "ev.a.b.c", true],
    ["ev.>", "ev", false],
    ["ev.*", "ev.a", true],
    ["ev.*", "ev.a.b", false],
    ["ev.*.x", "ev.a.x", true],
    ["ev.*.x", "ev.a.y", false],
    ["ev.a", "ev.a", true],
    ["ev.a", "ev.ab", false],
    ["*", "ev", true],
    [">", "a.b", true],
  ];
  for (const [pattern, subject, want] of cases) {
    test(`${pattern} ~ ${subject} → ${want}`, () => assert.equal(subjectMatches(pattern, subject), want));
  }
});

describe("settlementForError", () => {
  test("permanent → term, retry-after → nak with its delay, anything else → backoff nak, maxDeliver reached → term", () => {
    assert.equal(settlementForError(new HookbookError("HB_ERR_INVALID_PAYLOAD", "x"), 1).kind, "term");
    assert.deepEqual(settlementForError(new HookbookError("HB_ERR_BUS_UNAVAILABLE", "x", { retryAfterMs: 1234 }), 1), { kind: "nak", delayMs: 1234 });
    const backoff = settlementForError(new Error("x"), 3);
    assert.equal(backoff.kind, "nak");
    assert.ok(backoff.kind === "nak" && backoff.delayMs >= 1000 && backoff.delayMs <= 2000, JSON.stringify(backoff));
    assert.equal(settlementForError(new Error("x"), 3, 3).kind, "term");
    assert.equal(settlementForError(new Error("x"), 2, 3).kind, "nak");
  });
});

describe("memory bus on a virtual clock", () => {
  test("nak(delay) redelivers exactly when the clock passes the delay", async () => {
    const { bus, clock } = await setup();
    await bus.publish("ev.a", bytes("x"));
    const counts: number[] = [];
    await bus.consume({ stream: "EV", durable: "d" }, async (d) => {
      counts.push(d.deliveryCount);
      if (d.deliveryCount === 1) d.nak(5000);
    });
    await tick();
    assert.deepEqual(counts, [1]);
    await clock.advanceTo(T0 + 4999, tick);
    await tick();
    assert.deepEqual(counts, [1]);
    await clock.advanceTo(T0 + 5000, tick);
    await tick();
    assert.deepEqual(counts, [1, 2]);
    await bus.close();
  });

  test("a retry-after error is redelivered after its retryAfterMs", async () => {
    const { bus, clock } = await setup();
    await bus.publish("ev.a", bytes("x"));
    const at: number[] = [];
    await bus.consume({ stream: "EV", durable: "d" }, async (d) => {
      at.push(clock.now() - T0);
      if (d.deliveryCount === 1) throw new HookbookError("HB_ERR_BUS_UNAVAILABLE", "down", { retryAfterMs: 7000 });
    });
    await tick();
    await clock.advanceTo(T0 + 6999, tick);
    assert.deepEqual(at, [0]);
    await clock.advanceTo(T0 + 7000, tick);
    await tick();
    assert.deepEqual(at, [0, 7000]);
    await bus.close();
  });

  test("ackWaitMs expiry redelivers; maxDeliver then drops", async () => {
    const { bus, clock } = await setup();
    await bus.publish("ev.a", bytes("x"));
    const counts: number[] = [];
    await bus.consume({ stream: "EV", durable: "d", ackWaitMs: 1000, maxDeliver: 2, maxAckPending: 5 }, async (d) => {
      counts.push(d.deliveryCount);
      await new Promise(() => undefined); // never settles
    });
    await tick();
    assert.deepEqual(counts, [1]);
    await clock.advanceTo(T0 + 1000, tick);
    await tick();
    assert.deepEqual(counts, [1, 2]);
    await clock.advanceTo(T0 + 10_000, tick);
    await tick();
    assert.deepEqual(counts, [1, 2], "dropped after maxDeliver");
    assert.equal(clock.nextDue(), undefined, "no timer left behind");
  });

  test("the duplicate window is measured on the clock", async () => {
    const { bus, clock } = await setup();
    const a = await bus.publish("ev.a", bytes("1"), { msgId: "m" });
    await clock.advanceTo(T0 + 9_999);
    const b = await bus.publish("ev.a", bytes("2"), { msgId: "m" });
    await clock.advanceTo(T0 + 20_000);
    const c = await bus.publish("ev.a", bytes("3"), { msgId: "m" });
    assert.deepEqual([a.duplicate, b.duplicate, c.duplicate], [false, true, false]);
    assert.deepEqual([a.seq, b.seq, c.seq], [1, 1, 2]);
  });

  test("maxAgeMs drops old messages from a limits stream", async () => {
    const { bus, clock } = await setup({ ...STREAM, maxAgeMs: 60_000 });
    await bus.publish("ev.a", bytes("old"));
    await clock.advanceTo(T0 + 30_000);
    await bus.publish("ev.a", bytes("new"));
    await clock.advanceTo(T0 + 60_000);
    assert.deepEqual(await bus.streamInfo?.("EV"), { name: "EV", messages: 1, firstSeq: 2, lastSeq: 2 });
    const got: string[] = [];
    await bus.consume({ stream: "EV", durable: "late" }, async (d) => void got.push(text(d.data)));
    await tick();
    assert.deepEqual(got, ["new"]);
  });

  test("KV ttlMs expiry follows the clock", async () => {
    const { bus, clock } = await setup();
    const kv = await bus.kv({ bucket: "ttl", ttlMs: 1000 });
    assert.equal(await kv.create("k", bytes("v")), true);
    await clock.advanceTo(T0 + 999);
    assert.equal(text((await kv.get("k"))?.value ?? new Uint8Array()), "v");
    assert.equal(await kv.create("k", bytes("w")), false);
    await clock.advanceTo(T0 + 1000);
    assert.equal(await kv.get("k"), undefined);
    assert.deepEqual(await kv.keys(), []);
    assert.equal(await kv.create("k", bytes("w")), true);
  });

  test("KV rejects keys NATS would reject", async () => {
    const { bus } = await setup();
    const kv = await bus.kv({ bucket: "keys" });
    await assert.rejects(kv.put("has space", bytes("x")), (err: unknown) => isHookbookError(err));
    await assert.rejects(kv.create(".leading", bytes("x")), (err: unknown) => isHookbookError(err));
  });

  test("two consume() calls on one durable share its messages, each message once", async () => {
    const { bus } = await setup();
    for (let i = 0; i < 6; i++) await bus.publish("ev.a", bytes(String(i)));
    const a: string[] = [];
    const b: string[] = [];
    await bus.consume({ stream: "EV", durable: "shared", maxAckPending: 2 }, async (d) => void a.push(text(d.data)));
    await bus.consume({ stream: "EV", durable: "shared", maxAckPending: 2 }, async (d) => void b.push(text(d.data)));
    await tick();
    await tick();
    assert.deepEqual([...a, ...b].sort(), ["0", "1", "2", "3", "4", "5"]);
    assert.ok(a.length > 0 && b.length > 0, `a=${a.length} b=${b.length}`);
  });

  test("stop() waits for the running handler and its ack; the next consume resumes after it", async () => {
    const { bus } = await setup();
    await bus.publish("ev.a", bytes("1"));
    await bus.publish("ev.a", bytes("2"));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    const h = await bus.consume({ stream: "EV", durable: "d" }, async (d: Delivery) => {
      seen.push(text(d.data));
      await gate;
    });
    await tick();
    let stopped = false;
    const stopping = h.stop().then(() => (stopped = true));
    await tick();
    assert.equal(stopped, false, "stop waits for the in-flight handler");
    release();
    await stopping;
    assert.deepEqual(seen, ["1"]);
    const later: string[] = [];
    await bus.consume({ stream: "EV", durable: "d" }, async (d) => void later.push(text(d.data)));
    await tick();
    assert.deepEqual(later, ["2"]);
  });

  test("consume on a missing stream fails with HB_ERR_CONFIG_INVALID", async () => {
    const { bus } = await setup();
    await assert.rejects(
      bus.consume({ stream: "NOPE", durable: "d" }, async () => undefined),
      (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID",
    );
    assert.equal(bus.durable, false);
    assert.equal(bus.kind, "memory");
  });
});
