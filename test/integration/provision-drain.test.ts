/**
 * drain_node on Kubernetes against a stand-in API server: cordon, list the node's pods, evict
 * through the Eviction API (a PodDisruptionBudget answers 429 first), wait until gone.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { drainNodeAction } from "../../src/actions/provision/drain-node.js";
import type { Harness } from "./provision-helpers.js";
import { harness, json } from "./provision-helpers.js";
import type { KubeStandIn } from "./provision-kube-stand-in.js";
import { startKubeStandIn } from "./provision-kube-stand-in.js";

let k8s: KubeStandIn;
let h: Harness;

beforeEach(async () => {
  k8s = await startKubeStandIn();
  h = harness({ kubernetes: { server: k8s.url, token: "t0ken", insecure_skip_tls_verify: true } });
});
afterEach(() => k8s.close());

const drain = { provider: "kubernetes", node: "gpu-node-1" };
const evictionPath = (ns: string, pod: string) => `/api/v1/namespaces/${ns}/pods/${pod}/eviction`;

describe("drain_node / kubernetes", () => {
  test("cordon, skip DaemonSet and mirror pods, evict the rest (retrying the PDB-protected one), wait until gone", async () => {
    k8s.pods.push(
      { namespace: "kube-system", name: "nvidia-driver-x1", owner: "DaemonSet" },
      { namespace: "kube-system", name: "kube-proxy-static", mirror: true },
      { namespace: "ml", name: "trainer-0", owner: "StatefulSet", pdbDenials: 1 },
      { namespace: "ml", name: "infer-7d9", owner: "ReplicaSet" },
    );
    const r = await h.run(drainNodeAction, { ...drain, grace_period_seconds: 30 });
    assert.equal(r.ok, true, r.message);

    const calls = k8s.requests.map((q) => `${q.method} ${q.path}`);
    assert.equal(calls[0], "PATCH /api/v1/nodes/gpu-node-1");
    const cordon = k8s.requests[0];
    assert.equal(cordon?.headers["content-type"], "application/merge-patch+json");
    assert.equal(cordon?.headers.authorization, "Bearer t0ken");
    assert.deepEqual(json(cordon?.body ?? ""), { spec: { unschedulable: true } });
    assert.equal(calls[1], "GET /api/v1/pods");
    assert.equal(k8s.requests[1]?.query.get("fieldSelector"), "spec.nodeName=gpu-node-1");

    const evictions = k8s.requests.filter((q) => q.path.endsWith("/eviction"));
    assert.deepEqual(evictions.map((q) => q.path).sort(), [evictionPath("ml", "infer-7d9"), evictionPath("ml", "trainer-0"), evictionPath("ml", "trainer-0")]);
    for (const e of evictions) {
      assert.equal(e.method, "POST");
      assert.equal(e.headers["content-type"], "application/json");
      const name = e.path.split("/")[6];
      assert.deepEqual(json(e.body), { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: "ml" }, deleteOptions: { gracePeriodSeconds: 30 } });
    }
    assert.ok(!evictions.some((q) => q.path.includes("nvidia") || q.path.includes("static")), "DaemonSet and mirror pods are not evicted");
    assert.deepEqual(
      k8s.requests.filter((q) => q.method === "GET" && q.path.startsWith("/api/v1/namespaces/")).map((q) => q.path).sort(),
      ["/api/v1/namespaces/ml/pods/infer-7d9", "/api/v1/namespaces/ml/pods/trainer-0"],
      "waited for the evicted pods to be gone",
    );

    assert.equal(r.data?.node, "gpu-node-1");
    assert.equal(r.data?.cordoned, true);
    assert.deepEqual([...(r.data?.evicted as string[])].sort(), ["ml/infer-7d9", "ml/trainer-0"]);
    assert.deepEqual(r.data?.skipped, [
      { pod: "kube-system/nvidia-driver-x1", reason: "daemonset" },
      { pod: "kube-system/kube-proxy-static", reason: "mirror" },
    ]);
    assert.equal(h.progress[0]?.phase, "cordoned");
    assert.deepEqual(h.progress.filter((p) => p.phase === "evicted").map((p) => p.pod).sort(), ["ml/infer-7d9", "ml/trainer-0"]);
    assert.deepEqual(h.progress.filter((p) => p.phase === "eviction_blocked").map((p) => p.pod), ["ml/trainer-0"]);
    assert.ok(k8s.unschedulable.has("gpu-node-1"));
  });

  test("cordon_only patches the node and nothing else", async () => {
    k8s.pods.push({ namespace: "ml", name: "infer-7d9", owner: "ReplicaSet" });
    const r = await h.run(drainNodeAction, { ...drain, cordon_only: true });
    assert.equal(r.ok, true);
    assert.deepEqual(k8s.requests.map((q) => `${q.method} ${q.path}`), ["PATCH /api/v1/nodes/gpu-node-1"]);
    assert.deepEqual([r.data?.cordoned, r.data?.evicted, r.data?.skipped], [true, [], []]);
  });

  test("a PDB that never allows the eviction ends in a timeout with the pending pods", async () => {
    k8s.pods.push({ namespace: "ml", name: "trainer-0", owner: "StatefulSet", pdbDenials: 1_000 }, { namespace: "ml", name: "infer-7d9", owner: "ReplicaSet" });
    const r = await h.run(drainNodeAction, { ...drain, timeout: 1.2 });
    assert.equal(r.ok, false);
    assert.equal(r.timedOut, true);
    assert.equal(r.code, "HB_ERR_ACTION_TIMEOUT");
    assert.deepEqual(r.data?.pending, ["ml/trainer-0"]);
    assert.deepEqual(r.data?.evicted, ["ml/infer-7d9"]);
  });

  test("pods without a controller, with emptyDir, or DaemonSets (ignore_daemonsets: false) block the drain", async () => {
    k8s.pods.push(
      { namespace: "ml", name: "bare", phase: "Running" },
      { namespace: "ml", name: "scratchy", owner: "ReplicaSet", emptyDir: true },
      { namespace: "ml", name: "done", phase: "Succeeded" },
      { namespace: "kube-system", name: "ds", owner: "DaemonSet" },
    );
    const r = await h.run(drainNodeAction, { ...drain, ignore_daemonsets: false });
    assert.equal(r.code, "HB_ERR_DRAIN_BLOCKED");
    assert.match(r.message ?? "", /ml\/bare .*force/);
    assert.match(r.message ?? "", /ml\/scratchy .*delete_emptydir_data/);
    assert.match(r.message ?? "", /kube-system\/ds .*ignore_daemonsets/);
    assert.equal(k8s.requests.filter((q) => q.path.endsWith("/eviction")).length, 0, "nothing evicted");

    const forced = await h.run(drainNodeAction, { ...drain, force: true, delete_emptydir_data: true });
    assert.equal(forced.ok, true, forced.message);
    assert.deepEqual([...(forced.data?.evicted as string[])].sort(), ["ml/bare", "ml/done", "ml/scratchy"]);
  });

  test("an unknown node is a permanent failure", async () => {
    const r = await h.run(drainNodeAction, { provider: "kubernetes", node: "missing-node" });
    assert.equal(r.code, "HB_ERR_PROVIDER_REJECTED");
  });

  test("draining again is harmless (already cordoned, pods gone)", async () => {
    k8s.pods.push({ namespace: "ml", name: "infer-7d9", owner: "ReplicaSet" });
    assert.equal((await h.run(drainNodeAction, drain)).ok, true);
    const again = await h.run(drainNodeAction, drain);
    assert.equal(again.ok, true);
    assert.deepEqual(again.data?.evicted, []);
  });
});
