import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseProvisionArgs } from "../../src/actions/provision/provision-args.js";
import { ProvisionFailure } from "../../src/actions/provision/failure.js";
import { isPermanentCode, statusFailure } from "../../src/actions/provision/failure.js";
import { computeTarget, limitViolation, requestedDelta, splitDelta } from "../../src/actions/provision/target.js";

describe("provision target computation", () => {
  test("add, remove (not below zero), set", () => {
    assert.deepEqual(computeTarget(3, { op: "add", n: 2 }), { before: 3, target: 5, delta: 2 });
    assert.deepEqual(computeTarget(3, { op: "remove", n: 2 }), { before: 3, target: 1, delta: -2 });
    assert.deepEqual(computeTarget(3, { op: "remove", n: 9 }), { before: 3, target: 0, delta: -3 });
    assert.deepEqual(computeTarget(3, { op: "set", n: 8 }), { before: 3, target: 8, delta: 5 });
    assert.deepEqual(computeTarget(3, { op: "set", n: 3 }), { before: 3, target: 3, delta: 0 });
    assert.deepEqual(computeTarget(0, { op: "set", n: 0 }), { before: 0, target: 0, delta: 0 });
  });

  test("the change known before reading the pool", () => {
    assert.equal(requestedDelta({ op: "add", n: 4 }), 4);
    assert.equal(requestedDelta({ op: "remove", n: 4 }), -4);
    assert.equal(requestedDelta({ op: "set", n: 4 }), undefined);
  });

  test("min/max: growing over max or shrinking under min is refused; moving back inside is not", () => {
    const limits = { min: 1, max: 10 };
    assert.match(limitViolation(computeTarget(4, { op: "add", n: 7 }), limits) ?? "", /target 11 is over the pool's max size 10/);
    assert.equal(limitViolation(computeTarget(4, { op: "add", n: 6 }), limits), undefined);
    assert.match(limitViolation(computeTarget(4, { op: "remove", n: 4 }), limits) ?? "", /under the pool's min size 1/);
    assert.equal(limitViolation(computeTarget(14, { op: "remove", n: 2 }), limits), undefined, "already over max, shrinking is fine");
    assert.equal(limitViolation(computeTarget(4, { op: "add", n: 100 }), {}), undefined, "no limits known");
  });

  test("added / removed split", () => {
    assert.deepEqual(splitDelta(3), { added: 3, removed: 0 });
    assert.deepEqual(splitDelta(-2), { added: 0, removed: 2 });
    assert.deepEqual(splitDelta(0), { added: 0, removed: 0 });
  });
});

describe("provision_gpus arguments", () => {
  const code = (args: Record<string, unknown>) => {
    try {
      parseProvisionArgs(args);
      return "ok";
    } catch (err) {
      return err instanceof ProvisionFailure ? err.code : String(err);
    }
  };

  test("exactly one of add/remove/set; integers (rendered digit strings accepted)", () => {
    assert.deepEqual(parseProvisionArgs({ provider: "aws", pool: "p", add: "3" }).change, { op: "add", n: 3 });
    assert.deepEqual(parseProvisionArgs({ provider: "aws", pool: "p", set: 0 }).change, { op: "set", n: 0 });
    assert.equal(parseProvisionArgs({ provider: "aws", pool: "p", add: 1, dry_run: "true" }).dryRun, true);
    for (const bad of [{ add: 1, remove: 1 }, {}, { add: 0 }, { add: 1.5 }, { add: "two" }, { set: -1 }]) {
      assert.equal(code({ provider: "aws", pool: "p", ...bad }), "HB_ERR_ACTION_ARGS", JSON.stringify(bad));
    }
    assert.equal(code({ provider: "gce", pool: "p", add: 1 }), "HB_ERR_ACTION_ARGS");
    assert.equal(code({ provider: "aws", pool: " ", add: 1 }), "HB_ERR_ACTION_ARGS");
  });
});

describe("provider error typing", () => {
  test("4xx permanent except 409 and 429; 5xx transient", () => {
    for (const s of [400, 401, 403, 404, 422]) assert.equal(statusFailure(s, "x").code, "HB_ERR_PROVIDER_REJECTED", String(s));
    for (const s of [409, 429, 500, 502, 503]) assert.equal(statusFailure(s, "x").code, "HB_ERR_ACTION_FAILED", String(s));
    assert.equal(isPermanentCode("HB_ERR_PROVIDER_REJECTED"), true);
    assert.equal(isPermanentCode("HB_ERR_BUDGET_EXCEEDED"), true);
    assert.equal(isPermanentCode("HB_ERR_ACTION_ARGS"), true);
    assert.equal(isPermanentCode("HB_ERR_ACTION_FAILED"), false);
    assert.equal(isPermanentCode("HB_ERR_ACTION_TIMEOUT"), false);
  });
});
