import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonEqual } from "../../src/core/json.js";
import { compileFilter } from "../../src/outbound/payload-filter.js";

const outcome = {
  id: "o-1",
  type: "action.failed",
  timestamp: "2026-05-12T14:05:01.123Z",
  data: {
    ruleset: "gpu capacity",
    attempt: 3,
    elapsed_ms: 412.5,
    pool: "a100",
    tags: ["prod", "us-east-1"],
    error: { code: "HB_ERR_ACTION_TIMEOUT", message: "timed out" },
    result: null,
    event_ids: ["e1", "e2"],
  },
};

function test(filter: unknown, doc: unknown = outcome): boolean {
  const c = compileFilter(filter);
  if (!c.ok) throw new Error(c.error);
  return c.test(doc);
}

function error(filter: unknown): string {
  const c = compileFilter(filter);
  assert.equal(c.ok, false, JSON.stringify(filter));
  return c.ok ? "" : c.error;
}

describe("payload filters (Convoy/Outpost operators)", () => {
  it("implicit $eq on dotted paths, nested objects and array elements", () => {
    assert.equal(test({ type: "action.failed", "data.pool": "a100" }), true);
    assert.equal(test({ "data.pool": "h100" }), false);
    assert.equal(test({ data: { error: { code: "HB_ERR_ACTION_TIMEOUT" } } }), true);
    assert.equal(test({ "data.tags": "prod" }), true, "scalar against an array: any element");
    assert.equal(test({ "data.tags": ["prod", "us-east-1"] }), true, "array against an array: equal");
    assert.equal(test({ "data.tags": ["prod"] }), false);
    assert.equal(test({ "data.event_ids.1": "e2" }), true);
    assert.equal(test({ "data.result": null }), true);
    assert.equal(test({ "data.error": { code: "HB_ERR_ACTION_TIMEOUT", message: "timed out" } }), true, "nested keys without $ are a sub-filter");
    assert.equal(test({}), true, "an empty filter matches everything");
  });

  it("$eq $neq $gt $gte $lt $lte compare numbers with numbers and strings with strings", () => {
    assert.equal(test({ "data.attempt": { $eq: 3 } }), true);
    assert.equal(test({ "data.attempt": { $neq: 3 } }), false);
    assert.equal(test({ "data.attempt": { $gt: 2, $lte: 3 } }), true);
    assert.equal(test({ "data.attempt": { $gte: 4 } }), false);
    assert.equal(test({ "data.elapsed_ms": { $lt: 500 } }), true);
    assert.equal(test({ timestamp: { $gte: "2026-05-01", $lt: "2026-06-01" } }), true);
    assert.equal(test({ "data.pool": { $gt: 1 } }), false, "string vs number is false");
    assert.equal(test({ "data.missing": { $lt: 1 } }), false);
  });

  it("$in $nin $exist $regex", () => {
    assert.equal(test({ "data.pool": { $in: ["a100", "h100"] } }), true);
    assert.equal(test({ "data.pool": { $nin: ["a100"] } }), false);
    assert.equal(test({ "data.tags": { $in: ["staging", "prod"] } }), true, "array value: any element in the list");
    assert.equal(test({ "data.tags": { $nin: ["staging"] } }), true);
    assert.equal(test({ "data.error": { $exist: true }, "data.nothing": { $exist: false } }), true);
    assert.equal(test({ "data.result": { $exist: true } }), true, "null counts as present");
    assert.equal(test({ "data.error.code": { $regex: "^HB_ERR_ACTION_" } }), true);
    assert.equal(test({ "data.attempt": { $regex: "3" } }), false, "regex only matches strings");
  });

  it("$and and $or combine filters", () => {
    assert.equal(test({ $or: [{ "data.pool": "h100" }, { "data.attempt": { $gte: 3 } }] }), true);
    assert.equal(test({ $and: [{ type: "action.failed" }, { $or: [{ "data.pool": "h100" }, { "data.pool": "v100" }] }] }), false);
    assert.equal(test({ type: "action.failed", $or: [{ "data.pool": "a100" }] }), true);
  });

  it("rejects invalid filters with the offending path", () => {
    assert.match(error({ "data.x": { $like: 1 } }), /filter\.data\.x\.\$like: unknown operator/);
    assert.match(error({ $not: {} }), /unknown top-level operator/);
    assert.match(error({ "data.x": { $in: "a" } }), /must be an array/);
    assert.match(error({ "data.x": { $exist: "yes" } }), /true or false/);
    assert.match(error({ "data.x": { $gt: [1] } }), /number or a string/);
    assert.match(error({ "data.x": { $regex: "(" } }), /invalid regular expression/);
    assert.match(error({ "data.x": { $regex: "a".repeat(300) } }), /at most 256/);
    assert.match(error({ "data.x": { $eq: 1, y: 2 } }), /do not mix/);
    assert.match(error({ $or: [] }), /non-empty array/);
    assert.match(error({ "a..b": 1 }), /empty segment/);
    assert.match(error("type"), /must be an object/);
    let deep: Record<string, unknown> = { x: 1 };
    for (let i = 0; i < 10; i++) deep = { $and: [deep] };
    assert.match(error(deep), /deeper than 8/);
    const wide = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, i]));
    assert.match(error(wide), /more than 200/);
  });

  it("jsonEqual is deep and order-insensitive for object keys", () => {
    assert.equal(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }), true);
    assert.equal(jsonEqual({ a: 1 }, { a: 1, b: undefined }), false);
    assert.equal(jsonEqual([1, 2], [2, 1]), false);
  });
});
