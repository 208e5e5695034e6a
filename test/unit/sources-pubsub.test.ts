import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Interruption } from "../../src/sources/interruption.js";
import { pubsubSource } from "../../src/sources/pubsub.js";
import { assertEnvelope, assertGolden, fixtureJson, normalizeFixture, throwsCode } from "./sources-golden-helper.js";

const KIND = "pubsub";
const push = fixtureJson("gcp/pubsub-push-preempted.json") as { message: Record<string, unknown>; subscription: string };
const logEntry = fixtureJson("gcp/logentry-preempted.json") as Record<string, unknown>;

const withData = (data: unknown, extra: Record<string, unknown> = {}) => ({
  ...push,
  message: { ...push.message, data: Buffer.from(typeof data === "string" ? data : JSON.stringify(data)).toString("base64"), ...extra },
});
const normalizeJson = (body: unknown, options: Record<string, unknown> = {}) =>
  pubsubSource.normalize({ body: Buffer.from(JSON.stringify(body)), headers: {}, endpoint: "gcp", options });

describe("pubsub source: fixture", () => {
  const events = normalizeFixture(pubsubSource, "gcp/pubsub-push-preempted");

  it("normalizes to its golden file and matches the schema", () => {
    assertGolden(KIND, "pubsub-push-preempted", events);
    assertEnvelope(KIND, events);
  });

  it("log-sink delivery: decoded LogEntry, README dedup key, LogEntry time", () => {
    assert.equal(events.length, 1);
    const [e] = events;
    assert.ok(e);
    assert.equal(e.dedupKey, "gcplog:projects/acme-gpu-prod/logs/cloudaudit.googleapis.com%2Fsystem_event:-x1f9k2e4b8c7");
    assert.deepEqual(e.data.payload, logEntry, "message.data is the LogEntry fixture");
    assert.equal(e.time, "2026-05-12T16:03:11.482193Z");
    assert.equal(e.subject, "gke-gpu-prod-a100-spot-5d8e2f1c-q7wz");
    const meta = e.data.meta as { headers: Record<string, string>; pubsub: Record<string, unknown> };
    assert.ok(!("Authorization" in meta.headers), "the OIDC token is not kept");
    assert.equal(meta.pubsub.message_id, "12087445391855231");
    assert.equal(meta.pubsub.subscription, "projects/acme-gpu-prod/subscriptions/gpu-events-preemption-push");
  });

  it("compute.instances.preempted → compute.instance.interruption with the GKE node", () => {
    const [e] = events;
    assert.equal(e?.type, "compute.instance.interruption");
    const i = e?.data.interruption as Interruption;
    assert.deepEqual(
      [i.provider, i.instance_id, i.instance_name, i.node, i.zone, i.region, i.account, i.action, i.stage],
      ["gcp", "4729815530284617193", "gke-gpu-prod-a100-spot-5d8e2f1c-q7wz", "gke-gpu-prod-a100-spot-5d8e2f1c-q7wz", "us-central1-a", "us-central1", "acme-gpu-prod", "preempt", "started"],
    );
    assert.equal(i.deadline, "2026-05-12T16:03:41.482Z", "30 s soft-off after the preemption");
  });
});

describe("pubsub source: other messages", () => {
  it("the same LogEntry through another subscription has the same key; non-log messages use the subscription key", () => {
    const [other] = normalizeJson({ ...push, subscription: "projects/acme-gpu-prod/subscriptions/second", message: { ...push.message, messageId: "999", message_id: "999" } });
    assert.equal(other?.dedupKey, "gcplog:projects/acme-gpu-prod/logs/cloudaudit.googleapis.com%2Fsystem_event:-x1f9k2e4b8c7");
    const [plain] = normalizeJson(withData({ queue: "training-a100", depth: 131 }));
    assert.equal(plain?.type, "gcp.pubsub.message");
    assert.equal(plain?.dedupKey, `pubsub:${push.subscription}:12087445391855231`);
    assert.deepEqual(plain?.data.payload, { queue: "training-a100", depth: 131 });
    assert.equal(plain?.time, "2026-05-12T16:03:12.237Z", "publishTime");
    assert.equal(plain?.subject, undefined);
  });

  it("text, binary and empty data", () => {
    assert.equal(normalizeJson(withData("hello"))[0]?.data.payload, "hello");
    const binary = normalizeJson({ ...push, message: { ...push.message, data: Buffer.from([0xff, 0xfe, 0x00]).toString("base64") } })[0];
    assert.equal(binary?.data.payload, null);
    assert.equal(binary?.data.payload_base64, "//4A");
    const empty = normalizeJson({ ...push, message: { ...push.message, data: undefined, attributes: { k: "v" } } })[0];
    assert.equal(empty?.data.payload, null);
    assert.deepEqual((empty?.data.meta as { pubsub: { attributes: unknown } }).pubsub.attributes, { k: "v" });
  });

  it("other compute.instances audit entries and other log entries", () => {
    const proto = logEntry.protoPayload as Record<string, unknown>;
    const host = normalizeJson(withData({ ...logEntry, protoPayload: { ...proto, methodName: "compute.instances.hostError" } }))[0];
    assert.equal(host?.type, "gcp.compute.instance.host_error");
    assert.equal(host?.data.interruption, undefined);
    const other = normalizeJson(withData({ ...logEntry, protoPayload: undefined, textPayload: "hi" }))[0];
    assert.equal(other?.type, "gcp.log.entry");
  });

  it("nodeFromInstanceName: false never sets the node; true sets it for non-GKE names", () => {
    const never = normalizeJson(push, { nodeFromInstanceName: false })[0];
    assert.equal((never?.data.interruption as Interruption).node, undefined);
    const proto = logEntry.protoPayload as Record<string, unknown>;
    const plainVm = withData({
      ...logEntry,
      protoPayload: { ...proto, resourceName: "projects/p/zones/europe-west4-b/instances/trainer-1" },
      resource: { type: "gce_instance", labels: { instance_id: "1", project_id: "p", zone: "europe-west4-b" } },
    });
    assert.equal((normalizeJson(plainVm)[0]?.data.interruption as Interruption).node, undefined);
    const forced = normalizeJson(plainVm, { nodeFromInstanceName: true })[0]?.data.interruption as Interruption;
    assert.equal(forced.node, "trainer-1");
    assert.equal(forced.region, "europe-west4");
  });

  it("refuses bodies that are not a wrapped push request", () => {
    throwsCode(() => normalizeJson({ subscription: "s" }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson({ ...push, subscription: undefined }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson({ ...push, message: { ...push.message, messageId: undefined, message_id: undefined } }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson({ ...push, message: { ...push.message, data: "***" } }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => pubsubSource.checkOptions?.({ nodeFromInstanceName: "yes" }), "HB_ERR_CONFIG_INVALID");
  });
});
