/**
 * provision_gpus / drain_node against a stand-in HTTP provisioning API, and through the
 * ActionRunner with its ledger (redelivered intents change capacity once).
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { drainNodeAction } from "../../src/actions/provision/drain-node.js";
import { provisionGpusAction } from "../../src/actions/provision/provision-gpus.js";
import { createMemoryBus } from "../../src/bus/memory.js";
import type { Harness, Recorded, Reply, StandIn } from "./provision-helpers.js";
import { harness, intent, json, startStandIn } from "./provision-helpers.js";
import { testRunner } from "../helpers/action-runner.js";

let api: StandIn;
let capacity: number;
let seenKeys: Map<string, Reply>;
let forced: number[];
let h: Harness;

function answer(r: Recorded): Reply {
  const status = forced.shift();
  if (status !== undefined) return { status, body: { error: "forced" } };
  if (r.headers.authorization !== "Bearer api-token") return { status: 401, body: { error: "unauthorized" } };
  if (r.method === "GET" && r.path === "/v2/pools/a100") return { status: 200, body: { pool: "a100", capacity } };
  if (r.method === "POST" && r.path === "/v2/pools/a100/capacity") {
    const key = String(r.headers["idempotency-key"]);
    const earlier = seenKeys.get(key);
    if (earlier) return earlier;
    const b = json(r.body) as { add?: number; remove?: number; set?: number };
    const before = capacity;
    capacity = b.set ?? capacity + (b.add ?? 0) - (b.remove ?? 0);
    const reply = { status: 200, body: { before, after: capacity } };
    seenKeys.set(key, reply);
    return reply;
  }
  if (r.method === "POST" && r.path === "/v2/nodes/gpu-node-1/drain") {
    return { status: 202, body: { cordoned: true, evicted: ["ml/trainer-0"], skipped: [] } };
  }
  return { status: 404, body: { error: "no such route" } };
}

beforeEach(async () => {
  capacity = 4;
  seenKeys = new Map();
  forced = [];
  api = await startStandIn(answer);
  h = harness({ gpu_api: { url: `${api.url}/v2/`, token: "api-token" } });
});
afterEach(() => api.close());

describe("provision_gpus / http", () => {
  test("POST /pools/<pool>/capacity with the action key as Idempotency-Key", async () => {
    const i = intent("firing-key-1");
    const r = await h.run(provisionGpusAction, { provider: "http", pool: "a100", add: 2, reason: "queue depth 140" }, { intent: i, index: 3 });
    assert.equal(r.ok, true, r.message);
    assert.equal(api.requests.length, 1, "add needs no read");
    const [post] = api.requests;
    assert.equal(post?.method, "POST");
    assert.equal(post?.path, "/v2/pools/a100/capacity");
    assert.equal(post?.headers["content-type"], "application/json");
    assert.equal(post?.headers["idempotency-key"], "firing-key-1-3");
    assert.deepEqual(json(post?.body ?? ""), { add: 2, reason: "queue depth 140", idempotency_key: "firing-key-1-3" });
    assert.deepEqual([r.data?.before, r.data?.after, r.data?.added], [4, 6, 2]);
  });

  test("set reads GET /pools/<pool> first (the change must be known for budgets)", async () => {
    const r = await h.run(provisionGpusAction, { provider: "http", pool: "a100", set: 9 });
    assert.equal(r.ok, true, r.message);
    assert.deepEqual(api.requests.map((q) => `${q.method} ${q.path}`), ["GET /v2/pools/a100", "POST /v2/pools/a100/capacity"]);
    assert.deepEqual((json(api.requests[1]?.body ?? "") as { set: number }).set, 9);
    assert.equal(r.data?.added, 5);
  });

  test("a retry sends the same idempotency key; the API applies it once", async () => {
    const i = intent();
    forced.push(502);
    assert.equal((await h.run(provisionGpusAction, { provider: "http", pool: "a100", add: 2 }, { intent: i })).code, "HB_ERR_ACTION_FAILED");
    assert.equal((await h.run(provisionGpusAction, { provider: "http", pool: "a100", add: 2 }, { intent: i })).ok, true);
    const keys = api.requests.map((q) => q.headers["idempotency-key"]);
    assert.equal(keys[0], keys[1]);
    assert.equal(capacity, 6);
  });

  test("4xx permanent (except 409/429), 5xx and network errors transient", async () => {
    for (const [status, code] of [[400, "HB_ERR_PROVIDER_REJECTED"], [422, "HB_ERR_PROVIDER_REJECTED"], [409, "HB_ERR_ACTION_FAILED"], [429, "HB_ERR_ACTION_FAILED"], [503, "HB_ERR_ACTION_FAILED"]] as const) {
      forced.push(status);
      const r = await h.run(provisionGpusAction, { provider: "http", pool: "a100", add: 1 });
      assert.equal(r.code, code, `status ${status}`);
      assert.equal(r.data?.status, status);
    }
    const wrongToken = await harness({ gpu_api: { url: `${api.url}/v2`, token: "nope" } }).run(provisionGpusAction, { provider: "http", pool: "a100", add: 1 });
    assert.equal(wrongToken.code, "HB_ERR_PROVIDER_REJECTED");
    const down = await harness({ gpu_api: { url: "http://127.0.0.1:1" } }).run(provisionGpusAction, { provider: "http", pool: "a100", add: 1 });
    assert.equal(down.code, "HB_ERR_ACTION_FAILED");
  });

  test("a slow API times out (transient, timedOut)", async () => {
    const slow = await startStandIn(() => new Promise<Reply>((resolve) => setTimeout(() => resolve({ status: 200, body: {} }), 2_000)));
    try {
      const r = await harness({ gpu_api: { url: slow.url } }, { commandTimeoutMs: 10_000, httpTimeoutMs: 200 }).run(provisionGpusAction, { provider: "http", pool: "a100", add: 1 });
      assert.equal(r.code, "HB_ERR_ACTION_TIMEOUT");
      assert.equal(r.timedOut, true);
    } finally {
      await slow.close();
    }
  });

  test("the action's endpoint argument replaces integrations.gpu_api.url", async () => {
    const other = harness({ gpu_api: { url: "http://127.0.0.1:1", token: "api-token" } });
    const r = await other.run(provisionGpusAction, { provider: "http", pool: "a100", add: 1, endpoint: `${api.url}/v2` });
    assert.equal(r.ok, true, r.message);
  });

  test("drain_node over HTTP: POST /nodes/<node>/drain with options and Idempotency-Key", async () => {
    const i = intent("firing-key-2");
    const r = await h.run(drainNodeAction, { provider: "http", node: "gpu-node-1", grace_period_seconds: 60, timeout: "5 minutes", reason: "spot interruption" }, { intent: i });
    assert.equal(r.ok, true, r.message);
    const [post] = api.requests;
    assert.equal(post?.path, "/v2/nodes/gpu-node-1/drain");
    assert.equal(post?.headers["idempotency-key"], "firing-key-2-0");
    assert.deepEqual(json(post?.body ?? ""), {
      cordon_only: false,
      grace_period_seconds: 60,
      timeout_seconds: 300,
      delete_emptydir_data: false,
      ignore_daemonsets: true,
      force: false,
      reason: "spot interruption",
      idempotency_key: "firing-key-2-0",
    });
    assert.deepEqual([r.data?.node, r.data?.cordoned, r.data?.evicted, r.data?.skipped], ["gpu-node-1", true, ["ml/trainer-0"], []]);
  });
});

describe("provision_gpus through the ActionRunner", () => {
  test("a redelivered or duplicated intent changes capacity once (ledger)", async () => {
    const bus = createMemoryBus();
    const ledger = await bus.kv({ bucket: "ledger" });
    const { runner, outcomes } = testRunner({
      limits: { commandTimeoutMs: 10_000, httpTimeoutMs: 5_000 },
      ledger,
      integrations: { gpu_api: { url: `${api.url}/v2`, token: "api-token" } },
    });
    const firing = { ...intent("dup-key"), matchingEvents: { m: { meta: { uuid: "e1" }, n: 2 } }, actions: [{ name: "provision_gpus", index: 0, args: { provider: "http", pool: "a100", add: "{{ event.n }}" } }] };
    await runner.run(firing);
    await runner.run(firing);
    assert.equal(api.requests.length, 1);
    assert.equal(capacity, 6);
    assert.deepEqual(outcomes.map((o) => o.type), ["action.started", "action.progress", "action.progress", "action.succeeded"]);
    assert.deepEqual((outcomes[3]?.data.result as Record<string, unknown>).added, 2);
  });
});
