import assert from "node:assert/strict";
import { test } from "node:test";
import { PauseGate } from "../../src/core/pause-gate.js";

test("a paused gate holds every waiter until resumed; a running gate does not wait", async () => {
  const gate = new PauseGate(true);
  const order: string[] = [];
  const a = gate.wait().then(() => order.push("a"));
  const b = gate.wait().then(() => order.push("b"));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(order, [], "nothing passes while paused");
  gate.resume();
  await Promise.all([a, b]);
  assert.deepEqual(order, ["a", "b"]);
  await gate.wait();
  gate.pause();
  let passed = false;
  const c = gate.wait().then(() => (passed = true));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(passed, false);
  gate.resume();
  await c;
  assert.equal(passed, true);
});
