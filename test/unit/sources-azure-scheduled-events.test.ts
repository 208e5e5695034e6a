import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { azureScheduledEventsSource } from "../../src/sources/azure-scheduled-events.js";
import type { Interruption } from "../../src/sources/interruption.js";
import { assertEnvelope, assertGolden, fixtureJson, normalizeFixture, throwsCode } from "./sources-golden-helper.js";

const KIND = "azure-scheduled-events";
const doc = fixtureJson("azure/scheduled-events-preempt.json") as { DocumentIncarnation: number; Events: Record<string, unknown>[] };
const preempt = doc.Events[0] as Record<string, unknown>;

const normalizeJson = (body: unknown, headers: Record<string, string> = {}) =>
  azureScheduledEventsSource.normalize({ body: Buffer.from(JSON.stringify(body)), headers, endpoint: "azure-agents", options: {} });

describe("azure-scheduled-events source: fixture", () => {
  const events = normalizeFixture(azureScheduledEventsSource, "azure/scheduled-events-preempt");

  it("normalizes to its golden file and matches the schema", () => {
    assertGolden(KIND, "scheduled-events-preempt", events);
    assertEnvelope(KIND, events);
  });

  it("Preempt → compute.instance.interruption with the README dedup key, NotBefore as deadline, receipt time", () => {
    assert.equal(events.length, 1);
    const [e] = events;
    assert.ok(e);
    assert.equal(e.type, "compute.instance.interruption");
    assert.equal(e.dedupKey, "azure-se:C7061BAC-AFDC-4513-B24B-AA5F13A16123:Scheduled");
    assert.equal(e.subject, "aks-a100spot-38291047-vmss_7");
    assert.equal(e.time, undefined, "the document has no event time: ingest stamps the receipt time");
    assert.equal(e.data.deadline, "2026-05-12T16:45:30Z");
    assert.deepEqual(e.data.payload, preempt);
    const i = e.data.interruption as Interruption;
    assert.deepEqual(
      [i.provider, i.instance_id, i.node, i.action, i.stage, i.not_before, i.raw_type],
      ["azure", "aks-a100spot-38291047-vmss_7", "aks-a100spot-38291047-vmss000007", "preempt", "scheduled", "2026-05-12T16:45:30Z", "Preempt"],
    );
  });
});

describe("azure-scheduled-events source: fan-out and agent headers", () => {
  it("one event per Events[] entry; Scheduled → Started is a new key; other types keep an azure type", () => {
    const body = {
      DocumentIncarnation: 6,
      Events: [
        { ...preempt, EventStatus: "Started", NotBefore: "" },
        { ...preempt, EventId: "A1", EventType: "Freeze", Resources: ["vm-a", "vm-b"], NotBefore: "Tue, 12 May 2026 17:00:00 GMT" },
        { ...preempt, EventId: "A2", EventType: "Terminate", Resources: [] },
      ],
    };
    const events = normalizeJson(body);
    assert.equal(events.length, 3);
    assert.deepEqual(
      events.map((e) => [e.type, e.dedupKey, e.subject]),
      [
        ["compute.instance.interruption", "azure-se:C7061BAC-AFDC-4513-B24B-AA5F13A16123:Started", "aks-a100spot-38291047-vmss_7"],
        ["azure.vm.scheduled_event.freeze", "azure-se:A1:Scheduled", "vm-a"],
        ["azure.vm.scheduled_event.terminate", "azure-se:A2:Scheduled", undefined],
      ],
    );
    const started = events[0]?.data.interruption as Interruption;
    assert.equal(started.stage, "started");
    assert.equal(started.deadline, undefined, "NotBefore is empty once started");
    assert.equal(events[1]?.data.deadline, "2026-05-12T17:00:00Z");
    assert.equal(events[1]?.data.interruption, undefined);
    assert.deepEqual(normalizeJson({ DocumentIncarnation: 7, Events: [] }), []);
  });

  it("the agent's headers pick this VM among Resources and give node, ARM id, subscription, region and zone", () => {
    const body = { ...doc, Events: [{ ...preempt, Resources: ["aks-a100spot-38291047-vmss_3", "aks-a100spot-38291047-vmss_7"] }] };
    const resourceId =
      "/subscriptions/6f1d2c3b-8a9e-4f70-b5c4-d3e2f1a0b9c8/resourceGroups/MC_rg/providers/Microsoft.Compute/virtualMachineScaleSets/aks-a100spot-38291047-vmss/virtualMachines/7";
    const [e] = normalizeJson(body, {
      "X-Hookbook-Vm-Name": "aks-a100spot-38291047-vmss_7",
      "X-Hookbook-Node-Name": "aks-a100spot-38291047-vmss000007",
      "X-Hookbook-Resource-Id": resourceId,
      "X-Hookbook-Location": "westus3",
      "X-Hookbook-Zone": "2",
      Authorization: "Bearer agent-token",
    });
    assert.equal(e?.subject, "aks-a100spot-38291047-vmss_7");
    const i = e?.data.interruption as Interruption;
    assert.deepEqual(
      [i.instance_name, i.node, i.resource, i.account, i.region, i.zone],
      ["aks-a100spot-38291047-vmss_7", "aks-a100spot-38291047-vmss000007", resourceId, "6f1d2c3b-8a9e-4f70-b5c4-d3e2f1a0b9c8", "westus3", "2"],
    );
    const meta = e?.data.meta as { headers: Record<string, string>; azure_scheduled_events: Record<string, unknown> };
    assert.ok(!("Authorization" in meta.headers));
    assert.equal(meta.azure_scheduled_events.vm_name, "aks-a100spot-38291047-vmss_7");
    assert.equal(meta.azure_scheduled_events.document_incarnation, 5);
  });

  it("refuses documents that are not Scheduled Events", () => {
    throwsCode(() => normalizeJson({ StartRequests: [{ EventId: "x" }] }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson({ Events: [{ EventId: "x", EventType: "Preempt" }] }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson({ Events: [{ ...preempt, Resources: "vm" }] }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => azureScheduledEventsSource.checkOptions?.({ vmName: "x" }), "HB_ERR_CONFIG_INVALID");
  });
});
