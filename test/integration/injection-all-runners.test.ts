// Issue 5 §4/§5: shell metacharacters in event data, fed through templates into EVERY runner,
// arrive as literal data at the other end and never execute anything.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { SMTPServer } from "smtp-server";
import type { ActionIntent, IntentAction } from "../../src/core/intent.js";
import { startStub } from "./action-stubs.js";
import type { Recorded, Stub, StubReply } from "./action-stubs.js";
import { testRunner } from "../helpers/action-runner.js";

const dir = mkdtempSync(join(tmpdir(), "hb-inject-"));
const MARKER = join(dir, "pwned");
const PAYLOAD = `$(touch ${MARKER}); touch ${MARKER} \`touch ${MARKER}\`\ntouch ${MARKER} | touch ${MARKER} && touch ${MARKER}`;
let stub: Stub;
let smtp: SMTPServer;
let smtpPort = 0;
const mails: string[] = [];

function reply(req: Recorded): StubReply {
  const p = req.path.split("?")[0] ?? "";
  if (p === "/rest/api/2/issue") return { status: 201, json: { id: "10001", key: "OPS-1" } };
  if (p === "/repos/acme/fleet/issues") return { status: 201, json: { number: 7, html_url: "https://github.example/acme/fleet/issues/7" } };
  if (p === "/v2/enqueue") return { status: 202, json: { status: "success", dedup_key: "x", message: "Event processed" } };
  if (p === "/api/now/table/incident") return { status: 201, json: { result: { sys_id: "abc", number: "INC0001" } } };
  if (p === "/slack" || p === "/teams") return { status: 200, text: p === "/slack" ? "ok" : "1" };
  if (p === "/pools/a100/capacity" || p.startsWith("/nodes/")) return { status: 200, json: { ok: true } };
  if (p === "/pools/a100") return { status: 200, json: { capacity: 4 } };
  if (p === "/api/v2/job_templates/") return { status: 200, json: { count: 1, next: null, results: [{ id: 11, name: "Deploy GPU", organization: 1, ask_labels_on_launch: false, related: { launch: "/api/v2/job_templates/11/launch/" }, summary_fields: { organization: { id: 1, name: "Default" } } }] } };
  if (p === "/api/v2/job_templates/11/launch/") return { status: 201, json: { job: 900, id: 900, status: "pending" } };
  if (p === "/api/v2/jobs/900/") return { status: 200, json: { id: 900, status: "successful", failed: false, artifacts: {} } };
  return { status: 200, json: {} };
}

before(async () => {
  stub = await startStub(reply);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, _session, cb) {
      let data = "";
      stream.on("data", (c: Buffer) => (data += c.toString()));
      stream.on("end", () => {
        mails.push(data);
        cb();
      });
    },
  });
  await new Promise<void>((ok) => smtp.listen(0, "127.0.0.1", () => ok()));
  smtpPort = (smtp.server.address() as { port: number }).port;
});

after(async () => {
  await stub.close();
  await new Promise<void>((ok) => smtp.close(() => ok()));
  rmSync(dir, { recursive: true, force: true });
});

const T = "{{ event.payload.text }}";

test("every runner gets the payload as data: nothing is executed", async () => {
  const argvFile = join(dir, "argv.json");
  const actions: Omit<IntentAction, "index">[] = [
    { name: "run_command", args: { command: process.execPath, args: ["-e", "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.argv[2]))", argvFile, T] } },
    { name: "run_playbook", args: { name: "actions/playbooks/record-eda-vars.yml", extra_vars: { label: T, out_file: join(dir, "playbook-vars.json") } } },
    { name: "run_module", args: { name: "ansible.builtin.debug", module_args: { msg: T } } },
    { name: "post", args: { url: `${stub.url}/post`, body: { text: T } } },
    { name: "notify", args: { channel: "slack", text: T } },
    { name: "notify", args: { channel: "teams", text: T } },
    { name: "notify", args: { channel: "email", to: "oncall@gpu.acme.example", subject: "xid", text: T } },
    { name: "open_ticket", args: { system: "jira", dedup_key: "fp-1", title: T, body: T } },
    { name: "open_ticket", args: { system: "github", dedup_key: "fp-2", title: T, body: T } },
    { name: "open_ticket", args: { system: "pagerduty", dedup_key: "fp-3", title: T } },
    { name: "open_ticket", args: { system: "servicenow", dedup_key: "fp-4", title: T, body: T } },
    { name: "provision_gpus", args: { provider: "http", pool: "a100", add: 1, reason: T } },
    { name: "drain_node", args: { provider: "http", node: "gpu-node-7", reason: T } },
    { name: "run_job_template", args: { name: "Deploy GPU", organization: "Default", job_args: { extra_vars: { note: T } } } },
  ];
  const intent: ActionIntent = {
    rulebookVersion: "v1",
    ruleset: "rs",
    rule: "r",
    ruleIndex: 0,
    matchingEvents: { m: { payload: { text: PAYLOAD }, meta: { uuid: "e1" } } },
    eventIds: ["e1"],
    hosts: ["all"],
    actions: actions.map((a, index) => ({ ...a, index })),
    ruleRunAt: new Date(0).toISOString(),
    key: "inject",
  };
  const { runner } = testRunner({
    integrations: {
      slack: { webhook_url: `${stub.url}/slack` },
      teams: { webhook_url: `${stub.url}/teams` },
      smtp: { host: "127.0.0.1", port: smtpPort, secure: false, from: "hookbook@gpu.acme.example", tls: { rejectUnauthorized: false } },
      jira: { url: stub.url, user: "u", token: "jira-secret-token", project: "OPS" },
      github: { api_url: stub.url, token: "gh-secret-token", repo: "acme/fleet" },
      pagerduty: { events_url: stub.url, routing_key: "pd-routing-key" },
      servicenow: { url: stub.url, user: "u", password: "sn-secret" },
      gpu_api: { url: stub.url },
      controller: { url: stub.url, token: "awx-token", poll_interval_ms: 10 },
    },
  });
  const records = await runner.run(intent);
  const failed = records.filter((r) => r.status !== "successful").map((r) => `${r.action}: ${String(r.message)}`);
  assert.deepEqual(failed, [], "every runner ran");
  assert.equal(records.length, actions.length);

  assert.equal(existsSync(MARKER), false, "no shell ever saw the payload");
  assert.equal(JSON.parse(readFileSync(argvFile, "utf8")), PAYLOAD, "run_command: the exact bytes as one argv item");
  const seen = JSON.parse(readFileSync(join(dir, "playbook-vars.json"), "utf8")) as { label: string; ansible_eda: { event: { payload: { text: string } } } };
  assert.equal(seen.label, PAYLOAD, "run_playbook: extra var arrives as text, never templated by ansible");
  assert.equal(seen.ansible_eda.event.payload.text, PAYLOAD, "run_playbook: ansible_eda.event carries it verbatim");
  const asJson = JSON.stringify(PAYLOAD).slice(1, -1);
  const raws = stub.requests.map((r) => r.raw);
  for (const path of ["/post", "/slack", "/teams", "/rest/api/2/issue", "/repos/acme/fleet/issues", "/v2/enqueue", "/api/now/table/incident", "/pools/a100/capacity", "/api/v2/job_templates/11/launch/"]) {
    const req = stub.requests.find((r) => r.path.split("?")[0] === path && r.method === "POST");
    assert.ok(req, `a POST reached ${path}`);
    assert.ok(req.raw.includes(asJson), `${path} received the payload literally`);
  }
  assert.ok(raws.some((r) => r.includes(asJson)));
  assert.equal(mails.length, 1);
  assert.ok(mails[0]!.includes("$(touch"), "the mail carries the text as text");
});
