import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { memoryStateStore } from "../../src/actions/memory-state.js";
import { openTicketAction } from "../../src/actions/tickets/open-ticket.js";
import { resolveTicketAction } from "../../src/actions/tickets/resolve-ticket.js";
import type { ActionStateStore } from "../../src/actions/types.js";
import type { Recorded, Stub, StubReply } from "./action-stubs.js";
import { runAction, secretsAbsent, startStub } from "./action-stubs.js";

const TOKEN = "ghp_s3cr3tTokenValue";
let stub: Stub;
let state: ActionStateStore;
let issueNo = 41;

function github(req: Recorded): StubReply {
  const m = /^\/api\/v3\/repos\/acme\/fleet\/issues(?:\/(\d+)(\/comments)?)?$/.exec(req.path);
  if (!m) return { status: 404, json: { message: "Not Found" } };
  if (req.method === "POST" && !m[1]) {
    const n = ++issueNo;
    return { status: 201, json: { id: 9000 + n, number: n, html_url: `https://ghe.example/acme/fleet/issues/${n}`, state: "open" } };
  }
  if (req.method === "POST" && m[2]) return { status: 201, json: { id: 777 } };
  if (req.method === "PATCH" && m[1]) return { json: { number: Number(m[1]), state: "closed" } };
  return { status: 405, json: {} };
}

const settings = () => ({ github: { api_url: `${stub.url}/api/v3`, token: TOKEN, repo: "acme/other", labels: ["hookbook"] } });
const args = { system: "github", dedup_key: "fp-1", title: "ECC errors on gpu-3", body: "Uncorrectable ECC", severity: "warning", labels: ["gpu"], fields: { repo: "acme/fleet", assignees: ["oncall"] } };

function assertGithubHeaders(req: Recorded): void {
  assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(req.headers.accept, "application/vnd.github+json");
  assert.equal(req.headers["x-github-api-version"], "2022-11-28");
  assert.ok(req.headers["user-agent"]);
}

before(async () => {
  stub = await startStub(github);
});
after(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  state = memoryStateStore();
});

describe("open_ticket / resolve_ticket: GitHub Issues (Enterprise api_url)", () => {
  test("create, comment on the second open, close on resolve", async () => {
    const first = await runAction(openTicketAction, { args, integrations: settings(), state });
    assert.equal(first.ok, true, first.message);
    const n = issueNo;
    const [create] = stub.requests;
    assert.equal(create?.method, "POST");
    assert.equal(create?.path, "/api/v3/repos/acme/fleet/issues");
    assertGithubHeaders(create!);
    assert.deepEqual(create?.body, { title: "ECC errors on gpu-3", body: "Uncorrectable ECC", labels: ["hookbook", "gpu", "severity:warning"], assignees: ["oncall"] });
    assert.deepEqual(first.data?.ticket, { id: `acme/fleet#${n}`, repo: "acme/fleet", number: n, url: `https://ghe.example/acme/fleet/issues/${n}` });

    const second = await runAction(openTicketAction, { args, integrations: settings(), state });
    assert.equal(second.data?.action, "updated");
    const comment = stub.requests[1]!;
    assert.equal(comment.method, "POST");
    assert.equal(comment.path, `/api/v3/repos/acme/fleet/issues/${n}/comments`);
    assertGithubHeaders(comment);
    assert.deepEqual(comment.body, { body: "Uncorrectable ECC" });

    const resolved = await runAction(resolveTicketAction, { args: { system: "github", dedup_key: "fp-1", comment: "ECC errors stopped" }, integrations: settings(), state });
    assert.equal(resolved.ok, true, resolved.message);
    assert.deepEqual(
      stub.requests.slice(2).map((r) => [r.method, r.path, r.body]),
      [
        ["POST", `/api/v3/repos/acme/fleet/issues/${n}/comments`, { body: "ECC errors stopped" }],
        ["PATCH", `/api/v3/repos/acme/fleet/issues/${n}`, { state: "closed", state_reason: "completed" }],
      ],
    );
    stub.requests.slice(2).forEach(assertGithubHeaders);
    assert.equal(stub.requests.filter((r) => r.method === "POST" && r.path === "/api/v3/repos/acme/fleet/issues").length, 1);
    assert.equal(secretsAbsent([first, second, resolved], [TOKEN]), undefined);
  });

  test("concurrent opens → one issue", async () => {
    const results = await Promise.all([1, 2, 3].map(() => runAction(openTicketAction, { args, integrations: settings(), state })));
    assert.ok(results.every((r) => r.ok));
    assert.equal(stub.requests.filter((r) => r.method === "POST" && r.path === "/api/v3/repos/acme/fleet/issues").length, 1);
  });

  test("a deleted issue (404 on close) marks the mapping resolved", async () => {
    await runAction(openTicketAction, { args, integrations: settings(), state });
    stub.respond(() => ({ status: 404, json: { message: "Not Found" } }));
    const res = await runAction(resolveTicketAction, { args: { system: "github", dedup_key: "fp-1" }, integrations: settings(), state });
    stub.respond(github);
    assert.equal(res.ok, true, res.message);
    assert.equal(res.data?.ticket_missing, true);
  });

  test("no repository anywhere → HB_ERR_CONFIG_INVALID", async () => {
    const res = await runAction(openTicketAction, { args: { ...args, fields: {} }, integrations: { github: { token: TOKEN } }, state });
    assert.equal(res.code, "HB_ERR_CONFIG_INVALID");
    assert.equal(stub.requests.length, 0);
  });
});
