// The ingest benches' mix: every request passes its source's auth and normalizes, each with a dedup identity of its own.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MIX, mixRequests } from "../../bench/ingest-mix.js";
import { prepareEvents } from "../../src/ingest/prepare.js";
import type { PreparedEvent } from "../../src/ingest/prepare.js";

const ctx = { nowMs: () => Date.now(), fetchText: async (): Promise<string> => Promise.reject(new Error("no fetches in the mix")) };

describe("bench mix", () => {
  it("is accepted by every source, in its weights, and never repeats a dedup identity", () => {
    const wheel = MIX.reduce((n, k) => n + k.weight, 0);
    const requests = mixRequests(3 * wheel);
    const bySource = new Map<string, number>();
    const msgIds = new Set<string>();
    for (const { source, req } of requests) {
      const events = prepareEvents(source, req, ctx, { maxItemsPerRequest: 1000 });
      assert.ok(Array.isArray(events), `${source.name}: prepared without a fetch`);
      assert.equal(events.length, 1, `${source.name}: one event per request`);
      for (const ev of events as PreparedEvent[]) msgIds.add(ev.msgId);
      bySource.set(source.name, (bySource.get(source.name) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(bySource), Object.fromEntries(MIX.map((k) => [k.source, 3 * k.weight])));
    assert.equal(msgIds.size, requests.length);
  });

  it("signs what it sends: a body changed after signing is refused", () => {
    const github = mixRequests(MIX.length * 4).find((r) => r.source.name === "github");
    assert.ok(github);
    // the first digit of the workflow job's id
    const body = Buffer.from(github.req.body.toString("utf8").replace(/"id":(\d)/, (_m, d: string) => `"id":${(Number(d) + 1) % 10}`));
    assert.notDeepEqual(body, github.req.body);
    assert.throws(() => prepareEvents(github.source, { ...github.req, body }, ctx, { maxItemsPerRequest: 1000 }), { code: "HB_ERR_AUTH_INVALID" });
  });
});
