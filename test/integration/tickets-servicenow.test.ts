import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { memoryStateStore } from "../../src/actions/memory-state.js";
import { openTicketAction } from "../../src/actions/tickets/open-ticket.js";
import { resolveTicketAction } from "../../src/actions/tickets/resolve-ticket.js";
import type { ActionStateStore } from "../../src/actions/types.js";
import type { Recorded, Stub, StubReply } from "./action-stubs.js";
import { basic, runAction, secretsAbsent, startStub } from "./action-stubs.js";

const PASSWORD = "sn-pa55word-value";
const SYS_ID = "46d44a23a9fe19810012d100cca80666";
let stub: Stub;
let state: ActionStateStore;

function servicenow(req: Recorded): StubReply {
  if (req.method === "POST" && req.path === "/api/now/table/incident") return { status: 201, json: { result: { sys_id: SYS_ID, number: "INC0010042", state: "1" } } };
  if (req.method === "PATCH" && req.path === `/api/now/table/incident/${SYS_ID}`) return { json: { result: { sys_id: SYS_ID } } };
  return { status: 404, json: { error: { message: "No Record found" } } };
}

const settings = () => ({ servicenow: { url: stub.url, user: "hookbook.integration", password: PASSWORD } });
const args = { system: "servicenow", dedup_key: "spot:i-0abc", title: "Spot interruption, no replacement ready", body: "i-0abc interrupted; replacement pending", severity: "critical", fields: { assignment_group: "GPU Platform", category: "hardware" } };

before(async () => {
  stub = await startStub(servicenow);
});
after(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  state = memoryStateStore();
});

describe("open_ticket / resolve_ticket: ServiceNow Table API", () => {
  test("create an incident, add a work note on the second open, resolve with state 6", async () => {
    const first = await runAction(openTicketAction, { args, integrations: settings(), state });
    assert.equal(first.ok, true, first.message);
    assert.deepEqual(first.data?.ticket, { id: SYS_ID, number: "INC0010042", url: `${stub.url}/nav_to.do?uri=incident.do%3Fsys_id%3D${SYS_ID}` });
    const second = await runAction(openTicketAction, { args: { ...args, comment: "still no replacement" }, integrations: settings(), state });
    assert.equal(second.data?.action, "updated");
    const resolved = await runAction(resolveTicketAction, { args: { system: "servicenow", dedup_key: "spot:i-0abc", comment: "replacement ready" }, integrations: settings(), state });
    assert.equal(resolved.ok, true, resolved.message);

    assert.deepEqual(
      stub.requests.map((r) => [r.method, r.path, r.body]),
      [
        [
          "POST",
          "/api/now/table/incident",
          {
            short_description: "Spot interruption, no replacement ready",
            description: "i-0abc interrupted; replacement pending",
            correlation_id: "spot:i-0abc",
            correlation_display: "hookbook",
            impact: "1",
            urgency: "1",
            assignment_group: "GPU Platform",
            category: "hardware",
          },
        ],
        ["PATCH", `/api/now/table/incident/${SYS_ID}`, { work_notes: "still no replacement" }],
        ["PATCH", `/api/now/table/incident/${SYS_ID}`, { state: "6", close_code: "Solution provided", close_notes: "replacement ready" }],
      ],
    );
    for (const r of stub.requests) {
      assert.equal(r.headers.authorization, basic("hookbook.integration", PASSWORD));
      assert.equal(r.headers.accept, "application/json");
      assert.equal(r.headers["content-type"], "application/json");
    }
    assert.equal(secretsAbsent([first, second, resolved], [PASSWORD, basic("hookbook.integration", PASSWORD)]), undefined);
  });

  test("configured resolve fields and comment field", async () => {
    const s = { servicenow: { ...settings().servicenow, comment_field: "comments", resolve_fields: { state: "7", close_code: "Resolved by caller" } } };
    await runAction(openTicketAction, { args, integrations: s, state });
    await runAction(openTicketAction, { args, integrations: s, state });
    await runAction(resolveTicketAction, { args: { system: "servicenow", dedup_key: "spot:i-0abc" }, integrations: s, state });
    assert.deepEqual(stub.requests.slice(1).map((r) => r.body), [
      { comments: "i-0abc interrupted; replacement pending" },
      { state: "7", close_code: "Resolved by caller", close_notes: "Resolved by hookbook" },
    ]);
  });

  test("missing password → HB_ERR_CONFIG_INVALID", async () => {
    const res = await runAction(openTicketAction, { args, integrations: { servicenow: { url: stub.url, user: "u" } }, state });
    assert.equal(res.code, "HB_ERR_CONFIG_INVALID");
    assert.equal(stub.requests.length, 0);
  });
});
