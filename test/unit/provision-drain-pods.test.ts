import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { V1Pod } from "@kubernetes/client-node";
import { parseDrainArgs } from "../../src/actions/provision/drain-args.js";
import { blockedMessage, triagePods } from "../../src/actions/provision/drain-pods.js";

function pod(name: string, opts: { owner?: string; mirror?: boolean; emptyDir?: boolean; phase?: string } = {}): V1Pod {
  return {
    metadata: {
      name,
      namespace: "ns",
      uid: `u-${name}`,
      ...(opts.mirror ? { annotations: { "kubernetes.io/config.mirror": "x" } } : {}),
      ...(opts.owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: opts.owner, name: "o", uid: "o", controller: true }] } : {}),
    },
    spec: { containers: [], ...(opts.emptyDir ? { volumes: [{ name: "v", emptyDir: {} }] } : {}) },
    status: { phase: opts.phase ?? "Running" },
  };
}

const defaults = { ignoreDaemonSets: true, deleteEmptyDirData: false, force: false };

describe("drain pod triage (kubectl drain rules)", () => {
  test("mirror and DaemonSet pods skipped, controlled pods evicted", () => {
    const t = triagePods([pod("ds", { owner: "DaemonSet" }), pod("static", { mirror: true, owner: "Node" }), pod("web", { owner: "ReplicaSet" }), pod("db", { owner: "StatefulSet" })], defaults);
    assert.deepEqual(t.evict.map((p) => p.name), ["web", "db"]);
    assert.deepEqual(t.skipped, [
      { pod: "ns/ds", reason: "daemonset" },
      { pod: "ns/static", reason: "mirror" },
    ]);
    assert.deepEqual(t.blocked, []);
    assert.equal(t.evict[0]?.uid, "u-web");
  });

  test("blockers and the flags that lift them; finished pods never block", () => {
    const pods = [pod("bare"), pod("scratch", { owner: "ReplicaSet", emptyDir: true }), pod("ds", { owner: "DaemonSet" }), pod("done", { phase: "Succeeded", emptyDir: true })];
    const t = triagePods(pods, { ...defaults, ignoreDaemonSets: false });
    assert.deepEqual(t.blocked, [
      { pod: "ns/bare", reason: "unmanaged" },
      { pod: "ns/scratch", reason: "emptydir" },
      { pod: "ns/ds", reason: "daemonset" },
    ]);
    assert.deepEqual(t.evict.map((p) => p.name), ["done"]);
    assert.match(blockedMessage("n1", t.blocked), /cannot drain node n1: ns\/bare has no controller \(set force: true\)/);
    const lifted = triagePods(pods, { ignoreDaemonSets: true, deleteEmptyDirData: true, force: true });
    assert.deepEqual(lifted.evict.map((p) => p.name), ["bare", "scratch", "done"]);
    assert.deepEqual(lifted.blocked, []);
  });

  test("drain arguments and defaults", () => {
    const a = parseDrainArgs({ provider: "kubernetes", node: "n1" }, 90_000);
    assert.deepEqual(a, { provider: "kubernetes", node: "n1", cordonOnly: false, gracePeriodSeconds: undefined, timeoutMs: 90_000, deleteEmptyDirData: false, ignoreDaemonSets: true, force: false, waitForDelete: true, reason: undefined });
    assert.equal(parseDrainArgs({ provider: "http", node: "n1", timeout: "2 minutes" }, 1).timeoutMs, 120_000);
    assert.equal(parseDrainArgs({ provider: "http", node: "n1", timeout: 5 }, 1).timeoutMs, 5_000);
    assert.throws(() => parseDrainArgs({ provider: "aws", node: "n1" }, 1), /provider/);
    assert.throws(() => parseDrainArgs({ provider: "kubernetes" }, 1), /'node' is required/);
    assert.throws(() => parseDrainArgs({ provider: "kubernetes", node: "n", ignore_daemonsets: "yes" }, 1), /boolean/);
  });
});
