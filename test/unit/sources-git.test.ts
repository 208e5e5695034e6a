/** Normalization rules of the grafana, github, gitlab and gitea kinds beyond the fixtures. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NormalizedEvent } from "../../src/core/envelope.js";
import { gitTime } from "../../src/sources/git-common.js";
import { giteaSource } from "../../src/sources/gitea.js";
import { githubSource } from "../../src/sources/github.js";
import { gitlabSource } from "../../src/sources/gitlab.js";
import { grafanaSource } from "../../src/sources/grafana.js";
import { sourceKinds } from "../../src/sources/registry.js";
import type { SourceKindHandler } from "../../src/sources/types.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";
import { throwsCode } from "./sources-golden-helper.js";

type Json = Record<string, unknown>;

function run(handler: SourceKindHandler, body: Buffer | Json, headers: Record<string, string>, options: Json = {}): NormalizedEvent[] {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  return handler.normalize({ body: bytes, headers, endpoint: "hooks", options });
}

const meta = (e: NormalizedEvent | undefined, key: string): Json => (e?.data.meta as Json)[key] as Json;

describe("registry", () => {
  it("serves grafana, github, gitlab and gitea", () => {
    assert.equal(sourceKinds.grafana, grafanaSource);
    assert.equal(sourceKinds.github, githubSource);
    assert.equal(sourceKinds.gitlab, gitlabSource);
    assert.equal(sourceKinds.gitea, giteaSource);
  });
});

describe("grafana", () => {
  const fixture = JSON.parse(fixtureBytes("grafana/alert.json").toString("utf8")) as Json & { alerts: Json[] };
  const headers = fixtureHeaders("grafana/alert.headers.json");

  it("fans out one event per alert; a missing fingerprint is computed from the labels", () => {
    const base = fixture.alerts[0] as Json & { labels: Json };
    const alerts = ["gpu-node-h100-12", "gpu-node-h100-13", "gpu-node-a100-07"].map((node, i) => {
      const { fingerprint: _fp, ...rest } = base;
      return { ...rest, labels: { ...base.labels, node }, ...(i === 2 ? { status: "resolved", endsAt: "2026-05-12T14:40:00Z" } : {}) };
    });
    const events = run(grafanaSource, { ...fixture, alerts }, headers);
    assert.equal(events.length, 3);
    assert.equal(new Set(events.map((e) => e.dedupKey)).size, 3);
    assert.deepEqual(events.map((e) => e.type), ["grafana.alert.firing", "grafana.alert.firing", "grafana.alert.resolved"]);
    assert.deepEqual(events.map((e) => e.subject), ["gpu-node-h100-12", "gpu-node-h100-13", "gpu-node-a100-07"]);
    assert.equal(events[2]?.time, "2026-05-12T14:40:00Z");
    for (const e of events) assert.match(e.dedupKey, /^grafana:[0-9a-f]{16}:(firing|resolved):2026-05-12T14:20:10Z$/);
  });

  it("group context under meta.grafana (orgId, state, title), alert untouched; dataHostPath option", () => {
    const [e] = run(grafanaSource, fixture, headers, { dataHostPath: "labels.node" });
    assert.equal(meta(e, "grafana").orgId, 1);
    assert.equal(meta(e, "grafana").state, "alerting");
    assert.ok(!("alerts" in meta(e, "grafana")));
    assert.deepEqual(e?.data.alert, fixture.alerts[0]);
    assert.deepEqual((e?.data.meta as Json).hosts, ["gpu-node-h100-12"]);
  });

  it("no alerts → no events; not Grafana's shape → HB_ERR_INVALID_PAYLOAD", () => {
    assert.deepEqual(run(grafanaSource, { ...fixture, alerts: [] }, headers), []);
    throwsCode(() => run(grafanaSource, { title: "x" }, headers), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => run(grafanaSource, Buffer.from("{"), headers), "HB_ERR_INVALID_JSON");
  });
});

describe("github", () => {
  const push = fixtureBytes("github/push.json");
  const pushHeaders = fixtureHeaders("github/push.headers.json");

  it("ping is published as github.hook.ping unless publishPing is false", () => {
    const ping = fixtureBytes("github/ping.json");
    const headers = fixtureHeaders("github/ping.headers.json");
    assert.equal(run(githubSource, ping, headers)[0]?.type, "github.hook.ping");
    assert.deepEqual(run(githubSource, ping, headers, { publishPing: false }), []);
  });

  it("dedupPerHook appends the hook id", () => {
    assert.equal(run(githubSource, push, pushHeaders, { dedupPerHook: true })[0]?.dedupKey, "github:3f6c2a80-4e1b-11f1-9a7e-5c1b6e0d8a21:512349871");
  });

  it("without X-GitHub-Delivery the key hashes event + JSON: a form post and the same JSON posted as JSON collapse", () => {
    const noDelivery = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== "X-GitHub-Delivery"));
    const form = fixtureBytes("github/push.form.txt");
    const a = run(githubSource, form, noDelivery(fixtureHeaders("github/push.form.headers.json")))[0]?.dedupKey;
    const formJson = Buffer.from(new URLSearchParams(form.toString()).get("payload") ?? "");
    const b = run(githubSource, formJson, noDelivery(pushHeaders))[0]?.dedupKey;
    assert.notEqual(run(githubSource, push, noDelivery(pushHeaders))[0]?.dedupKey, a, "other JSON bytes, other key");
    assert.match(a ?? "", /^github:sha256:[0-9a-f]{64}$/);
    assert.equal(a, b);
  });

  it("meta.github and credential-free meta.headers", () => {
    const [e] = run(githubSource, push, { ...pushHeaders, Authorization: "Bearer secret" });
    assert.deepEqual(meta(e, "github"), { event: "push", delivery: "3f6c2a80-4e1b-11f1-9a7e-5c1b6e0d8a21", hookId: "512349871", targetType: "repository", targetId: "734221905" });
    const headers = (e?.data.meta as Json).headers as Json;
    assert.ok(!("Authorization" in headers));
    assert.equal(headers["X-GitHub-Event"], "push", "sender's spelling kept (ansible compatible)");
  });

  it("subjects and times of other events", () => {
    const headers = { "X-GitHub-Event": "workflow_job", "X-GitHub-Delivery": "d1" };
    const job = { action: "completed", repository: { full_name: "o/r" }, workflow_job: { id: 7, created_at: "2026-05-12T10:00:00Z", started_at: "2026-05-12T10:01:00Z", completed_at: "2026-05-12T10:09:00+02:00" } };
    const [e] = run(githubSource, job, headers);
    assert.equal(e?.type, "github.workflow_job.completed");
    assert.equal(e?.subject, "o/r/jobs/7");
    assert.equal(e?.time, "2026-05-12T08:09:00Z");
    const [issue] = run(githubSource, { action: "opened", issue: { number: 5, updated_at: "2026-05-12T10:00:00Z" }, repository: { full_name: "o/r" } }, { "X-GitHub-Event": "issues" });
    assert.equal(issue?.type, "github.issues.opened");
    assert.equal(issue?.subject, "o/r#5");
    const [org] = run(githubSource, { action: "member_added", organization: { login: "acme" } }, { "X-GitHub-Event": "organization" });
    assert.equal(org?.subject, "acme");
    assert.equal(org?.time, undefined, "no producer time → ingest uses the receipt time");
  });

  it("refuses what is not a GitHub delivery", () => {
    throwsCode(() => run(githubSource, push, { "Content-Type": "application/json" }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => run(githubSource, [1, 2] as unknown as Json, pushHeaders), "HB_ERR_INVALID_PAYLOAD");
    const form = { ...pushHeaders, "Content-Type": "application/x-www-form-urlencoded" };
    throwsCode(() => run(githubSource, Buffer.from("other=1"), form), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => run(githubSource, Buffer.from("payload=%7Bnot-json"), form), "HB_ERR_INVALID_JSON");
    throwsCode(() => githubSource.checkOptions?.({ publishPing: "no" }), "HB_ERR_CONFIG_INVALID");
  });
});

describe("gitlab", () => {
  const base = { "X-Gitlab-Instance": "https://gitlab.example", "Idempotency-Key": "k-1", "X-Gitlab-Token": "secret" };
  const project = { path_with_namespace: "platform/gpu" };

  it("pipeline, job, tag push, deployment, release and system hooks", () => {
    const cases: [string, Json, string, string | undefined, string | undefined][] = [
      ["Pipeline Hook", { object_kind: "pipeline", project, object_attributes: { id: 9, status: "success", created_at: "2026-05-12 13:00:00 UTC", finished_at: "2026-05-12 13:10:00 UTC" } }, "gitlab.pipeline.success", "platform/gpu/pipelines/9", "2026-05-12T13:10:00Z"],
      ["Job Hook", { object_kind: "build", project, build_id: 4, build_status: "failed", build_started_at: "2026-05-12 13:00:00 +0200" }, "gitlab.job.failed", "platform/gpu/jobs/4", "2026-05-12T11:00:00Z"],
      ["Tag Push Hook", { object_kind: "tag_push", project, ref: "refs/tags/v1", commits: [] }, "gitlab.tag_push", "platform/gpu@refs/tags/v1", undefined],
      ["Deployment Hook", { object_kind: "deployment", project, status: "success", deployment_id: 3, status_changed_at: "2026-05-12 13:00:00 UTC" }, "gitlab.deployment.success", "platform/gpu/deployments/3", "2026-05-12T13:00:00Z"],
      ["Release Hook", { object_kind: "release", project, action: "create", tag: "v2", created_at: "2026-05-12 13:00:00 UTC" }, "gitlab.release.create", "platform/gpu@v2", "2026-05-12T13:00:00Z"],
      ["Issue Hook", { object_kind: "issue", project, object_attributes: { iid: 12, action: "reopen", updated_at: "2026-05-12T13:00:00Z" } }, "gitlab.issue.reopen", "platform/gpu#12", "2026-05-12T13:00:00Z"],
      ["System Hook", { event_name: "project_create", path_with_namespace: "platform/new" }, "gitlab.system.project_create", "platform/new", undefined],
    ];
    for (const [event, body, type, subject, time] of cases) {
      const [e] = run(gitlabSource, body, { ...base, "X-Gitlab-Event": event });
      assert.equal(e?.type, type, event);
      assert.equal(e?.subject, subject, event);
      assert.equal(e?.time, time, event);
      assert.equal(e?.dedupKey, "gitlab:k-1");
    }
  });

  it("push time is the newest commit; X-Gitlab-Token never reaches meta.headers", () => {
    const [e] = run(gitlabSource, fixtureBytes("gitlab/push.json"), fixtureHeaders("gitlab/push.headers.json"));
    const headers = (e?.data.meta as Json).headers as Json;
    assert.ok(!Object.keys(headers).some((h) => h.toLowerCase() === "x-gitlab-token"));
    assert.equal(meta(e, "gitlab").delivery, "2c7e4b9a-61f3-4d0e-9a85-3b1f6c2d7e40");
  });

  it("without Idempotency-Key: a stable body hash; without event header and object_kind: refused", () => {
    const body = fixtureBytes("gitlab/push.json");
    const headers = { "X-Gitlab-Event": "Push Hook" };
    const a = run(gitlabSource, body, headers)[0]?.dedupKey;
    assert.match(a ?? "", /^gitlab:sha256:[0-9a-f]{64}$/);
    assert.equal(run(gitlabSource, body, headers)[0]?.dedupKey, a);
    assert.equal(run(gitlabSource, { project }, { "X-Gitlab-Event": "Merge Request Hook" })[0]?.type, "gitlab.merge_request");
    throwsCode(() => run(gitlabSource, { project }, {}), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => run(gitlabSource, Buffer.from("[]"), headers), "HB_ERR_INVALID_PAYLOAD");
  });
});

describe("gitea", () => {
  it("Forgejo headers alone are enough; pull requests get their action", () => {
    const body = { action: "opened", number: 3, pull_request: { number: 3, updated_at: "2026-05-12T10:00:00Z" }, repository: { full_name: "platform/gpu-images" } };
    const [e] = run(giteaSource, body, { "X-Forgejo-Event": "pull_request", "X-Forgejo-Delivery": "f-1" });
    assert.equal(e?.type, "gitea.pull_request.opened");
    assert.equal(e?.dedupKey, "gitea:f-1");
    assert.equal(e?.subject, "platform/gpu-images#3");
    assert.equal(e?.time, "2026-05-12T10:00:00Z");
    throwsCode(() => run(giteaSource, body, { "X-GitHub-Event": "pull_request" }), "HB_ERR_INVALID_PAYLOAD");
  });
});

describe("gitTime", () => {
  it("accepts the git hosts' formats and normalizes to UTC", () => {
    assert.equal(gitTime("2026-05-12T08:14:58-04:00"), "2026-05-12T12:14:58Z");
    assert.equal(gitTime("2026-05-12 14:47:02 UTC"), "2026-05-12T14:47:02Z");
    assert.equal(gitTime("2026-05-12 14:47:02 +0200"), "2026-05-12T12:47:02Z");
    assert.equal(gitTime("2026-05-12T14:47:02.123Z"), "2026-05-12T14:47:02.123Z");
    assert.equal(gitTime(1704820961), "2024-01-09T17:22:41Z");
    for (const bad of ["", "yesterday", "2026-05-12", null, {}, -1]) assert.equal(gitTime(bad), undefined);
  });
});
