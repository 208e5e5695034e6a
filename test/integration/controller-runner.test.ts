import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { runJobTemplateAction } from "../../src/actions/controller/run-job-template.js";
import { runWorkflowTemplateAction } from "../../src/actions/controller/run-workflow-template.js";
import { actionCtx } from "./action-ctx-helper.js";
import { testRunner } from "../helpers/action-runner.js";

/** What the stand-in AWX saw. */
interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: string | undefined;
  body: unknown;
}

/** Per-test behaviour of the stand-in AWX. */
interface Scenario {
  templates: { kind: "job_templates" | "workflow_job_templates"; id: number; name: string; org: string; orgId: number; askLabels: boolean }[];
  labels: Map<string, number>;
  /** Final status of each launched job, in launch order (default successful). */
  finals: string[];
  /** Polls answered "running" before the final status. */
  runningPolls: number;
  artifacts: Record<string, unknown>;
  launchError?: { status: number; body: unknown };
  /** Never finish (for timeouts). */
  hang?: boolean;
}

const seen: Seen[] = [];
let scenario: Scenario;
let nextJobId = 945;
const jobs = new Map<number, { polls: number; final: string; kind: string }>();

function defaults(): Scenario {
  return {
    templates: [
      { kind: "job_templates", id: 11, name: "Deploy GPU", org: "Default", orgId: 1, askLabels: true },
      { kind: "job_templates", id: 12, name: "Deploy GPU", org: "Other", orgId: 2, askLabels: true },
      { kind: "job_templates", id: 13, name: "No labels", org: "Default", orgId: 1, askLabels: false },
      { kind: "workflow_job_templates", id: 21, name: "Fleet rollout", org: "Default", orgId: 1, askLabels: false },
    ],
    labels: new Map([["gpu", 7]]),
    finals: [],
    runningPolls: 1,
    artifacts: {},
  };
}

const server: Server = createServer((req, res) => {
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://x");
    const body = raw === "" ? undefined : JSON.parse(raw);
    seen.push({ method: req.method ?? "", path: url.pathname, query: Object.fromEntries(url.searchParams), auth: req.headers.authorization, body });
    const send = (status: number, value: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    if (req.headers.authorization === "Bearer wrong") return send(401, { detail: "Authentication credentials were not provided." });
    let m: RegExpExecArray | null;
    if (req.method === "GET" && (m = /^\/api\/v2\/(job_templates|workflow_job_templates)\/$/.exec(url.pathname))) {
      const results = scenario.templates
        .filter((t) => t.kind === m![1] && t.name === url.searchParams.get("name") && t.org === url.searchParams.get("organization__name"))
        .map((t) => ({ id: t.id, name: t.name, organization: t.orgId, ask_labels_on_launch: t.askLabels, related: { launch: `/api/v2/${t.kind}/${t.id}/launch/` }, summary_fields: { organization: { id: t.orgId, name: t.org } } }));
      return send(200, { count: results.length, next: null, previous: null, results });
    }
    if (req.method === "GET" && url.pathname === "/api/v2/labels/") {
      const id = scenario.labels.get(url.searchParams.get("name") ?? "");
      return send(200, { count: id ? 1 : 0, results: id ? [{ id, name: url.searchParams.get("name"), organization: Number(url.searchParams.get("organization")) }] : [] });
    }
    if (req.method === "POST" && url.pathname === "/api/v2/labels/") {
      const id = 100 + scenario.labels.size;
      scenario.labels.set((body as { name: string }).name, id);
      return send(201, { id, ...(body as object) });
    }
    if (req.method === "POST" && (m = /^\/api\/v2\/(job_templates|workflow_job_templates)\/(\d+)\/launch\/$/.exec(url.pathname))) {
      if (scenario.launchError) return send(scenario.launchError.status, scenario.launchError.body);
      const id = nextJobId++;
      const workflow = m[1] === "workflow_job_templates";
      jobs.set(id, { polls: 0, final: scenario.finals.shift() ?? "successful", kind: workflow ? "workflow_jobs" : "jobs" });
      return send(201, { ...(workflow ? { workflow_job: id } : { job: id }), id, status: "pending", ignored_fields: {} });
    }
    if (req.method === "GET" && (m = /^\/api\/v2\/(jobs|workflow_jobs)\/(\d+)\/$/.exec(url.pathname))) {
      const job = jobs.get(Number(m[2]));
      if (!job || job.kind !== m[1]) return send(404, { detail: "Not found." });
      job.polls += 1;
      const status = scenario.hang || job.polls <= scenario.runningPolls ? "running" : job.final;
      return send(200, { id: Number(m[2]), status, failed: status === "failed", artifacts: status === "successful" ? scenario.artifacts : {}, job_explanation: "" });
    }
    send(404, { detail: "Not found." });
  });
});

let base = "";
before(async () => {
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());
beforeEach(() => {
  seen.length = 0;
  scenario = defaults();
  nextJobId = 945;
  jobs.clear();
});

const controller = (extra: Record<string, unknown> = {}) => ({ controller: { url: base, token: "tok", poll_interval_ms: 5, ...extra } });
const launches = () => seen.filter((s) => s.method === "POST" && s.path.endsWith("/launch/"));

describe("run_job_template against a stand-in AWX", () => {
  test("finds the template by name + organization, launches with extra_vars/limit/labels, polls to success", async () => {
    const { ctx, progress } = actionCtx({
      name: "run_job_template",
      args: { name: "Deploy GPU", organization: "Default", job_args: { extra_vars: { name: "Fred" }, job_tags: "gpu" }, labels: ["gpu", "", "gpu", "fleet"], add_event_uuid_label: true },
      hosts: ["node-1", "node-2"],
      integrations: controller(),
    });
    const res = await runJobTemplateAction.run(ctx);
    assert.equal(res.ok, true, res.message);
    assert.deepEqual(res.data && { job_id: res.data.job_id, url: res.data.url, status: res.data.status, attempts: res.data.attempts }, {
      job_id: 945,
      url: `${base}/#/jobs/945/details`,
      status: "successful",
      attempts: 1,
    });
    assert.ok(seen.every((s) => s.auth === "Bearer tok"), "every request carries the token");
    assert.deepEqual(seen[0], { method: "GET", path: "/api/v2/job_templates/", query: { name: "Deploy GPU", organization__name: "Default" }, auth: "Bearer tok", body: undefined });
    // Labels resolved to ids in the template's organization; missing ones created.
    assert.deepEqual(
      seen.filter((s) => s.path === "/api/v2/labels/").map((s) => [s.method, s.method === "GET" ? s.query : s.body]),
      [
        ["GET", { name: "gpu", organization: "1" }],
        ["GET", { name: "fleet", organization: "1" }],
        ["POST", { name: "fleet", organization: 1 }],
        ["GET", { name: "Activated by hookbook", organization: "1" }],
        ["POST", { name: "Activated by hookbook", organization: 1 }],
        ["GET", { name: "eda-event-uuid-uuid-1", organization: "1" }],
        ["POST", { name: "eda-event-uuid-uuid-1", organization: 1 }],
      ],
    );
    assert.equal(launches().length, 1);
    assert.equal(launches()[0]?.path, "/api/v2/job_templates/11/launch/");
    assert.deepEqual(launches()[0]?.body, {
      job_tags: "gpu",
      extra_vars: { name: "Fred", ansible_eda: { ruleset: "rs", rule: "r1", event: ctx.intent.matchingEvents.m } },
      limit: "node-1,node-2",
      labels: [7, 101, 102, 103],
    });
    assert.deepEqual(seen.filter((s) => s.path === "/api/v2/jobs/945/").length, 2, "polled until final");
    assert.deepEqual(progress, [
      { job_id: 945, status: "pending", url: `${base}/#/jobs/945/details`, attempt: 1 },
      { job_id: 945, status: "running", attempt: 1 },
      { job_id: 945, status: "successful", attempt: 1 },
    ]);
    assert.equal(res.commands, undefined);
  });

  test("include_events decides whether ansible_eda is sent (reference rows 55); job_args.limit wins; all → no limit", async () => {
    const keys = async (args: Record<string, unknown>, hosts: string[] = ["all"]) => {
      seen.length = 0;
      const { ctx } = actionCtx({ name: "run_job_template", args: { name: "No labels", organization: "Default", ...args }, hosts, integrations: controller() });
      assert.equal((await runJobTemplateAction.run(ctx)).ok, true);
      return launches()[0]?.body as Record<string, unknown>;
    };
    assert.deepEqual(Object.keys((await keys({ job_args: { extra_vars: { name: "Fred" } }, include_events: false })).extra_vars as object), ["name"]);
    assert.deepEqual(Object.keys((await keys({ job_args: { extra_vars: { name: "Fred" } } })).extra_vars as object), ["name", "ansible_eda"]);
    assert.deepEqual(Object.keys((await keys({})).extra_vars as object), ["ansible_eda"]);
    assert.deepEqual(await keys({ include_events: false }), {}, "nothing to send: no extra_vars, no limit, no labels");
    assert.equal((await keys({ job_args: { limit: "explicit" } }, ["node-1"])).limit, "explicit");
    assert.equal((await keys({}, ["node-1"])).limit, "node-1");
    assert.equal(seen.some((s) => s.path === "/api/v2/labels/"), false, "a template that does not prompt for labels gets none");
  });

  test("set_facts / post_events take the job's artifacts", async () => {
    scenario.artifacts = { capacity: 4, pool: "a100" };
    const { ctx } = actionCtx({ name: "run_job_template", args: { name: "No labels", organization: "Default", set_facts: true, post_events: true, ruleset: "other" }, integrations: controller() });
    const res = await runJobTemplateAction.run(ctx);
    assert.deepEqual(res.commands, [
      { kind: "set_fact", ruleset: "other", fact: { capacity: 4, pool: "a100" }, source: "run_job_template" },
      { kind: "post_event", ruleset: "other", event: { capacity: 4, pool: "a100" }, source: "run_job_template" },
    ]);
  });

  test("a failed job is retried (attempts = 1 + retries) and only the final result is reported", async () => {
    scenario.finals = ["failed", "successful"];
    const { ctx, progress } = actionCtx({ name: "run_job_template", args: { name: "No labels", organization: "Default", retries: 1, delay: 0 }, integrations: controller() });
    const res = await runJobTemplateAction.run(ctx);
    assert.equal(res.ok, true, res.message);
    assert.equal(res.data?.attempts, 2);
    assert.equal(res.data?.job_id, 946);
    assert.equal(launches().length, 2);
    assert.deepEqual(progress.filter((p) => ["failed", "successful"].includes(String(p.status))).map((p) => [p.attempt, p.status]), [[1, "failed"], [2, "successful"]]);

    seen.length = 0;
    scenario.finals = ["failed"];
    const once = actionCtx({ name: "run_job_template", args: { name: "No labels", organization: "Default" }, integrations: controller() });
    const r2 = await runJobTemplateAction.run(once.ctx);
    assert.equal(r2.ok, false);
    assert.equal(r2.code, "HB_ERR_ACTION_FAILED");
    assert.equal(r2.data?.status, "failed");
    assert.equal(launches().length, 1);
  });

  test("launch error: failed with the controller's error text as message; retried", async () => {
    scenario.launchError = { status: 400, body: { variables_needed_to_start: ["'gpu_count' value missing"] } };
    const { ctx } = actionCtx({ name: "run_job_template", args: { name: "No labels", organization: "Default", retry: true }, integrations: controller() });
    const res = await runJobTemplateAction.run(ctx);
    assert.equal(res.ok, false);
    assert.equal(res.code, "HB_ERR_ACTION_FAILED");
    assert.equal(res.message, JSON.stringify(scenario.launchError.body));
    assert.equal(res.data?.status, "failed");
    assert.equal(launches().length, 2, "retry: true → one retry");
  });

  test("unknown template, refused credentials and missing settings are permanent (no retry)", async () => {
    const nf = actionCtx({ name: "run_job_template", args: { name: "Deploy GPU", organization: "Nope", retries: 3 }, integrations: controller() });
    const r1 = await runJobTemplateAction.run(nf.ctx);
    assert.equal(r1.code, "HB_ERR_ACTION_ARGS");
    assert.equal(seen.length, 1, "not retried");
    const bad = actionCtx({ name: "run_job_template", args: { name: "Deploy GPU", organization: "Default", retries: 3 }, integrations: controller({ token: "wrong" }) });
    const r2 = await runJobTemplateAction.run(bad.ctx);
    assert.equal(r2.code, "HB_ERR_CONFIG_INVALID");
    assert.equal(seen.length, 2);
    const none = actionCtx({ name: "run_job_template", args: { name: "Deploy GPU", organization: "Default" } });
    assert.equal((await runJobTemplateAction.run(none.ctx)).code, "HB_ERR_CONFIG_INVALID");
  });

  test("a job still running at the deadline → action timeout with the job id", async () => {
    scenario.hang = true;
    const { ctx } = actionCtx({ name: "run_job_template", args: { name: "No labels", organization: "Default" }, integrations: controller({ job_timeout_ms: 200 }) });
    const res = await runJobTemplateAction.run(ctx);
    assert.equal(res.ok, false);
    assert.equal(res.timedOut, true);
    assert.equal(res.code, "HB_ERR_ACTION_TIMEOUT");
    assert.equal(res.data?.job_id, 945);
    assert.equal(res.data?.status, "running");
  });

  test("hostile event data is sent as JSON data, never interpreted", async () => {
    const payload = { a: "$(touch /tmp/hb-pwned)", b: "; rm -rf /", c: "`id`", d: "x\ny", e: "{{ lookup('pipe', 'id') }}" };
    const { ctx } = actionCtx({ name: "run_job_template", args: { name: "No labels", organization: "Default" }, matching: { m: { payload } }, integrations: controller() });
    assert.equal((await runJobTemplateAction.run(ctx)).ok, true);
    const sent = launches()[0]?.body as { extra_vars: { ansible_eda: { event: { payload: unknown } } } };
    assert.deepEqual(sent.extra_vars.ansible_eda.event.payload, payload);
  });
});

describe("run_workflow_template against a stand-in AWX", () => {
  test("workflow paths, basic auth, workflow URL, multi-match events", async () => {
    const { ctx } = actionCtx({
      name: "run_workflow_template",
      args: { name: "Fleet rollout", organization: "Default" },
      matching: { m_0: { i: 1 }, m_1: { j: 2 } },
      integrations: { controller: { url: `${base}/`, username: "admin", password: "s3cret", poll_interval_ms: 5 } },
    });
    const res = await runWorkflowTemplateAction.run(ctx);
    assert.equal(res.ok, true, res.message);
    assert.equal(res.data?.url, `${base}/#/jobs/workflow/945/details`);
    const basic = `Basic ${Buffer.from("admin:s3cret").toString("base64")}`;
    assert.ok(seen.every((s) => s.auth === basic));
    assert.deepEqual(seen.map((s) => `${s.method} ${s.path}`), [
      "GET /api/v2/workflow_job_templates/",
      "POST /api/v2/workflow_job_templates/21/launch/",
      "GET /api/v2/workflow_jobs/945/",
      "GET /api/v2/workflow_jobs/945/",
    ]);
    assert.deepEqual(launches()[0]?.body, { extra_vars: { ansible_eda: { ruleset: "rs", rule: "r1", events: ctx.intent.matchingEvents } } });
  });
});

describe("TLS to the controller", () => {
  test("a self-signed certificate is refused unless verify_ssl: false or its CA is given", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hb-tls-"));
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
      const cert = readFileSync(join(dir, "cert.pem"), "utf8");
      const tls = createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert }, (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ count: 0, results: [] })));
      await new Promise<void>((ok) => tls.listen(0, "127.0.0.1", () => ok()));
      const url = `https://127.0.0.1:${(tls.address() as { port: number }).port}`;
      const run = async (extra: Record<string, unknown>) => {
        const { ctx } = actionCtx({ name: "run_job_template", args: { name: "x", organization: "y" }, integrations: { controller: { url, token: "t", ...extra } } });
        return runJobTemplateAction.run(ctx);
      };
      try {
        const refused = await run({});
        assert.equal(refused.code, "HB_ERR_ACTION_FAILED");
        assert.match(String(refused.message), /certificate/i);
        assert.equal((await run({ verify_ssl: false })).code, "HB_ERR_ACTION_ARGS", "TLS accepted: the template lookup answered (not found)");
        assert.equal((await run({ ca: cert })).code, "HB_ERR_ACTION_ARGS");
      } finally {
        tls.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("through the ActionRunner", () => {
  test("registered kinds: audit record and outcomes", async () => {
    const { runner, outcomes } = testRunner({
      limits: { commandTimeoutMs: 10_000, httpTimeoutMs: 5_000 },
      integrations: controller(),
    });
    const { ctx } = actionCtx({ name: "run_job_template", args: {} });
    const records = await runner.run({
      ...ctx.intent,
      actions: [
        { name: "run_job_template", index: 0, args: { name: "No labels", organization: "Default" } },
        { name: "run_workflow_template", index: 1, args: { name: "Fleet rollout", organization: "Default" } },
      ],
    });
    assert.deepEqual(records.map((r) => r.status), ["successful", "successful"]);
    assert.deepEqual(outcomes.filter((o) => o.type === "action.succeeded").map((o) => (o.data.result as { url: string }).url), [`${base}/#/jobs/945/details`, `${base}/#/jobs/workflow/946/details`]);
  });
});
