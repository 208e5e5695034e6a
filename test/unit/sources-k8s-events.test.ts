import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { k8sEventsSource, parseSchedulingMessage } from "../../src/sources/k8s-events.js";
import { assertEnvelope, assertGolden, fixtureJson, normalizeFixture, throwsCode } from "./sources-golden-helper.js";

const KIND = "k8s-events";
const notReady = fixtureJson("k8s/event-node-notready.json") as Record<string, unknown>;
const normalizeJson = (b: unknown, options: Record<string, unknown> = {}, endpoint = "kee") =>
  k8sEventsSource.normalize({ body: Buffer.from(JSON.stringify(b)), headers: {}, endpoint, options });

describe("k8s-events source: fixtures", () => {
  for (const name of ["event-node-notready", "event-failedscheduling-gpu"]) {
    it(`${name} normalizes to its golden file and matches the schema`, () => {
      const events = normalizeFixture(k8sEventsSource, `k8s/${name}`);
      assert.equal(events.length, 1);
      assertGolden(KIND, name, events);
      assertEnvelope(KIND, events);
    });
  }

  it("NodeNotReady: README dedup key, node subject and k8s block, bearer token kept out of meta", () => {
    const [e] = normalizeFixture(k8sEventsSource, "k8s/event-node-notready");
    assert.equal(e?.dedupKey, "k8s-event:us-east-1-prod:e1c9a7f3-5d2b-4806-9f4e-2a7c0b8d1e65:918273645");
    assert.equal(e?.type, "k8s.event.node.NodeNotReady");
    assert.equal(e?.subject, "Node/gpu-node-a100-07");
    assert.equal(e?.time, "2026-05-12T13:48:05Z");
    assert.deepEqual(e?.data.payload, notReady);
    const k8s = e?.data.k8s as Record<string, unknown>;
    assert.deepEqual([k8s.cluster, k8s.kind, k8s.name, k8s.node, k8s.reason, k8s.event_type], ["us-east-1-prod", "Node", "gpu-node-a100-07", "gpu-node-a100-07", "NodeNotReady", "Normal"]);
    assert.ok(!("Authorization" in (e?.data.meta as { headers: Record<string, string> }).headers));
  });

  it("FailedScheduling (new-style event): eventTime, namespaced subject, parsed GPU shortage", () => {
    const [e] = normalizeFixture(k8sEventsSource, "k8s/event-failedscheduling-gpu");
    assert.equal(e?.dedupKey, "k8s-event:us-east-1-prod:9d3b6f1a-0e4c-4b72-a8d5-c6e1f2b7a049:918291077");
    assert.equal(e?.type, "k8s.event.pod.FailedScheduling");
    assert.equal(e?.subject, "team-nlp/Pod/llama3-ft-7b-0-x7k2p");
    assert.equal(e?.time, "2026-05-12T14:55:02.118394Z");
    assert.deepEqual(e?.data.scheduling, {
      nodes_available: 0,
      nodes_total: 24,
      insufficient: { "nvidia.com/gpu": 16 },
      reasons: { "Insufficient nvidia.com/gpu": 16, "node(s) didn't match Pod's node affinity/selector": 8 },
      gpu_shortage: true,
    });
  });
});

describe("k8s-events source: details", () => {
  it("each update of the Event (new resourceVersion) is a new key; cluster falls back to the option, then the source name", () => {
    const a = normalizeJson({ ...notReady, metadata: { ...(notReady.metadata as object), resourceVersion: "918273700" }, count: 2 })[0];
    assert.equal(a?.dedupKey, "k8s-event:us-east-1-prod:e1c9a7f3-5d2b-4806-9f4e-2a7c0b8d1e65:918273700");
    const noCluster = { ...notReady, clusterName: undefined };
    assert.ok(normalizeJson(noCluster, { cluster: "eu-1" })[0]?.dedupKey.startsWith("k8s-event:eu-1:"));
    assert.ok(normalizeJson(noCluster, {}, "kee-west")[0]?.dedupKey.startsWith("k8s-event:kee-west:"));
  });

  it("time falls back through lastTimestamp, eventTime, firstTimestamp, creationTimestamp", () => {
    const md = notReady.metadata as Record<string, unknown>;
    const t = (over: Record<string, unknown>) => normalizeJson({ ...notReady, ...over })[0]?.time;
    assert.equal(t({ lastTimestamp: null, eventTime: "2026-05-12T13:50:00.000001Z" }), "2026-05-12T13:50:00.000001Z");
    assert.equal(t({ lastTimestamp: null, firstTimestamp: "2026-05-12T13:40:00Z" }), "2026-05-12T13:40:00Z");
    assert.equal(t({ lastTimestamp: null, firstTimestamp: null, metadata: { ...md, creationTimestamp: "2026-05-12T13:30:00Z" } }), "2026-05-12T13:30:00Z");
  });

  it("parseSchedulingMessage", () => {
    assert.deepEqual(parseSchedulingMessage("0/3 nodes are available: 3 Insufficient nvidia.com/mig-1g.10gb."), {
      nodes_available: 0,
      nodes_total: 3,
      insufficient: { "nvidia.com/mig-1g.10gb": 3 },
      reasons: { "Insufficient nvidia.com/mig-1g.10gb": 3 },
      gpu_shortage: true,
    });
    assert.equal(parseSchedulingMessage("0/5 nodes are available: 2 Insufficient cpu, 3 Insufficient memory.")?.gpu_shortage, false);
    assert.equal(parseSchedulingMessage("pod has unbound immediate PersistentVolumeClaims"), undefined);
    const kubelet = normalizeJson({ ...notReady, reason: "FailedScheduling", message: "something else" })[0];
    assert.equal(kubelet?.data.scheduling, undefined);
  });

  it("refuses bodies that are not an exporter Event", () => {
    throwsCode(() => normalizeJson({ reason: "x" }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson({ ...notReady, metadata: { uid: "u" } }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson({ ...notReady, reason: "" }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => k8sEventsSource.checkOptions?.({ cluster: 3 }), "HB_ERR_CONFIG_INVALID");
  });
});
