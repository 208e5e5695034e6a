/**
 * The NATS bus's publish path (src/bus/nats/pub-ack-pipeline.ts): many publishes in flight on
 * one reply subscription, each answered with its own PubAck; a server that stops answering
 * makes publish fail with HB_ERR_BUS_UNAVAILABLE after its timeout (and a late answer is
 * ignored); KV get/put on the same path. Runs its own nats-server (it freezes it with SIGSTOP).
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isHookbookError } from "../../src/core/errors.js";
import { connectNatsBus } from "../../src/bus/nats/connect.js";
import type { NatsServerProcess } from "../../src/bus/nats/server-process.js";
import { startNatsServer } from "../../src/bus/nats/server-process.js";
import type { Bus } from "../../src/bus/port.js";
import { decodeJson, encodeJson } from "../../src/bus/port.js";
import { natsServerBinary } from "../helpers/nats.js";

/**
 * SIGSTOP, then wait until every thread of the process has stopped: the signal takes effect
 * asynchronously, and on a loaded machine nats-server could still answer a publish sent right
 * after kill() (Linux: /proc; elsewhere the signal alone).
 */
async function freeze(pid: number): Promise<void> {
  process.kill(pid, "SIGSTOP");
  const deadline = Date.now() + 5000;
  for (;;) {
    let tasks: string[];
    try {
      tasks = await readdir(`/proc/${pid}/task`);
    } catch {
      return;
    }
    // the state follows the command name in parentheses (a thread gone meanwhile counts as stopped)
    const state = (stat: string): string | undefined => stat[stat.lastIndexOf(")") + 2];
    const states = await Promise.all(tasks.map(async (t) => state(await readFile(`/proc/${pid}/task/${t}/stat`, "utf8").catch(() => "(gone) T"))));
    if (states.every((st) => st === "T" || st === "t")) return;
    if (Date.now() > deadline) throw new Error(`nats-server ${pid} did not stop: thread states ${states.join("")}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const STREAM = { name: "PIPE", subjects: ["pipe.>"], retention: "limits" as const, duplicateWindowMs: 60_000, maxAgeMs: 0 };

describe("NATS publish pipeline", { skip: natsServerBinary === undefined ? "nats-server not installed" : false }, () => {
  let dir: string;
  let server: NatsServerProcess;
  let bus: Bus;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "hb-pipe-"));
    server = await startNatsServer({ storeDir: dir });
    bus = await connectNatsBus({ url: server.url, name: "pipeline-test", publishTimeoutMs: 400, logger: { warn: () => undefined } });
    await bus.ensureStreams([STREAM]);
  });

  after(async () => {
    process.kill(server.pid, "SIGCONT");
    await bus.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("1000 publishes in flight at once each get their own PubAck; repeated msgIds are duplicates", async () => {
    const first = await Promise.all(Array.from({ length: 1000 }, (_, i) => bus.publish(`pipe.a.${i % 7}`, encodeJson({ i }), { msgId: `m-${i}` })));
    const seqs = first.map((a) => a.seq);
    assert.equal(new Set(seqs).size, 1000, "every publish has its own sequence");
    assert.ok(first.every((a) => a.stream === "PIPE" && !a.duplicate));
    const again = await Promise.all(Array.from({ length: 100 }, (_, i) => bus.publish("pipe.a.0", encodeJson({ i }), { msgId: `m-${i * 3}` })));
    assert.ok(again.every((a) => a.duplicate), "a msgId already stored is acked as a duplicate");
    assert.deepEqual(
      again.map((a) => a.seq),
      Array.from({ length: 100 }, (_, i) => seqs[i * 3]),
      "a duplicate's ack names the sequence of the stored original",
    );
    assert.equal((await bus.streamInfo?.("PIPE"))?.messages, 1000);
  });

  test("KV get/put: missing → undefined, put returns the revision, get returns the bytes, delete hides the key", async () => {
    const kv = await bus.kv({ bucket: "pipe_kv" });
    assert.equal(await kv.get("k.missing"), undefined);
    const r1 = await kv.put("k.one", encodeJson({ v: 1 }));
    const r2 = await kv.put("k.one", encodeJson({ v: 2 }));
    assert.ok(r2 > r1);
    const e = await kv.get("k.one");
    assert.deepEqual(e && decodeJson(e.value), { v: 2 });
    assert.equal(e?.revision, r2);
    await kv.delete("k.one");
    assert.equal(await kv.get("k.one"), undefined);
  });

  test("a server that stops answering: publish fails with HB_ERR_BUS_UNAVAILABLE after its timeout; the late PubAck is ignored", async () => {
    await freeze(server.pid);
    const started = Date.now();
    try {
      await assert.rejects(bus.publish("pipe.b.1", encodeJson({ late: true }), { msgId: "late-1" }), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_BUS_UNAVAILABLE");
      const waited = Date.now() - started;
      assert.ok(waited >= 350, `rejected only after the 400 ms timeout (after ${waited} ms)`);
    } finally {
      process.kill(server.pid, "SIGCONT");
    }
    // The frozen publish is stored once the server runs again; its ack arrives late and is dropped.
    const retry = await bus.publish("pipe.b.1", encodeJson({ late: true }), { msgId: "late-1", timeoutMs: 5000 });
    assert.equal(retry.duplicate, true, "the retry of the timed-out publish is a duplicate: it had been stored");
    const next = await bus.publish("pipe.b.2", encodeJson({ ok: true }), { msgId: "after-1", timeoutMs: 5000 });
    assert.equal(next.duplicate, false);
  });
});
