// core/bounded-cache.ts: a memo that starts over when full.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BoundedCache } from "../../src/core/bounded-cache.js";

describe("BoundedCache", () => {
  it("returns what was set, holds up to max keys, then starts over", () => {
    const cache = new BoundedCache<number | null>(2);
    assert.equal(cache.get("a"), undefined);
    assert.equal(cache.set("a", 1), 1);
    assert.equal(cache.set("b", null), null);
    assert.equal(cache.get("a"), 1);
    assert.equal(cache.get("b"), null, "null is a value, not a miss");
    cache.set("c", 3);
    assert.equal(cache.get("a"), undefined, "full: emptied before c was stored");
    assert.equal(cache.get("b"), undefined);
    assert.equal(cache.get("c"), 3);
  });
});
