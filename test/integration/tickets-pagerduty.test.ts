import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { memoryStateStore } from "../../src/actions/memory-state.js";
import { openTicketAction } from "../../src/actions/tickets/open-ticket.js";
import { resolveTicketAction } from "../../src/actions/tickets/resolve-ticket.js";
import { ticketStateKey } from "../../src/actions/tickets/ticket-store.js";
import type { TicketRecord } from "../../src/actions/tickets/ticket-store.js";
import type { ActionStateStore } from "../../src/actions/types.js";
import type { Recorded, Stub, StubReply } from "./action-stubs.js";
import { runAction, secretsAbsent, startStub } from "./action-stubs.js";

const ROUTING_KEY = "R0UTINGKEY0000000000000000000001";
let stub: Stub;
let state: ActionStateStore;

function pagerduty(req: Recorded): StubReply {
  if (req.method !== "POST" || req.path !== "/v2/enqueue") return { status: 404, json: {} };
  const body = req.body as { dedup_key?: string };
  return { status: 202, json: { status: "success", message: "Event processed", dedup_key: body.dedup_key } };
}

const settings = () => ({ pagerduty: { events_url: stub.url, routing_key: ROUTING_KEY, source: "hookbook-prod" } });
const args = { system: "pagerduty", dedup_key: "sla-breach:inference-eu", title: "SLA breach: p99 > 2s", body: "p99 latency 2.4s", severity: "critical", labels: ["sla"], fields: { component: "inference", group: "eu-west", custom_details: { p99_ms: 2400 } } };
const trigger = {
  routing_key: ROUTING_KEY,
  event_action: "trigger",
  dedup_key: "sla-breach:inference-eu",
  payload: {
    summary: "SLA breach: p99 > 2s",
    source: "hookbook-prod",
    severity: "critical",
    component: "inference",
    group: "eu-west",
    custom_details: { body: "p99 latency 2.4s", labels: ["sla"], p99_ms: 2400 },
  },
  client: "hookbook",
};

before(async () => {
  stub = await startStub(pagerduty);
});
after(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  stub.respond(pagerduty);
  state = memoryStateStore();
});

describe("open_ticket / resolve_ticket: PagerDuty Events API v2", () => {
  test("trigger, re-trigger with the same dedup_key, resolve; the mapping is kept", async () => {
    const first = await runAction(openTicketAction, { args, integrations: settings(), state });
    assert.equal(first.ok, true, first.message);
    assert.equal(first.data?.action, "created");
    assert.deepEqual(first.data?.ticket, { id: "sla-breach:inference-eu" });
    const second = await runAction(openTicketAction, { args, integrations: settings(), state });
    assert.equal(second.data?.action, "updated");
    const resolved = await runAction(resolveTicketAction, { args: { system: "pagerduty", dedup_key: "sla-breach:inference-eu" }, integrations: settings(), state });
    assert.equal(resolved.ok, true, resolved.message);

    assert.deepEqual(stub.requests.map((r) => [r.method, r.path, r.headers["content-type"]]), Array(3).fill(["POST", "/v2/enqueue", "application/json"]));
    assert.deepEqual(stub.requests[0]?.body, trigger);
    assert.deepEqual(stub.requests[1]?.body, trigger);
    assert.deepEqual(stub.requests[2]?.body, { routing_key: ROUTING_KEY, event_action: "resolve", dedup_key: "sla-breach:inference-eu" });
    assert.equal((await state.get<TicketRecord>(ticketStateKey("pagerduty", "sla-breach:inference-eu")))?.value.status, "resolved");
    assert.equal(secretsAbsent([first, second, resolved], [ROUTING_KEY]), undefined);
  });

  test("resolve without a mapping still sends the resolve event (PagerDuty dedups itself)", async () => {
    const res = await runAction(resolveTicketAction, { args: { system: "pagerduty", dedup_key: "opened-elsewhere", comment: "ok now" }, integrations: settings(), state });
    assert.equal(res.ok, true, res.message);
    assert.equal(res.data?.reason, "no_mapping");
    assert.deepEqual(stub.requests[0]?.body, { routing_key: ROUTING_KEY, event_action: "resolve", dedup_key: "opened-elsewhere" });
  });

  test("severity words map onto PagerDuty's four; long keys are hashed to 255 characters", async () => {
    const long = "x".repeat(300);
    await runAction(openTicketAction, { args: { system: "pagerduty", dedup_key: long, title: "t", severity: "high" }, integrations: settings(), state });
    const body = stub.requests[0]?.body as { dedup_key: string; payload: { severity: string } };
    assert.equal(body.payload.severity, "error");
    assert.match(body.dedup_key, /^hookbook-[0-9a-f]{64}$/);
  });

  test("429 → retry-after failure with retry_after in data; the claim is released", async () => {
    stub.respond(() => ({ status: 429, headers: { "retry-after": "12" }, json: { status: "throttle event", message: "Requests for this service are arriving too quickly." } }));
    const res = await runAction(openTicketAction, { args, integrations: settings(), state });
    assert.equal(res.ok, false);
    assert.equal(res.code, "HB_ERR_HTTP_STATUS");
    assert.equal(res.data?.retry, "retry-after");
    assert.equal(res.data?.retry_after, 12);
    assert.equal(res.data?.retry_after_ms, 12_000);
    assert.equal((await state.get<TicketRecord>(ticketStateKey("pagerduty", "sla-breach:inference-eu")))?.value.status, "failed");
  });

  test("network failure → transient HB_ERR_ACTION_FAILED without the URL or key", async () => {
    const res = await runAction(openTicketAction, { args, integrations: { pagerduty: { events_url: "http://127.0.0.1:1", routing_key: ROUTING_KEY } }, state });
    assert.equal(res.ok, false);
    assert.equal(res.code, "HB_ERR_ACTION_FAILED");
    assert.equal(res.data?.retry, "transient");
    assert.equal(secretsAbsent(res, [ROUTING_KEY]), undefined);
  });
});
