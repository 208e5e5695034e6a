import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventbridgeSource } from "../../src/sources/eventbridge.js";
import type { Interruption, RetirementScheduled } from "../../src/sources/interruption.js";
import { assertEnvelope, assertGolden, fixtureJson, normalizeFixture, throwsCode } from "./sources-golden-helper.js";

const KIND = "eventbridge";
const normalizeJson = (body: unknown, options: Record<string, unknown> = {}) =>
  eventbridgeSource.normalize({ body: Buffer.from(JSON.stringify(body)), headers: {}, endpoint: "aws", options });

const spot = fixtureJson("aws/spot-interruption-eventbridge.json") as Record<string, unknown>;

describe("eventbridge source: fixtures", () => {
  const cases = [
    ["spot-interruption-eventbridge", {}],
    ["rebalance-recommendation-eventbridge", {}],
    ["health-ec2-retirement-eventbridge", { nodeNameTags: ["node.acme-gpu.example/name"] }],
  ] as const;
  for (const [name, options] of cases) {
    it(`${name} normalizes to its golden file and matches the schema`, () => {
      const events = normalizeFixture(eventbridgeSource, `aws/${name}`, { options });
      assertGolden(KIND, name, events);
      assertEnvelope(KIND, events);
    });
  }

  it("spot interruption: common type, README dedup key, 2-minute deadline, API key header kept out of meta", () => {
    const [event, ...rest] = normalizeFixture(eventbridgeSource, "aws/spot-interruption-eventbridge");
    assert.equal(rest.length, 0);
    assert.ok(event);
    assert.equal(event.type, "compute.instance.interruption");
    assert.equal(event.dedupKey, "aws:7d3f9a1e-5b2c-4e8d-9f06-1a2b3c4d5e6f");
    assert.equal(event.subject, "i-0abc1234def567890");
    assert.equal(event.time, "2026-05-12T15:20:04Z");
    assert.deepEqual(event.data.payload, spot);
    const i = event.data.interruption as Interruption;
    assert.equal(i.provider, "aws");
    assert.equal(i.action, "terminate");
    // Same instant the on-node IMDS notice gives (aws/imds-spot-instance-action.json).
    assert.equal(i.deadline, (fixtureJson("aws/imds-spot-instance-action.json") as { time: string }).time);
    const meta = event.data.meta as { headers: Record<string, string>; eventbridge: Record<string, unknown> };
    assert.ok(!Object.keys(meta.headers).some((h) => h.toLowerCase() === "x-api-key"));
    assert.equal(meta.headers["User-Agent"], "Amazon/EventBridge/ApiDestinations");
    assert.equal(meta.eventbridge.transport, "api-destination");
  });

  it("rebalance recommendation and Health retirement map to the compute.instance.* types", () => {
    const [rebalance] = normalizeFixture(eventbridgeSource, "aws/rebalance-recommendation-eventbridge");
    assert.equal(rebalance?.type, "compute.instance.rebalance_recommendation");
    assert.equal(rebalance?.dedupKey, "aws:c41a8b2e-0f6d-4d3a-9b7e-5e2f1a0c9d84");
    const [retire] = normalizeFixture(eventbridgeSource, "aws/health-ec2-retirement-eventbridge", {
      options: { nodeNameTags: ["node.acme-gpu.example/name"] },
    });
    assert.equal(retire?.type, "compute.instance.retirement_scheduled");
    assert.equal(retire?.dedupKey, "aws:3e8b1f0a-9c27-4d6e-8a15-f4b2c7d9e031");
    const r = retire?.data.retirement as RetirementScheduled;
    assert.equal(r.instance_id, "i-07f3e9b2c1a4d5e68");
    assert.equal(r.node, "gpu-node-a100-19");
    assert.equal(r.cluster, "us-east-1-prod");
    assert.equal(r.not_before, "2026-05-26T09:00:00Z", "RFC 1123 startTime converted");
    assert.equal(r.status, "upcoming");
    const [noTags] = normalizeFixture(eventbridgeSource, "aws/health-ec2-retirement-eventbridge");
    assert.equal((noTags?.data.retirement as RetirementScheduled).node, undefined, "default nodeNameTags do not match the fixture tag");
  });
});

describe("eventbridge source: other events", () => {
  it("hibernate has no lead time; stop keeps two minutes", () => {
    const hib = normalizeJson({ ...spot, detail: { "instance-id": "i-1", "instance-action": "hibernate" } });
    assert.equal((hib[0]?.data.interruption as Interruption).deadline, "2026-05-12T15:20:04Z");
    assert.equal((hib[0]?.data.interruption as Interruption).action, "hibernate");
    const stop = normalizeJson({ ...spot, detail: { "instance-id": "i-1", "instance-action": "stop" } });
    assert.equal((stop[0]?.data.interruption as Interruption).deadline, "2026-05-12T15:22:04Z");
  });

  it("capacity-reservation interruption warnings are interruptions with their termination time", () => {
    const [e] = normalizeJson({
      ...spot,
      "detail-type": "EC2 Capacity Reservation Instance Interruption Warning",
      detail: { "instance-id": "i-2", "instance-action": "terminate", "instance-termination-time": "2026-05-12T15:40:00Z" },
    });
    assert.equal(e?.type, "compute.instance.interruption");
    const i = e?.data.interruption as Interruption;
    assert.equal(i.deadline, "2026-05-12T15:40:00Z");
    assert.equal(i.provider_type, "aws.ec2.capacity_reservation_interruption_warning");
  });

  it("Health events with several affected entities fan out with distinct keys", () => {
    const health = fixtureJson("aws/health-ec2-retirement-eventbridge.json") as { detail: Record<string, unknown> };
    const body = {
      ...health,
      detail: { ...health.detail, affectedEntities: [{ entityValue: "i-0aaa" }, { entityValue: "i-0bbb" }] },
    };
    const events = normalizeJson(body);
    assert.equal(events.length, 2);
    assert.deepEqual(
      events.map((e) => [e.type, e.subject, e.dedupKey]),
      [
        ["compute.instance.retirement_scheduled", "i-0aaa", "aws:3e8b1f0a-9c27-4d6e-8a15-f4b2c7d9e031#i-0aaa"],
        ["compute.instance.retirement_scheduled", "i-0bbb", "aws:3e8b1f0a-9c27-4d6e-8a15-f4b2c7d9e031#i-0bbb"],
      ],
    );
    const other = normalizeJson({ ...health, detail: { ...health.detail, eventTypeCode: "AWS_EC2_INSTANCE_STORE_DRIVE_PERFORMANCE_DEGRADED" } });
    assert.equal(other[0]?.type, "aws.health.aws_ec2_instance_store_drive_performance_degraded");
    assert.equal(other[0]?.data.retirement, undefined);
  });

  it("other events get <source>.<detail-type snake_case>; custom sources are prefixed", () => {
    const [state] = normalizeJson({ ...spot, "detail-type": "EC2 Instance State-change Notification", detail: { "instance-id": "i-9", state: "stopping" } });
    assert.equal(state?.type, "aws.ec2.ec2_instance_state_change_notification");
    assert.equal(state?.subject, "i-9");
    assert.equal(state?.dedupKey, "aws:7d3f9a1e-5b2c-4e8d-9f06-1a2b3c4d5e6f");
    const [custom] = normalizeJson({ ...spot, source: "acme.scheduler", "detail-type": "Job Queued", detail: {} });
    assert.equal(custom?.type, "aws.custom.acme.scheduler.job_queued");
  });

  it("refuses bodies that are not an EventBridge event", () => {
    throwsCode(() => eventbridgeSource.normalize({ body: Buffer.from("{"), headers: {}, endpoint: "a", options: {} }), "HB_ERR_INVALID_JSON");
    throwsCode(() => normalizeJson({ id: "x", source: "aws.ec2" }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson([spot]), "HB_ERR_INVALID_PAYLOAD");
  });

  it("checks its options", () => {
    eventbridgeSource.checkOptions?.({ nodeNameTags: ["a"], stripHeaders: ["X-Custom-Key"] });
    throwsCode(() => eventbridgeSource.checkOptions?.({ nodeNameTags: "a" }), "HB_ERR_CONFIG_INVALID");
    throwsCode(() => eventbridgeSource.checkOptions?.({ nodeTags: ["a"] }), "HB_ERR_CONFIG_INVALID");
    const [e] = eventbridgeSource.normalize({
      body: Buffer.from(JSON.stringify(spot)),
      headers: { "X-Custom-Key": "secret", Accept: "*/*" },
      endpoint: "aws",
      options: { stripHeaders: ["x-custom-key"] },
    });
    assert.deepEqual((e?.data.meta as { headers: unknown }).headers, { Accept: "*/*" });
  });
});
