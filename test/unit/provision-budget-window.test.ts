import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { memoryStateStore } from "../../src/actions/memory-state.js";
import { budgetScopes, releaseBudget, reserveBudget } from "../../src/actions/provision/budget.js";
import type { BudgetEntry } from "../../src/actions/provision/budget-window.js";
import { BUDGET_WINDOW_MS, evaluateWindow, recordInWindow, windowUsage } from "../../src/actions/provision/budget-window.js";
import { ProvisionFailure } from "../../src/actions/provision/failure.js";
import { budgetKey, kvToken, planKey } from "../../src/actions/provision/state-key.js";
import type { ActionStateStore } from "../../src/actions/types.js";

const T = 1_000_000_000;
const e = (at: number, n: number, key: string): BudgetEntry => ({ at, n, key });

describe("budget window", () => {
  test("usage counts the last hour only, additions and removals apart, without the action's own entry", () => {
    const entries = [e(T - BUDGET_WINDOW_MS, 5, "old"), e(T - BUDGET_WINDOW_MS + 1, 4, "a"), e(T - 10, -3, "b"), e(T, 2, "c")];
    assert.deepEqual(windowUsage(entries, T), { added: 6, removed: 3 });
    assert.deepEqual(windowUsage(entries, T, "a"), { added: 2, removed: 3 });
  });

  test("evaluate: over the limit is refused with used/requested/limit", () => {
    const entries = [e(T - 1000, 10, "a")];
    assert.deepEqual(evaluateWindow(entries, T, "b", 8, { maxAdded: 16 }), { ok: false, direction: "added", used: 10, requested: 8, limit: 16 });
    assert.deepEqual(evaluateWindow(entries, T, "b", 6, { maxAdded: 16 }), { ok: true });
    assert.deepEqual(evaluateWindow(entries, T, "a", 16, { maxAdded: 16 }), { ok: true }, "re-run of the same action");
    assert.deepEqual(evaluateWindow(entries, T + BUDGET_WINDOW_MS - 1000, "b", 8, { maxAdded: 16 }), { ok: true }, "expired");
    assert.deepEqual(evaluateWindow(entries, T, "b", -5, { maxAdded: 0 }), { ok: true }, "removals are not additions");
    assert.deepEqual(evaluateWindow([e(T, -3, "a")], T, "b", -2, { maxRemoved: 4 }), { ok: false, direction: "removed", used: 3, requested: 2, limit: 4 });
    assert.deepEqual(evaluateWindow(entries, T, "b", 1000, {}), { ok: true }, "no limit");
    assert.equal(evaluateWindow([], T, "b", 1, { maxAdded: 0 }).ok, false, "max 0 forbids any addition");
  });

  test("record replaces the action's entry (keeping its time) and drops expired ones", () => {
    const entries = [e(T - BUDGET_WINDOW_MS - 1, 5, "old"), e(T - 100, 3, "a")];
    assert.deepEqual(recordInWindow(entries, T, "a", 2), [e(T - 100, 2, "a")]);
    assert.deepEqual(recordInWindow(entries, T, "b", 1), [e(T - 100, 3, "a"), e(T, 1, "b")]);
  });
});

describe("budget scopes and reservations", () => {
  test("the pool's entry and the provider-wide one", () => {
    const scopes = budgetScopes({ "aws/a100": { max_added_per_hour: 16 }, "aws/*": { max_added_per_hour: 64, max_removed_per_hour: 8 }, "kubernetes/a100": {} }, "aws", "a100");
    assert.deepEqual(scopes, [
      { name: "aws/a100", stateKey: "budget.aws.a100", limit: { maxAdded: 16 } },
      { name: "aws/*", stateKey: "budget.aws.=2A", limit: { maxAdded: 64, maxRemoved: 8 } },
    ]);
    assert.deepEqual(budgetScopes(undefined, "aws", "a100"), []);
    assert.deepEqual(budgetScopes({ "aws/h100": { max_added_per_hour: 1 } }, "aws", "a100"), []);
    assert.throws(() => budgetScopes({ "aws/a100": { max_added_per_hour: -1 } }, "aws", "a100"), (err: unknown) => err instanceof ProvisionFailure && err.code === "HB_ERR_CONFIG_INVALID");
  });

  test("state keys are KV-safe and injective", () => {
    assert.equal(kvToken("a100"), "a100");
    assert.equal(kvToken("gpu.a100/x y"), "gpu=2Ea100=2Fx=20y");
    assert.equal(kvToken("ü"), "=C3=BC");
    assert.equal(budgetKey("kubernetes", "*"), "budget.kubernetes.=2A");
    assert.match(planKey("abc-3"), /^provision\.abc-3$/);
    assert.notEqual(kvToken("a.b"), kvToken("a=2Eb"));
  });

  test("reserve retries on compare-and-set conflicts and records once per action", async () => {
    const inner = memoryStateStore();
    let conflicts = 2;
    const flaky: ActionStateStore = {
      ...inner,
      get: (k) => inner.get(k),
      async create(k, v) {
        if (conflicts-- > 0) return false;
        return inner.create(k, v);
      },
      async update(k, v, r) {
        if (conflicts-- > 0) return false;
        return inner.update(k, v, r);
      },
    };
    const scopes = budgetScopes({ "http/p": { max_added_per_hour: 16 } }, "http", "p");
    await reserveBudget(flaky, scopes, "k1", 10, T);
    await reserveBudget(flaky, scopes, "k1", 10, T + 5);
    assert.deepEqual((await inner.get("budget.http.p"))?.value, [e(T, 10, "k1")]);
    await assert.rejects(reserveBudget(flaky, scopes, "k2", 7, T), (err: unknown) => err instanceof ProvisionFailure && err.code === "HB_ERR_BUDGET_EXCEEDED");
    await releaseBudget(flaky, scopes, "k1", T);
    assert.deepEqual((await inner.get("budget.http.p"))?.value, []);
    await reserveBudget(flaky, scopes, "k2", 16, T);
  });

  test("a refusal in the provider-wide window releases the pool window written just before", async () => {
    const state = memoryStateStore();
    const scopes = budgetScopes({ "http/p": { max_added_per_hour: 16 }, "http/*": { max_added_per_hour: 4 } }, "http", "p");
    await assert.rejects(reserveBudget(state, scopes, "k1", 8, T));
    assert.deepEqual((await state.get("budget.http.p"))?.value, []);
  });
});
