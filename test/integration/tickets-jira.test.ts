import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { memoryStateStore } from "../../src/actions/memory-state.js";
import { openTicketAction } from "../../src/actions/tickets/open-ticket.js";
import { resolveTicketAction } from "../../src/actions/tickets/resolve-ticket.js";
import { ticketStateKey } from "../../src/actions/tickets/ticket-store.js";
import type { TicketRecord } from "../../src/actions/tickets/ticket-store.js";
import type { ActionStateStore } from "../../src/actions/types.js";
import type { Recorded, Stub, StubReply } from "./action-stubs.js";
import { basic, runAction, secretsAbsent, startStub } from "./action-stubs.js";

const TOKEN = "jira-api-token-s3cr3t";
let stub: Stub;
let state: ActionStateStore;
let nextIssue = 7;
let issueCategory = "indeterminate";

function jira(req: Recorded): StubReply {
  if (req.method === "POST" && req.path.endsWith("/issue")) {
    const n = nextIssue++;
    return { status: 201, json: { id: String(10000 + n), key: `OPS-${n}`, self: `x/rest/api/2/issue/${10000 + n}` } };
  }
  if (req.method === "POST" && req.path.endsWith("/comment")) return { status: 201, json: { id: "555" } };
  if (req.method === "GET" && req.path.endsWith("/transitions")) {
    return { json: { transitions: [{ id: "11", name: "Start Progress", to: { name: "In Progress" } }, { id: "31", name: "Done", to: { name: "Done", statusCategory: { key: "done" } } }] } };
  }
  if (req.method === "POST" && req.path.endsWith("/transitions")) return { status: 204 };
  if (req.method === "GET" && req.path.endsWith("?fields=status")) return { json: { fields: { status: { name: "In Progress", statusCategory: { key: issueCategory } } } } };
  return { status: 404, json: { errorMessages: ["no route"] } };
}

const settings = () => ({ jira: { url: `${stub.url}/`, user: "bot@example.com", token: TOKEN, project: "OPS", issue_type: "Incident", priority_map: { critical: "Highest" } } });
const openArgs = { system: "jira", dedup_key: "fp-abc123", title: "GPU Xid 79 on gpu-7", body: "Node gpu-7 lost a GPU.\nDrain started.", severity: "critical", labels: ["gpu", "xid 79"] };

before(async () => {
  stub = await startStub(jira);
});
after(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  stub.respond(jira);
  state = memoryStateStore();
});

describe("open_ticket / resolve_ticket: Jira", () => {
  test("first open creates the issue with the exact request; second open comments instead", async () => {
    const first = await runAction(openTicketAction, { args: openArgs, integrations: settings(), state });
    assert.equal(first.ok, true, first.message);
    const n = nextIssue - 1;
    assert.equal(stub.requests.length, 1);
    const create = stub.requests[0]!;
    assert.equal(create.method, "POST");
    assert.equal(create.path, "/rest/api/2/issue");
    assert.equal(create.headers.authorization, basic("bot@example.com", TOKEN));
    assert.equal(create.headers["content-type"], "application/json");
    assert.deepEqual(create.body, {
      fields: {
        project: { key: "OPS" },
        issuetype: { name: "Incident" },
        summary: "GPU Xid 79 on gpu-7",
        description: "Node gpu-7 lost a GPU.\nDrain started.",
        labels: ["gpu", "xid_79"],
        priority: { name: "Highest" },
      },
    });
    assert.deepEqual(first.data, { system: "jira", dedup_key: "fp-abc123", action: "created", ticket: { id: `OPS-${n}`, url: `${stub.url}/browse/OPS-${n}`, number: String(10000 + n) } });

    const second = await runAction(openTicketAction, { args: { ...openArgs, comment: "fired again" }, integrations: settings(), state });
    assert.equal(second.ok, true, second.message);
    assert.equal(stub.requests.length, 2);
    const comment = stub.requests[1]!;
    assert.equal(comment.method, "POST");
    assert.equal(comment.path, `/rest/api/2/issue/OPS-${n}/comment`);
    assert.equal(comment.headers.authorization, basic("bot@example.com", TOKEN));
    assert.deepEqual(comment.body, { body: "fired again" });
    assert.equal(second.data?.action, "updated");
    assert.equal(second.data?.updates, 1);
    assert.equal(stub.requests.filter((r) => r.path.endsWith("/issue")).length, 1, "one create per dedup key");

    const rec = await state.get<TicketRecord>(ticketStateKey("jira", "fp-abc123"));
    assert.equal(rec?.value.status, "open");
    assert.equal(rec?.value.ticket?.id, `OPS-${n}`);
    assert.ok(ticketStateKey("jira", "fp-abc123").match(/^ticket\.jira\.[0-9a-f]{32}$/));
  });

  test("concurrent opens of one key create exactly one issue", async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => runAction(openTicketAction, { args: openArgs, integrations: settings(), state })));
    assert.ok(results.every((r) => r.ok), JSON.stringify(results));
    assert.equal(stub.requests.filter((r) => r.method === "POST" && r.path === "/rest/api/2/issue").length, 1);
    assert.equal(stub.requests.filter((r) => r.path.endsWith("/comment")).length, 4);
    assert.deepEqual(results.map((r) => r.data?.action).sort(), ["created", "updated", "updated", "updated", "updated"]);
  });

  test("resolve comments, picks the Done transition, marks the mapping resolved; a later open creates a new issue", async () => {
    await runAction(openTicketAction, { args: openArgs, integrations: settings(), state });
    const key = `OPS-${nextIssue - 1}`;
    stub.requests.length = 0;
    const res = await runAction(resolveTicketAction, { args: { system: "jira", dedup_key: "fp-abc123", comment: "alert resolved" }, integrations: settings(), state });
    assert.equal(res.ok, true, res.message);
    assert.deepEqual(
      stub.requests.map((r) => [r.method, r.path, r.body]),
      [
        ["POST", `/rest/api/2/issue/${key}/comment`, { body: "alert resolved" }],
        ["GET", `/rest/api/2/issue/${key}/transitions`, undefined],
        ["POST", `/rest/api/2/issue/${key}/transitions`, { transition: { id: "31" } }],
      ],
    );
    assert.ok(stub.requests.every((r) => r.headers.authorization === basic("bot@example.com", TOKEN)));
    assert.equal(res.data?.transition, "Done");
    assert.equal((await state.get<TicketRecord>(ticketStateKey("jira", "fp-abc123")))?.value.status, "resolved");

    stub.requests.length = 0;
    const again = await runAction(resolveTicketAction, { args: { system: "jira", dedup_key: "fp-abc123" }, integrations: settings(), state });
    assert.equal(again.ok, true);
    assert.equal(again.data?.reason, "already_resolved");
    assert.equal(stub.requests.length, 0, "resolving twice sends nothing");

    const reopened = await runAction(openTicketAction, { args: openArgs, integrations: settings(), state });
    assert.equal(reopened.data?.action, "created");
    assert.deepEqual((reopened.data?.previous_ticket as { id: string }).id, key);
    assert.equal(stub.requests.filter((r) => r.path === "/rest/api/2/issue").length, 1);
  });

  test("resolve of a key never opened does nothing", async () => {
    const res = await runAction(resolveTicketAction, { args: { system: "jira", dedup_key: "never" }, integrations: settings(), state });
    assert.equal(res.ok, true);
    assert.equal(res.data?.reason, "no_ticket");
    assert.equal(stub.requests.length, 0);
  });

  test("configured transition names; none available → HB_ERR_CONFIG_INVALID", async () => {
    const s = { jira: { ...settings().jira, resolve_transitions: ["Mitigate"] } };
    await runAction(openTicketAction, { args: openArgs, integrations: s, state });
    const res = await runAction(resolveTicketAction, { args: { system: "jira", dedup_key: "fp-abc123" }, integrations: s, state });
    assert.equal(res.ok, false);
    assert.equal(res.code, "HB_ERR_CONFIG_INVALID");
    assert.equal((await state.get<TicketRecord>(ticketStateKey("jira", "fp-abc123")))?.value.status, "open");

    // A person already moved it to a done status: nothing to transition, the mapping is resolved.
    issueCategory = "done";
    const done = await runAction(resolveTicketAction, { args: { system: "jira", dedup_key: "fp-abc123" }, integrations: s, state });
    issueCategory = "indeterminate";
    assert.equal(done.ok, true, done.message);
    assert.equal(done.data?.already_resolved, true);
    assert.equal(stub.requests.filter((r) => r.method === "POST" && r.path.endsWith("/transitions")).length, 0);
    assert.equal((await state.get<TicketRecord>(ticketStateKey("jira", "fp-abc123")))?.value.status, "resolved");
  });

  test("API v3 with a bearer token sends Atlassian Document Format", async () => {
    const s = { jira: { url: stub.url, token: "pat-xyz-123", api_version: 3, project: "OPS" } };
    const res = await runAction(openTicketAction, { args: { system: "jira", dedup_key: "k3", title: "T", body: "a\nb\n\nc", fields: { issue_type: "Bug", components: [{ name: "gpu" }] } }, integrations: s, state });
    assert.equal(res.ok, true, res.message);
    const req = stub.requests[0]!;
    assert.equal(req.path, "/rest/api/3/issue");
    assert.equal(req.headers.authorization, "Bearer pat-xyz-123");
    assert.deepEqual(req.body, {
      fields: {
        project: { key: "OPS" },
        issuetype: { name: "Bug" },
        summary: "T",
        description: {
          type: "doc",
          version: 1,
          content: [
            { type: "paragraph", content: [{ type: "text", text: "a" }, { type: "hardBreak" }, { type: "text", text: "b" }] },
            { type: "paragraph", content: [{ type: "text", text: "c" }] },
          ],
        },
        components: [{ name: "gpu" }],
      },
    });
  });

  test("a failed create releases the claim (transient on 5xx, permanent on 4xx); the next open creates", async () => {
    stub.respond(() => ({ status: 503, text: "down" }));
    const failed = await runAction(openTicketAction, { args: openArgs, integrations: settings(), state });
    assert.equal(failed.ok, false);
    assert.equal(failed.code, "HB_ERR_HTTP_STATUS");
    assert.equal(failed.data?.status, 503);
    assert.equal(failed.data?.retry, "transient");
    assert.equal((await state.get<TicketRecord>(ticketStateKey("jira", "fp-abc123")))?.value.status, "failed");

    stub.respond(() => ({ status: 400, json: { errors: { project: "project is required" } } }));
    const bad = await runAction(openTicketAction, { args: openArgs, integrations: settings(), state });
    assert.equal(bad.data?.retry, "permanent");

    stub.respond(jira);
    stub.requests.length = 0;
    const ok = await runAction(openTicketAction, { args: openArgs, integrations: settings(), state });
    assert.equal(ok.data?.action, "created");
  });

  test("missing settings fail permanently before anything is claimed; secrets never appear in results", async () => {
    const none = await runAction(openTicketAction, { args: openArgs, integrations: {}, state });
    assert.equal(none.code, "HB_ERR_CONFIG_INVALID");
    assert.equal(await state.get(ticketStateKey("jira", "fp-abc123")), undefined);
    const bad = await runAction(openTicketAction, { args: { ...openArgs, system: "bugzilla" }, integrations: settings(), state });
    assert.equal(bad.code, "HB_ERR_ACTION_ARGS");

    // The remote echoes the credentials back in its error body: they are scrubbed from the result.
    stub.respond((req) => ({ status: 401, text: `bad credentials ${String(req.headers.authorization)} ${TOKEN}` }));
    const denied = await runAction(openTicketAction, { args: openArgs, integrations: settings(), state });
    assert.equal(denied.ok, false);
    assert.equal(secretsAbsent(denied, [TOKEN]), undefined);
    assert.match(String(denied.data?.body), /\*\*\*/);
  });
});
