/**
 * GPU-meaningful common type: a spot / preemptible interruption from AWS (EventBridge direct and
 * via SNS), GCP (Pub/Sub log sink) and Azure (Scheduled Events) normalizes to one type with one
 * common block, so `event.interruption.provider is defined` covers every cloud.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import type { NormalizedEvent } from "../../src/core/envelope.js";
import { azureScheduledEventsSource } from "../../src/sources/azure-scheduled-events.js";
import { eventbridgeSource } from "../../src/sources/eventbridge.js";
import type { Interruption } from "../../src/sources/interruption.js";
import { INTERRUPTION_TYPE, compact, regionOfZone, vmssComputerName } from "../../src/sources/interruption.js";
import { pubsubSource } from "../../src/sources/pubsub.js";
import { snsSource } from "../../src/sources/sns.js";
import { kindSchema, normalizeFixture } from "./sources-golden-helper.js";

const interruptions: [string, NormalizedEvent][] = [
  ["aws eventbridge", normalizeFixture(eventbridgeSource, "aws/spot-interruption-eventbridge")[0] as NormalizedEvent],
  ["aws sns", normalizeFixture(snsSource, "aws/sns-notification-spot")[0] as NormalizedEvent],
  ["gcp pubsub", normalizeFixture(pubsubSource, "gcp/pubsub-push-preempted")[0] as NormalizedEvent],
  ["azure scheduled events", normalizeFixture(azureScheduledEventsSource, "azure/scheduled-events-preempt")[0] as NormalizedEvent],
];

const REQUIRED = ["provider", "instance_id", "action", "stage", "raw_type", "provider_type"] as const;

describe("compute.instance.interruption across clouds", () => {
  it("every cloud's spot interruption has the same type and a complete common block", () => {
    for (const [name, e] of interruptions) {
      assert.equal(e.type, INTERRUPTION_TYPE, name);
      const i = e.data.interruption as Record<string, unknown>;
      for (const field of REQUIRED) assert.equal(typeof i[field], "string", `${name}: interruption.${field}`);
      assert.match(String(i.deadline), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, `${name}: deadline`);
      assert.match(String(i.not_before), /^\d{4}-\d{2}-\d{2}T/, `${name}: not_before`);
      assert.ok(e.subject !== undefined && e.subject !== "", `${name}: subject`);
    }
  });

  it("providers, actions and identities", () => {
    const view = interruptions.map(([, e]) => {
      const i = e.data.interruption as Interruption;
      return [i.provider, i.action, i.instance_id, i.node ?? null];
    });
    assert.deepEqual(view, [
      ["aws", "terminate", "i-0abc1234def567890", null],
      ["aws", "terminate", "i-0abc1234def567890", null],
      ["gcp", "preempt", "4729815530284617193", "gke-gpu-prod-a100-spot-5d8e2f1c-q7wz"],
      ["azure", "preempt", "aks-a100spot-38291047-vmss_7", "aks-a100spot-38291047-vmss000007"],
    ]);
  });

  it("the common block matches docs/sources/interruption.schema.json (closed object)", () => {
    const schemaPath = fileURLToPath(new URL("../../docs/sources/interruption.schema.json", import.meta.url));
    const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as { definitions: { interruption: { properties: Record<string, unknown> } } };
    const allowed = new Set(Object.keys(schema.definitions.interruption.properties));
    const validate = kindSchema("interruption");
    for (const [name, e] of interruptions) {
      for (const key of Object.keys(e.data.interruption as object)) assert.ok(allowed.has(key), `${name}: ${key} is documented`);
      assert.ok(validate({ interruption: e.data.interruption }), `${name}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it("only interruptions carry data.interruption (rebalance / retirement use their own blocks)", () => {
    const [rebalance] = normalizeFixture(eventbridgeSource, "aws/rebalance-recommendation-eventbridge");
    const [retire] = normalizeFixture(eventbridgeSource, "aws/health-ec2-retirement-eventbridge");
    assert.equal(rebalance?.data.interruption, undefined);
    assert.equal(retire?.data.interruption, undefined);
    assert.equal((rebalance?.data.rebalance as { provider: string }).provider, "aws");
    assert.equal((retire?.data.retirement as { provider: string }).provider, "aws");
  });
});

describe("interruption helpers", () => {
  it("regionOfZone", () => {
    assert.equal(regionOfZone("us-central1-a"), "us-central1");
    assert.equal(regionOfZone("europe-west4-b"), "europe-west4");
    assert.equal(regionOfZone("us-east-1b"), "us-east-1");
    assert.equal(regionOfZone("us-gov-west-1a"), "us-gov-west-1");
    assert.equal(regionOfZone("2"), undefined);
  });

  it("vmssComputerName: prefix + base-36 instance id padded to 6", () => {
    assert.equal(vmssComputerName("aks-a100spot-38291047-vmss_7"), "aks-a100spot-38291047-vmss000007");
    assert.equal(vmssComputerName("aks-gpu-1-vmss_36"), "aks-gpu-1-vmss000010");
    assert.equal(vmssComputerName("plain-vm"), undefined);
  });

  it("compact drops undefined fields", () => {
    assert.deepEqual(compact({ a: 1, b: undefined, c: null }), { a: 1, c: null });
  });
});
