// KvMirror: when a local copy of a KV bucket may answer a lookup alone, and when it must say "unknown".
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KvMirror } from "../../src/bus/kv-mirror.js";
import type { KvMirrorOptions } from "../../src/bus/kv-mirror.js";
import { createMemoryBus } from "../../src/bus/memory.js";
import { decodeJson, encodeJson } from "../../src/bus/port.js";
import type { KvBucket } from "../../src/bus/port.js";
import { VirtualClock } from "../../src/core/clock.js";

const MINUTE = 60_000;

async function setup(opts: Partial<KvMirrorOptions<number>> = {}, ttlMs = 0) {
  const clock = new VirtualClock(Date.UTC(2026, 4, 12, 16));
  const bus = createMemoryBus({ clock });
  const kv = await bus.kv({ bucket: "mirrored", ttlMs });
  const mirror = new KvMirror<number>(kv, {
    clock,
    ttlMs,
    maxEntries: 1000,
    maxLagMs: 10 * MINUTE,
    syncEveryMs: 1000,
    decode: (b) => {
      const v = decodeJson<unknown>(b);
      return typeof v === "number" ? v : undefined;
    },
    ...opts,
  });
  return { clock, kv, mirror };
}

const put = (kv: KvBucket, key: string, value: unknown) => kv.put(key, encodeJson(value));

describe("KvMirror", () => {
  test("before its first read it knows nothing; after it, a miss is an answer", async () => {
    const { kv, mirror } = await setup();
    await put(kv, "a", 1);
    assert.deepEqual(mirror.lookup("a"), { known: false });
    assert.deepEqual(mirror.lookup("b"), { known: false });
    await mirror.sync();
    assert.deepEqual(mirror.lookup("a"), { known: true, value: 1 });
    assert.deepEqual(mirror.lookup("b"), { known: true, value: undefined });
  });

  test("writes and deletes by others arrive with the next read; values that do not decode are skipped", async () => {
    const { kv, mirror } = await setup();
    await mirror.sync();
    await put(kv, "x", 5);
    await put(kv, "junk", "not a number");
    assert.deepEqual(mirror.lookup("x"), { known: true, value: undefined }, "not read yet");
    await mirror.sync();
    assert.deepEqual(mirror.lookup("x"), { known: true, value: 5 });
    assert.deepEqual(mirror.lookup("junk"), { known: true, value: undefined });
    await kv.delete("x");
    await mirror.sync();
    assert.deepEqual(mirror.lookup("x"), { known: true, value: undefined });
  });

  test("a copy not read for longer than maxLagMs answers hits but no misses", async () => {
    const { clock, mirror } = await setup();
    await mirror.sync();
    mirror.noteWrite("mine", 7);
    await clock.advanceTo(clock.now() + 11 * MINUTE);
    assert.equal(mirror.complete, false);
    assert.deepEqual(mirror.lookup("mine"), { known: true, value: 7 });
    assert.deepEqual(mirror.lookup("other"), { known: false });
    await mirror.sync();
    assert.deepEqual(mirror.lookup("other"), { known: true, value: undefined });
  });

  test("entries expire with the bucket's TTL", async () => {
    const { clock, kv, mirror } = await setup({}, 30 * MINUTE);
    await put(kv, "old", 1);
    await mirror.sync();
    assert.deepEqual(mirror.lookup("old"), { known: true, value: 1 });
    await clock.advanceTo(clock.now() + 31 * MINUTE);
    await mirror.sync();
    assert.deepEqual(mirror.lookup("old"), { known: true, value: undefined });
    assert.equal(mirror.size, 0, "expired entries are freed");
  });

  test("over maxEntries the oldest writes are dropped and misses are unknown until they would have expired", async () => {
    const { clock, kv, mirror } = await setup({ maxEntries: 3 }, 30 * MINUTE);
    for (const k of ["k1", "k2", "k3", "k4"]) await put(kv, k, 1);
    await mirror.sync();
    assert.equal(mirror.size, 3);
    assert.deepEqual(mirror.lookup("k4"), { known: true, value: 1 });
    assert.deepEqual(mirror.lookup("k1"), { known: false }, "k1 was dropped: only the bucket can tell");
    assert.deepEqual(mirror.lookup("never"), { known: false });
    await clock.advanceTo(clock.now() + 31 * MINUTE);
    await mirror.sync();
    assert.deepEqual(mirror.lookup("never"), { known: true, value: undefined }, "what was dropped has expired on the server too");
  });

  test("without a TTL, a copy that dropped entries never answers a miss again", async () => {
    const { kv, mirror } = await setup({ maxEntries: 1 });
    await put(kv, "a", 1);
    await put(kv, "b", 2);
    await mirror.sync();
    assert.deepEqual(mirror.lookup("b"), { known: true, value: 2 });
    assert.deepEqual(mirror.lookup("zzz"), { known: false });
  });

  test("merge combines a write read later with what is held (newest time wins), and a known revision is not applied twice", async () => {
    const { kv, mirror } = await setup({ merge: Math.max });
    await mirror.sync();
    const rev = await put(kv, "subject", 100);
    mirror.noteWrite("subject", 200);
    await mirror.sync();
    assert.deepEqual(mirror.lookup("subject"), { known: true, value: 200 }, "an older write read back does not lower the value");
    mirror.noteWrite("subject", 150, rev + 10);
    await put(kv, "subject", 300); // revision below rev + 10: already applied as far as the copy knows
    await mirror.sync();
    assert.deepEqual(mirror.lookup("subject"), { known: true, value: 200 });
  });

  test("a failed read leaves the copy as it was and counts the failure; the next read catches up", async () => {
    const { clock, kv } = await setup();
    await put(kv, "a", 1);
    let fail = true;
    const flaky: KvBucket = {
      ...kv,
      changes: (after) => {
        if (fail) throw new Error("bus down");
        return kv.changes(after);
      },
    };
    const m = new KvMirror<number>(flaky, { clock, ttlMs: 0, maxEntries: 10, maxLagMs: MINUTE, syncEveryMs: 1000, decode: () => 1 });
    await assert.rejects(m.sync());
    assert.equal(m.syncFailures, 1);
    assert.deepEqual(m.lookup("a"), { known: false });
    fail = false;
    await m.sync();
    assert.equal(m.syncFailures, 0);
    assert.deepEqual(m.lookup("a"), { known: true, value: 1 });
  });
});
