/**
 * Backpressure on HB_WEBHOOK_DELIVERY (reference/webhooks.md §5.1: `discard: new` + `max_bytes`):
 * stream limits on both buses (create and update of an existing stream, never deleting what is
 * stored), and end to end: a tiny delivery stream, a receiver that is down while outcomes keep
 * coming, then back: every outcome reaches it exactly once per webhook-id, nothing is
 * dead-lettered, and the router counted the outcomes it held back.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Bus, StreamSpec } from "../../src/bus/port.js";
import { STREAM_OUTCOMES } from "../../src/bus/streams.js";
import { STREAM_WEBHOOK_DELIVERY, STREAM_WEBHOOK_DLQ } from "../../src/outbound/outbound-streams.js";
import { parseCreateInput } from "../../src/outbound/subscription-input.js";
import { natsServerBinary } from "../helpers/nats.js";
import type { BusKind } from "./outbound-helpers.js";
import { errorCodeOf, makeBus, outboundTestFile, publishOutcome, sleep, startReceiver, startService, uniq, waitFor } from "./outbound-helpers.js";

const file = outboundTestFile();
const cleanups = file.cleanups;

const codeOf = errorCodeOf;

async function count(bus: Bus, stream: string, subject: string): Promise<number> {
  return bus.countMessages!(stream, subject);
}

async function metricValue(text: string, name: string): Promise<number> {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

for (const kind of ["memory", "nats"] as BusKind[]) {
  describe(`backpressure on the ${kind} bus`, { skip: kind === "nats" && !natsServerBinary && "nats-server not installed" }, () => {
    async function bus(): Promise<Bus> {
      const b = await makeBus(kind, file.nats());
      cleanups.push(() => b.close());
      return b;
    }

    it("a stream with maxBytes and discard new refuses a publish once full (HB_ERR_BUS_FULL), takes it again once there is room; discard old drops the oldest", async () => {
      const b = await bus();
      const name = `BP_${uniq()}`;
      const subj = `bp${uniq()}`;
      const spec: StreamSpec = { name, subjects: [`${subj}.>`], retention: "workqueue", duplicateWindowMs: 60_000, maxAgeMs: 0, maxBytes: 2048, discard: "new" };
      await b.ensureStreams([spec]);
      const body = new Uint8Array(200);
      let stored = 0;
      let code: string | undefined;
      for (let i = 0; i < 50 && code === undefined; i++) {
        code = await codeOf(b.publish(`${subj}.a`, body, { msgId: `m${i}` }));
        if (code === undefined) stored++;
      }
      assert.equal(code, "HB_ERR_BUS_FULL", "full is told apart from the bus being down");
      assert.ok(stored >= 5 && stored < 11, `stored ${stored} messages of ~200 bytes in 2048`);
      assert.equal(await count(b, name, `${subj}.>`), stored, "nothing was dropped");
      // a duplicate of a stored message is still acknowledged as a duplicate
      assert.equal((await b.publish(`${subj}.a`, body, { msgId: "m0" })).duplicate, true);

      // consume (work queue: acked messages are removed) → room again
      const h = await b.consume({ stream: name, durable: "c", filterSubjects: [`${subj}.>`], maxAckPending: 100 }, async () => undefined);
      await waitFor("drained", async () => (await count(b, name, `${subj}.>`)) === 0);
      await h.stop();
      assert.equal((await b.publish(`${subj}.a`, body, { msgId: "after" })).duplicate, false);

      // discard old: the same limit drops the oldest instead of refusing
      const oldName = `BPO_${uniq()}`;
      const oldSubj = `bpo${uniq()}`;
      await b.ensureStreams([{ ...spec, name: oldName, subjects: [`${oldSubj}.>`], retention: "limits", discard: "old" }]);
      for (let i = 0; i < 30; i++) await b.publish(`${oldSubj}.a`, body);
      const kept = await count(b, oldName, `${oldSubj}.>`);
      assert.ok(kept >= 5 && kept < 11, `kept ${kept}`);
    });

    it("ensureStreams puts limits on an existing stream, and never lowers one below what is stored (nothing deleted)", async () => {
      const b = await bus();
      const name = `BPU_${uniq()}`;
      const subj = `bpu${uniq()}`;
      const base: StreamSpec = { name, subjects: [`${subj}.>`], retention: "workqueue", duplicateWindowMs: 60_000, maxAgeMs: 0 };
      await b.ensureStreams([base]);
      const body = new Uint8Array(200);
      for (let i = 0; i < 20; i++) await b.publish(`${subj}.a`, body);
      // 20 messages (~4.5 KB) stored; now a limit of 2 KB with discard new
      await b.ensureStreams([{ ...base, maxBytes: 2048, discard: "new" }]);
      assert.equal(await count(b, name, `${subj}.>`), 20, "lowering the limit deleted nothing");
      assert.equal(await codeOf(b.publish(`${subj}.a`, body)), "HB_ERR_BUS_FULL", "and the stream is full");
      // drained, then ensured again: the configured limit applies
      const h = await b.consume({ stream: name, durable: "c", filterSubjects: [`${subj}.>`], maxAckPending: 100 }, async () => undefined);
      await waitFor("drained", async () => (await count(b, name, `${subj}.>`)) === 0);
      await h.stop();
      await b.ensureStreams([{ ...base, maxBytes: 2048, discard: "new" }]);
      let stored = 0;
      while ((await codeOf(b.publish(`${subj}.a`, body))) === undefined) stored++;
      assert.ok(stored < 11, `the 2 KB limit holds (${stored} stored)`);
      // lifting the limit again
      await b.ensureStreams([{ ...base, maxBytes: 0, discard: "new" }]);
      assert.equal(await codeOf(b.publish(`${subj}.a`, body)), undefined);
    });

    it("a full delivery stream holds outcomes back on HB_OUTCOMES; once the receiver is back every one arrives exactly once", async () => {
      const T = uniq();
      const b = await bus();
      const { svc, logger } = await startService(b, {
        deliveryMaxBytes: 4096,
        // enough attempts that nothing is dead-lettered while the receiver is down
        retry: Array.from({ length: 20 }, () => 300),
        backpressure: { initialDelayMs: 100, maxDelayMs: 400, warnIntervalMs: 60_000 },
      });
      cleanups.push(() => svc.stop());
      const rx = await startReceiver();
      cleanups.push(() => rx.close());
      await rx.down();
      const ep = await svc.create(parseCreateInput({ url: rx.url, events: [`${T}.*`], max_in_flight: 2 }));
      cleanups.push(() => svc.remove(ep.id));

      const N = 40;
      const ids: string[] = [];
      for (let i = 0; i < N; i++) ids.push((await publishOutcome(b, `${T}.action.succeeded`, { i, pad: "x".repeat(300) })).id);
      await waitFor("outcomes held back", async () => (await metricValue(await svc.metrics.metrics(), "hookbook_webhook_backpressure_total")) >= 3, 15_000);
      const queued = await count(b, STREAM_WEBHOOK_DELIVERY, `whd.${ep.id}`);
      assert.ok(queued > 0 && queued < N, `the delivery stream holds only part of the backlog (${queued} of ${N})`);
      assert.equal(await count(b, STREAM_OUTCOMES, `outcomes.${T}.>`), N, "every outcome is kept on HB_OUTCOMES");
      await sleep(300);

      await rx.up();
      await waitFor("every outcome delivered", () => rx.deliveredIds().size === N, 30_000);
      await sleep(500);
      const delivered = rx.deliveredIds();
      for (const id of ids) assert.equal(delivered.get(`msg_${id}`), 1, `msg_${id} delivered exactly once`);
      assert.equal(delivered.size, N);
      assert.equal(await count(b, STREAM_WEBHOOK_DLQ, `whdlq.${ep.id}`), 0, "nothing dead-lettered");
      assert.equal(await count(b, STREAM_WEBHOOK_DELIVERY, `whd.${ep.id}`), 0);

      const metrics = await svc.metrics.metrics();
      assert.ok((await metricValue(metrics, "hookbook_webhook_backpressure_total")) > 0);
      const warnings = logger.lines.filter((l) => l.level === "warn" && /delivery stream is full/.test(l.msg ?? ""));
      assert.equal(warnings.length, 1, "the warning is rate-limited");
      assert.ok(logger.lines.some((l) => l.level === "info" && /has room again/.test(l.msg ?? "")));
    });
  });
}
