/**
 * The optional Bus members outbound delivery needs (port.ts: readMessages, countMessages,
 * deleteConsumer), against the memory bus and a real nats-server.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createMemoryBus } from "../../src/bus/memory.js";
import { connectNatsBus } from "../../src/bus/nats/connect.js";
import type { Bus, Delivery, StoredMessage, StreamSpec } from "../../src/bus/port.js";
import { isHookbookError } from "../../src/core/errors.js";
import type { TestNats } from "../helpers/nats.js";
import { natsServerBinary, startTestNats } from "../helpers/nats.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

let counter = 0;
function fresh(retention: StreamSpec["retention"]): { spec: StreamSpec; subject: (s: string) => string } {
  const id = `r${Date.now().toString(36)}${counter++}`;
  return { spec: { name: `R_${id}`, subjects: [`${id}.>`], retention, duplicateWindowMs: 60_000, maxAgeMs: 0 }, subject: (s) => `${id}.${s}` };
}

async function all(it: AsyncIterable<StoredMessage>): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  for await (const m of it) out.push(m);
  return out;
}

let nats: TestNats | undefined;
before(async () => {
  if (natsServerBinary) nats = await startTestNats();
});
after(async () => {
  await nats?.stop();
});

const factories: [string, () => Promise<Bus>, boolean][] = [
  ["memory", async () => createMemoryBus(), true],
  ["nats", async () => connectNatsBus({ url: nats!.url, logger: { warn: () => undefined } }), natsServerBinary !== undefined],
];

for (const [name, make, ready] of factories) {
  describe(`Bus reads and consumer deletion: ${name}`, { skip: !ready && "nats-server not installed" }, () => {
    let bus: Bus;
    before(async () => {
      bus = await make();
    });
    after(async () => {
      await bus?.close();
    });

    test("readMessages: oldest first, subject filter, start sequence, start time, headers; nothing acked", async () => {
      const { spec, subject } = fresh("limits");
      await bus.ensureStreams([spec]);
      await bus.publish(subject("a.x"), bytes("1"), { headers: { "X-K": "v1" } });
      await bus.publish(subject("b.x"), bytes("2"));
      await bus.publish(subject("a.y"), bytes("3"));
      await sleep(20);
      const mid = Date.now();
      await sleep(20);
      await bus.publish(subject("a.x"), bytes("4"));

      assert.deepEqual((await all(bus.readMessages!(spec.name))).map((m) => text(m.data)), ["1", "2", "3", "4"]);
      const filtered = await all(bus.readMessages!(spec.name, { subject: subject("a.>") }));
      assert.deepEqual(filtered.map((m) => [m.seq, m.subject, text(m.data)]), [
        [1, subject("a.x"), "1"],
        [3, subject("a.y"), "3"],
        [4, subject("a.x"), "4"],
      ]);
      assert.equal(filtered[0]?.headers["X-K"], "v1");
      assert.ok((filtered[0]?.storedAt ?? 0) > Date.now() - 60_000);
      assert.deepEqual((await all(bus.readMessages!(spec.name, { startSeq: 3 }))).map((m) => m.seq), [3, 4]);
      assert.deepEqual((await all(bus.readMessages!(spec.name, { startTimeMs: mid }))).map((m) => m.seq), [4]);
      assert.deepEqual((await all(bus.readMessages!(spec.name, { subject: subject("zzz") }))).length, 0);

      // breaking out early is fine, and reads leave no trace: a consumer still gets everything
      for await (const _m of bus.readMessages!(spec.name)) break;
      const got: number[] = [];
      const h = await bus.consume({ stream: spec.name, durable: "after-read" }, async (d) => {
        got.push(d.seq);
      });
      const deadline = Date.now() + 5000;
      while (got.length < 4 && Date.now() < deadline) await sleep(20);
      await h.stop();
      assert.deepEqual(got, [1, 2, 3, 4]);
    });

    test("readMessages of a missing stream throws HB_ERR_CONFIG_INVALID; countMessages gives 0", async () => {
      await assert.rejects(all(bus.readMessages!("NO_SUCH_STREAM")), (err) => isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID");
      assert.equal(await bus.countMessages!("NO_SUCH_STREAM", "x.>"), 0);
    });

    test("countMessages counts what a work queue still holds per subject", async () => {
      const { spec, subject } = fresh("workqueue");
      await bus.ensureStreams([spec]);
      for (const s of ["a", "a", "b"]) await bus.publish(subject(s), bytes(s));
      assert.equal(await bus.countMessages!(spec.name, subject("a")), 2);
      assert.equal(await bus.countMessages!(spec.name, subject(">")), 3);
      const h = await bus.consume({ stream: spec.name, durable: "qa", filterSubjects: [subject("a")] }, async () => undefined);
      const deadline = Date.now() + 5000;
      while ((await bus.countMessages!(spec.name, subject("a"))) > 0 && Date.now() < deadline) await sleep(20);
      await h.stop();
      assert.equal(await bus.countMessages!(spec.name, subject("a")), 0);
      assert.equal(await bus.countMessages!(spec.name, subject("b")), 1);
    });

    test("deleteConsumer drops pending redeliveries; a new durable of that name gets the queued messages at once", async () => {
      const { spec, subject } = fresh("workqueue");
      await bus.ensureStreams([spec]);
      await bus.publish(subject("q"), bytes("parked"));
      const first: Delivery[] = [];
      const h1 = await bus.consume({ stream: spec.name, durable: "dq", filterSubjects: [subject("q")], ackWaitMs: 60_000 }, async (d) => {
        first.push(d);
        d.nak(60_000);
      });
      const deadline = Date.now() + 5000;
      while (first.length === 0 && Date.now() < deadline) await sleep(20);
      await h1.stop();
      await bus.deleteConsumer!(spec.name, "dq");
      await bus.deleteConsumer!(spec.name, "dq"); // no-op the second time
      await bus.deleteConsumer!("NO_SUCH_STREAM", "dq");

      const second: Delivery[] = [];
      const t0 = Date.now();
      const h2 = await bus.consume({ stream: spec.name, durable: "dq", filterSubjects: [subject("q")] }, async (d) => {
        second.push(d);
      });
      while (second.length === 0 && Date.now() < t0 + 5000) await sleep(20);
      await h2.stop();
      assert.equal(second.length, 1);
      assert.equal(text(second[0]!.data), "parked");
      assert.equal(second[0]!.deliveryCount, 1, "a fresh durable starts counting again");
      assert.ok(Date.now() - t0 < 5000, "not after the 60 s nak delay");
    });
  });
}
