import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { azureMonitorSource } from "../../src/sources/azure-monitor.js";
import { assertEnvelope, assertGolden, fixtureJson, normalizeFixture, throwsCode } from "./sources-golden-helper.js";

const KIND = "azure-monitor";
const body = fixtureJson("azure/monitor-common-alert-prometheus.json") as { schemaId: string; data: { essentials: Record<string, unknown>; alertContext: unknown } };
const normalizeJson = (b: unknown) =>
  azureMonitorSource.normalize({ body: Buffer.from(JSON.stringify(b)), headers: {}, endpoint: "azmon", options: {} });

describe("azure-monitor source", () => {
  const events = normalizeFixture(azureMonitorSource, "azure/monitor-common-alert-prometheus");

  it("normalizes to its golden file and matches the schema", () => {
    assertGolden(KIND, "monitor-common-alert-prometheus", events);
    assertEnvelope(KIND, events);
  });

  it("fired alert: README dedup key, firedDateTime, configuration item subject", () => {
    assert.equal(events.length, 1);
    const [e] = events;
    assert.equal(e?.type, "azure.monitor.alert.fired");
    assert.equal(
      e?.dedupKey,
      "azmon:/subscriptions/6f1d2c3b-8a9e-4f70-b5c4-d3e2f1a0b9c8/providers/Microsoft.AlertsManagement/alerts/0d7c5e2a-9b41-4f38-a6e0-3c1d8b9f2e57:Fired",
    );
    assert.equal(e?.time, "2026-05-12T14:06:31.0431087Z");
    assert.equal(e?.subject, "aks-gpu-prod-westus3");
    assert.deepEqual(e?.data.payload, body);
  });

  it("alert is Alertmanager-shaped, so queue-depth rules written for Alertmanager match", () => {
    const alert = events[0]?.data.alert as { status: string; labels: Record<string, string>; annotations: Record<string, string>; value: string };
    assert.equal(alert.status, "firing");
    assert.deepEqual(alert.labels, { alertname: "GPUJobQueueDepthHigh", cluster: "aks-gpu-prod-westus3", gpu_type: "a100-80gb", queue: "training-a100" });
    assert.equal(alert.annotations.summary, "GPU job queue training-a100 has 131 pending jobs");
    assert.equal(alert.annotations.description, "Pending GPU jobs above threshold for 10 minutes");
    assert.equal(alert.value, "131");
  });

  it("resolved alert: new key, resolvedDateTime; a metric alert without labels gets alertname + severity", () => {
    const resolved = {
      ...body,
      data: { ...body.data, essentials: { ...body.data.essentials, monitorCondition: "Resolved", resolvedDateTime: "2026-05-12T14:36:31Z" } },
    };
    const [e] = normalizeJson(resolved);
    assert.equal(e?.type, "azure.monitor.alert.resolved");
    assert.ok(e?.dedupKey.endsWith(":Resolved"));
    assert.equal(e?.time, "2026-05-12T14:36:31Z");
    assert.equal((e?.data.alert as { status: string; endsAt: string }).endsAt, "2026-05-12T14:36:31Z");
    const metric = { ...body, data: { essentials: { ...body.data.essentials, configurationItems: [] }, alertContext: { condition: {} }, customProperties: null } };
    const [m] = normalizeJson(metric);
    assert.deepEqual((m?.data.alert as { labels: unknown }).labels, { severity: "Sev2", alertname: "GPUJobQueueDepthHigh" });
    assert.equal(m?.subject, "GPUJobQueueDepthHigh");
  });

  it("refuses bodies without the common alert schema", () => {
    throwsCode(() => normalizeJson({ schemaId: "Microsoft.Insights/activityLogs", data: {} }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson({ ...body, data: { essentials: { ...body.data.essentials, monitorCondition: "Active" } } }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson({ ...body, data: { essentials: { ...body.data.essentials, alertId: "" } } }), "HB_ERR_INVALID_PAYLOAD");
  });
});
