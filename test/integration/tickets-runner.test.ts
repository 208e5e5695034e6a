import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { memoryStateStore } from "../../src/actions/memory-state.js";
import type { ActionIntent } from "../../src/core/intent.js";
import type { Stub } from "./action-stubs.js";
import { startStub } from "./action-stubs.js";
import { testRunner } from "../helpers/action-runner.js";

const ROUTING_KEY = "R0UTINGKEY-runner-s3cret";
const HOOK = "/services/T9/B9/runnerHookS3cret";
let stub: Stub;

before(async () => {
  stub = await startStub((req) => (req.path === HOOK ? { text: "ok" } : { status: 202, json: { status: "success", dedup_key: (req.body as { dedup_key: string }).dedup_key } }));
});
after(() => stub.close());

function intent(fingerprint: string, uuid: string): ActionIntent {
  return {
    rulebookVersion: "v1",
    ruleset: "gpu",
    rule: "sla breach",
    ruleIndex: 0,
    matchingEvents: { m: { alert: { fingerprint, labels: { service: "inference" } }, meta: { uuid } } },
    eventIds: [uuid],
    hosts: ["all"],
    actions: [
      { name: "open_ticket", index: 0, args: { system: "pagerduty", dedup_key: "{{ event.alert.fingerprint }}", title: "SLA breach on {{ event.alert.labels.service }}" } },
      { name: "notify", index: 1, args: { channel: "slack", text: "Paged for {{ event.alert.labels.service }}" } },
    ],
    ruleRunAt: new Date(0).toISOString(),
    key: `firing-${uuid}`,
  };
}

describe("open_ticket and notify through the action runner", () => {
  test("args are rendered, kinds are registered, outcomes carry no secrets; two firings of one alert page once and re-trigger", async () => {
    const { runner, outcomes } = testRunner({
      limits: { commandTimeoutMs: 10_000, httpTimeoutMs: 5_000 },
      state: memoryStateStore(),
      integrations: { pagerduty: { events_url: stub.url, routing_key: ROUTING_KEY }, slack: { webhook_url: `${stub.url}${HOOK}` } },
    });
    const first = await runner.run(intent("fp-77", "e1"));
    const second = await runner.run(intent("fp-77", "e2"));
    assert.deepEqual([...first, ...second].map((r) => r.status), ["successful", "successful", "successful", "successful"]);
    const enqueued = stub.requests.filter((r) => r.path === "/v2/enqueue").map((r) => r.body as { dedup_key: string; payload: { summary: string } });
    assert.deepEqual(enqueued.map((b) => [b.dedup_key, b.payload.summary]), [["fp-77", "SLA breach on inference"], ["fp-77", "SLA breach on inference"]]);
    const results = outcomes.filter((o) => o.type === "action.succeeded" && o.data.action === "open_ticket").map((o) => (o.data.result as { action: string }).action);
    assert.deepEqual(results, ["created", "updated"]);
    assert.deepEqual(stub.requests.filter((r) => r.path === HOOK).map((r) => r.body), [{ text: "Paged for inference" }, { text: "Paged for inference" }]);
    const text = JSON.stringify(outcomes);
    assert.ok(!text.includes(ROUTING_KEY) && !text.includes("runnerHookS3cret"));
  });
});
