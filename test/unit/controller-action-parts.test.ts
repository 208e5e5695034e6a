import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { labelNames, launchBody } from "../../src/actions/controller/launch-body.js";
import { controllerSettings } from "../../src/actions/controller/settings.js";
import { jobUrl } from "../../src/actions/controller/template-action.js";
import { actionCtx } from "../integration/action-ctx-helper.js";

describe("controller action parts", () => {
  test("settings: url required, bearer token or basic auth, api path normalized, defaults", () => {
    assert.ok("error" in controllerSettings({}));
    assert.ok("error" in controllerSettings({ controller: { url: "not a url", token: "t" } }));
    assert.ok("error" in controllerSettings({ controller: { url: "https://awx" } }));
    const s = controllerSettings({ controller: { url: "https://awx.example.com/", token: "t" } });
    assert.ok(!("error" in s));
    assert.equal(s.baseUrl, "https://awx.example.com");
    assert.equal(s.authorization, "Bearer t");
    assert.equal(s.apiPath, "/api/v2/");
    assert.equal(s.verifySsl, true);
    assert.equal(s.pollIntervalMs, 1000);
    assert.equal(s.defaultLabel, "Activated by hookbook");
    const b = controllerSettings({ controller: { url: "https://aap", username: "u", password: "p", api_path: "api/controller/v2", verify_ssl: false, default_label: "" } });
    assert.ok(!("error" in b));
    assert.equal(b.authorization, `Basic ${Buffer.from("u:p").toString("base64")}`);
    assert.equal(b.apiPath, "/api/controller/v2/");
    assert.equal(b.verifySsl, false);
    assert.equal(b.defaultLabel, "");
  });

  test("job URLs (reference row 56)", () => {
    const s = controllerSettings({ controller: { url: "https://awx", token: "t" } });
    assert.ok(!("error" in s));
    assert.equal(jobUrl(s, "job_template", 945), "https://awx/#/jobs/945/details");
    assert.equal(jobUrl(s, "workflow_job_template", 945), "https://awx/#/jobs/workflow/945/details");
  });

  test("labels: given ones, default, event uuids; empty and duplicates dropped", () => {
    const { ctx } = actionCtx({ name: "run_job_template", args: { labels: ["a", "", "a", "b", null], add_event_uuid_label: true }, matching: { m_0: { i: 1 }, m_1: { i: 2 } } });
    assert.deepEqual(labelNames(ctx, "Activated by hookbook"), ["a", "b", "Activated by hookbook", "eda-event-uuid-uuid-1", "eda-event-uuid-uuid-2"]);
    const plain = actionCtx({ name: "run_job_template", args: {} });
    assert.deepEqual(labelNames(plain.ctx, ""), []);
  });

  test("launch body: job_args passed through, extra_vars merged, limit rules, YAML text extra_vars", () => {
    const body = (args: Record<string, unknown>, hosts: string[] = ["all"]) => {
      const r = launchBody(actionCtx({ name: "run_job_template", args, hosts }).ctx);
      return "body" in r ? r.body : r;
    };
    assert.deepEqual(body({ job_args: { inventory: 3, extra_vars: "a: 1\nb: two\n" }, include_events: false }), { inventory: 3, extra_vars: { a: 1, b: "two" } });
    assert.ok("error" in body({ job_args: { extra_vars: "- not a mapping" } }));
    assert.ok("error" in body({ job_args: "nope" }));
    assert.deepEqual(body({ include_events: false, job_args: { limit: "" } }, ["h1"]), { limit: "h1" });
    assert.deepEqual(body({ include_events: false, job_args: { extra_vars: {} } }), { extra_vars: {} });
    assert.ok("error" in body({ include_events: false }, ["@hosts.txt"]));
  });
});
