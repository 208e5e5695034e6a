/**
 * Budgets per provider and pool ("at most 16 GPUs added per hour"): checked before any provider
 * call, a sliding 1-hour window in the action state store, driven by the virtual clock.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { provisionGpusAction } from "../../src/actions/provision/provision-gpus.js";
import type { Harness, Recorded, Reply, StandIn } from "./provision-helpers.js";
import { harness, intent, json, startStandIn } from "./provision-helpers.js";
import type { KubeStandIn } from "./provision-kube-stand-in.js";
import { startKubeStandIn } from "./provision-kube-stand-in.js";

const MINUTE = 60_000;
let api: StandIn;
let capacity: number;
let reject: number | undefined;

function answer(r: Recorded): Reply {
  if (reject !== undefined) return { status: reject, body: { error: "no" } };
  if (r.method === "GET") return { status: 200, body: { capacity } };
  const b = json(r.body) as { add?: number; remove?: number; set?: number };
  const before = capacity;
  capacity = b.set ?? capacity + (b.add ?? 0) - (b.remove ?? 0);
  return { status: 200, body: { before, after: capacity } };
}

function withBudgets(budgets: Record<string, unknown>): Harness {
  return harness({ gpu_api: { url: api.url }, budgets });
}

beforeEach(async () => {
  capacity = 0;
  reject = undefined;
  api = await startStandIn(answer);
});
afterEach(() => api.close());

const add = (n: number, pool = "a100") => ({ provider: "http", pool, add: n });

describe("provisioning budgets", () => {
  test("10 + 8 within an hour with max 16: the second is refused and the provider never called; allowed once the window passed", async () => {
    const h = withBudgets({ "http/a100": { max_added_per_hour: 16 } });
    const t0 = h.now;
    assert.equal((await h.run(provisionGpusAction, add(10))).ok, true);
    h.now = t0 + 30 * MINUTE;
    const refused = await h.run(provisionGpusAction, add(8));
    assert.equal(refused.ok, false);
    assert.equal(refused.code, "HB_ERR_BUDGET_EXCEEDED");
    assert.match(refused.message ?? "", /used 10, limit 16 per 1h window/);
    assert.deepEqual(refused.data?.budget, { scope: "http/a100", direction: "added", used: 10, requested: 8, limit: 16, window_ms: 3_600_000 });
    assert.equal(api.requests.length, 1, "the provider was not called for the refused action");

    assert.equal((await h.run(provisionGpusAction, add(6))).ok, true, "16 fits exactly");
    h.now = t0 + 60 * MINUTE; // the first 10 leave the window; the 6 (30 min old) stay
    assert.equal((await h.run(provisionGpusAction, add(8))).ok, true, "6 + 8 = 14 fits");
    assert.equal((await h.run(provisionGpusAction, add(3))).code, "HB_ERR_BUDGET_EXCEEDED", "6 + 8 + 3 = 17 does not");
    assert.equal(api.requests.length, 3);
  });

  test("the window slides: an addition counts for exactly one hour", async () => {
    const h = withBudgets({ "http/a100": { max_added_per_hour: 16 } });
    const t0 = h.now;
    assert.equal((await h.run(provisionGpusAction, add(10))).ok, true);
    h.now = t0 + 60 * MINUTE - 1;
    assert.equal((await h.run(provisionGpusAction, add(8))).code, "HB_ERR_BUDGET_EXCEEDED");
    h.now = t0 + 60 * MINUTE;
    const later = await h.run(provisionGpusAction, add(8));
    assert.equal(later.ok, true, later.message);
    assert.equal(api.requests.length, 2);
  });

  test("removals have their own limit", async () => {
    capacity = 20;
    const h = withBudgets({ "http/a100": { max_added_per_hour: 100, max_removed_per_hour: 4 } });
    assert.equal((await h.run(provisionGpusAction, { provider: "http", pool: "a100", remove: 3 })).ok, true);
    const r = await h.run(provisionGpusAction, { provider: "http", pool: "a100", remove: 2 });
    assert.equal(r.code, "HB_ERR_BUDGET_EXCEEDED");
    assert.match(r.message ?? "", /removing 2 would make 5 removed in the last hour \(used 3, limit 4/);
    assert.equal((await h.run(provisionGpusAction, add(30))).ok, true, "additions are not limited by removals");
  });

  test("set counts what it would add (read, then refused before any change)", async () => {
    capacity = 4;
    const h = withBudgets({ "http/a100": { max_added_per_hour: 16 } });
    const r = await h.run(provisionGpusAction, { provider: "http", pool: "a100", set: 24 });
    assert.equal(r.code, "HB_ERR_BUDGET_EXCEEDED");
    assert.deepEqual(api.requests.map((q) => q.method), ["GET"], "read only");
    assert.equal((await h.run(provisionGpusAction, { provider: "http", pool: "a100", set: 20 })).ok, true);
  });

  test("<provider>/* is one window shared by all pools of the provider, enforced with the pool's own", async () => {
    const h = withBudgets({ "http/*": { max_added_per_hour: 16 }, "http/a100": { max_added_per_hour: 12 } });
    assert.equal((await h.run(provisionGpusAction, add(12, "a100"))).ok, true);
    assert.equal((await h.run(provisionGpusAction, add(1, "a100"))).code, "HB_ERR_BUDGET_EXCEEDED");
    const other = await h.run(provisionGpusAction, add(6, "h100"));
    assert.equal(other.code, "HB_ERR_BUDGET_EXCEEDED");
    assert.equal((other.data?.budget as { scope: string }).scope, "http/*");
    assert.equal((await h.run(provisionGpusAction, add(4, "h100"))).ok, true);
    assert.equal(api.requests.length, 2);
  });

  test("a permanent rejection gives the budget back; a re-run of the same action is not counted twice", async () => {
    const h = withBudgets({ "http/a100": { max_added_per_hour: 16 } });
    reject = 422;
    assert.equal((await h.run(provisionGpusAction, add(10))).code, "HB_ERR_PROVIDER_REJECTED");
    reject = undefined;
    const i = intent();
    assert.equal((await h.run(provisionGpusAction, add(16), { intent: i })).ok, true, "the rejected 10 were released");
    assert.equal((await h.run(provisionGpusAction, add(16), { intent: i })).ok, true, "same action again: replayed, not counted");
    assert.equal(api.requests.length, 2);
  });

  test("a transient failure keeps the reservation (the change may have happened)", async () => {
    const h = withBudgets({ "http/a100": { max_added_per_hour: 16 } });
    reject = 503;
    assert.equal((await h.run(provisionGpusAction, add(10))).code, "HB_ERR_ACTION_FAILED");
    reject = undefined;
    assert.equal((await h.run(provisionGpusAction, add(8))).code, "HB_ERR_BUDGET_EXCEEDED");
  });

  test("dry_run checks the budget without using it", async () => {
    const h = withBudgets({ "http/a100": { max_added_per_hour: 16 } });
    const dry = await h.run(provisionGpusAction, { ...add(16), dry_run: true });
    assert.equal(dry.ok, true);
    assert.equal(dry.data?.dry_run, true);
    assert.equal((await h.run(provisionGpusAction, { ...add(17), dry_run: true })).code, "HB_ERR_BUDGET_EXCEEDED");
    assert.equal((await h.run(provisionGpusAction, add(16))).ok, true);
    assert.equal(api.requests.length, 1);
  });

  test("concurrent actions against one window: compare-and-set admits exactly what fits", async () => {
    const h = withBudgets({ "http/a100": { max_added_per_hour: 16 } });
    const results = await Promise.all(Array.from({ length: 6 }, () => h.run(provisionGpusAction, add(4))));
    assert.equal(results.filter((r) => r.ok).length, 4);
    assert.equal(results.filter((r) => r.code === "HB_ERR_BUDGET_EXCEEDED").length, 2);
    assert.equal(capacity, 16);
  });

  test("an invalid budget setting is a configuration error", async () => {
    const h = withBudgets({ "http/a100": { max_added_per_hour: "lots" } });
    assert.equal((await h.run(provisionGpusAction, add(1))).code, "HB_ERR_CONFIG_INVALID");
    assert.equal(api.requests.length, 0);
  });
});

describe("budgets with the kubernetes provider", () => {
  let k8s: KubeStandIn;
  beforeEach(async () => {
    k8s = await startKubeStandIn();
    k8s.scales.set("cluster.x-k8s.io/v1beta1/default/machinedeployments/a100", 0);
  });
  afterEach(() => k8s.close());

  test("over budget: not even the scale is read", async () => {
    const h = harness({ kubernetes: { server: k8s.url, insecure_skip_tls_verify: true }, budgets: { "kubernetes/a100": { max_added_per_hour: 16 } } });
    assert.equal((await h.run(provisionGpusAction, { provider: "kubernetes", pool: "a100", add: 10 })).ok, true);
    const before = k8s.requests.length;
    const r = await h.run(provisionGpusAction, { provider: "kubernetes", pool: "a100", add: 8 });
    assert.equal(r.code, "HB_ERR_BUDGET_EXCEEDED");
    assert.equal(k8s.requests.length, before, "no request at all");
    assert.equal(k8s.scales.get("cluster.x-k8s.io/v1beta1/default/machinedeployments/a100"), 10);
  });
});
