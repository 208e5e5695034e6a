/** The git host and Grafana kinds through the ingest HTTP routes (inject). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VirtualClock } from "../../src/core/clock.js";
import type { EventEnvelope } from "../../src/core/envelope.js";
import type { HookbookError } from "../../src/core/errors.js";
import type { AcceptedBody } from "../../src/ingest/pipeline.js";
import { createIngestServer } from "../../src/ingest/server.js";
import type { IngestSourceConfig } from "../../src/ingest/server.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";
import { RecordingBus } from "../helpers/recording-bus.js";
import { AUTH, GITLAB_SIGNING_TS, GRAFANA_TS, giteaFormBody } from "./sources-git-helper.js";

type Accepted = AcceptedBody;
type ErrorBody = ReturnType<HookbookError["toBody"]>;

const source = (name: string, kind: IngestSourceConfig["kind"], auth: IngestSourceConfig["auth"], options = {}): IngestSourceConfig => ({
  name,
  kind,
  auth,
  bodyLimit: 0,
  options,
});

const SOURCES: IngestSourceConfig[] = [
  source("github", "github", AUTH.github),
  source("github-quiet", "github", AUTH.github, { publishPing: false }),
  source("gitlab", "gitlab", AUTH.gitlabToken),
  source("gitlab-signed", "gitlab", AUTH.gitlabSigning),
  source("grafana", "grafana", AUTH.grafana),
  source("gitea", "gitea", AUTH.gitea),
];

function setup(nowSec: number) {
  const bus = new RecordingBus();
  const app = createIngestServer({ sources: SOURCES, bus, bodyLimit: 1024 * 1024, clock: new VirtualClock(nowSec * 1000) });
  return { app, bus };
}

const post = (url: string, payload: Buffer, headers: Record<string, string>) => ({ method: "POST" as const, url, payload, headers });

describe("ingest: github", () => {
  it("the JSON delivery is stored once; its form-encoded twin is a duplicate", async () => {
    const { app, bus } = setup(GRAFANA_TS);
    const json = await app.inject(post("/hooks/github", fixtureBytes("github/push.json"), fixtureHeaders("github/push.headers.json")));
    assert.equal(json.statusCode, 202, json.body);
    const form = await app.inject(post("/hooks/github", fixtureBytes("github/push.form.txt"), fixtureHeaders("github/push.form.headers.json")));
    assert.equal(form.statusCode, 202, form.body);
    assert.deepEqual(form.json<Accepted>().events.map((e) => e.duplicate), [true]);
    assert.equal(bus.stored.length, 1);
    assert.equal(bus.stored[0]?.opts?.msgId, "github:github:3f6c2a80-4e1b-11f1-9a7e-5c1b6e0d8a21");
    const env = bus.stored[0]?.json<EventEnvelope>();
    assert.equal(env?.kind, "github");
    assert.equal(env?.type, "github.push");
    assert.equal(env?.subject, "acme-gpu/gpu-fleet-config@refs/heads/main");
    assert.equal((env?.data.payload as { ref: string }).ref, "refs/heads/main");
  });

  it("ping: acknowledged and recorded, or acknowledged with nothing stored (publishPing: false)", async () => {
    const { app, bus } = setup(GRAFANA_TS);
    const ping = () => post("", fixtureBytes("github/ping.json"), fixtureHeaders("github/ping.headers.json"));
    const recorded = await app.inject({ ...ping(), url: "/hooks/github" });
    assert.equal(recorded.statusCode, 202);
    assert.deepEqual(recorded.json<Accepted>().events.map((e) => e.type), ["github.hook.ping"]);
    const quiet = await app.inject({ ...ping(), url: "/hooks/github-quiet" });
    assert.equal(quiet.statusCode, 202);
    assert.deepEqual(quiet.json<Accepted>(), { accepted: 0, duplicates: 0, events: [] });
    assert.equal(bus.stored.length, 1);
  });

  it("tampered body → 401 HB_ERR_AUTH_INVALID, nothing stored", async () => {
    const { app, bus } = setup(GRAFANA_TS);
    const body = Buffer.from(fixtureBytes("github/push.json"));
    body[20] = (body[20] ?? 0) ^ 1;
    const res = await app.inject(post("/hooks/github", body, fixtureHeaders("github/push.headers.json")));
    assert.equal(res.statusCode, 401);
    assert.equal(res.json<ErrorBody>().error.code, "HB_ERR_AUTH_INVALID");
    assert.equal(bus.calls.length, 0);
  });
});

describe("ingest: gitlab", () => {
  it("token and signing-token deliveries of one event carry the same dedup key", async () => {
    const { app, bus } = setup(GITLAB_SIGNING_TS + 10);
    const body = fixtureBytes("gitlab/push.json");
    const a = await app.inject(post("/hooks/gitlab", body, fixtureHeaders("gitlab/push.headers.json")));
    const b = await app.inject(post("/hooks/gitlab-signed", body, fixtureHeaders("gitlab/push.signing-token.headers.json")));
    assert.equal(a.statusCode, 202, a.body);
    assert.equal(b.statusCode, 202, b.body);
    assert.deepEqual(bus.stored.map((p) => p.opts?.msgId), [
      "gitlab:gitlab:2c7e4b9a-61f3-4d0e-9a85-3b1f6c2d7e40",
      "gitlab-signed:gitlab:2c7e4b9a-61f3-4d0e-9a85-3b1f6c2d7e40",
    ]);
  });

  it("wrong token → 401, stale signing token → 401 HB_ERR_AUTH_STALE, form content type → 415", async () => {
    const { app, bus } = setup(GITLAB_SIGNING_TS + 301);
    const body = fixtureBytes("gitlab/push.json");
    const wrong = await app.inject(post("/hooks/gitlab", body, { ...fixtureHeaders("gitlab/push.headers.json"), "X-Gitlab-Token": "nope" }));
    assert.equal(wrong.json<ErrorBody>().error.code, "HB_ERR_AUTH_INVALID");
    const stale = await app.inject(post("/hooks/gitlab-signed", body, fixtureHeaders("gitlab/push.signing-token.headers.json")));
    assert.equal(stale.statusCode, 401);
    assert.equal(stale.json<ErrorBody>().error.code, "HB_ERR_AUTH_STALE");
    const form = await app.inject(post("/hooks/gitlab", body, { ...fixtureHeaders("gitlab/push.headers.json"), "Content-Type": "application/x-www-form-urlencoded" }));
    assert.equal(form.statusCode, 415);
    assert.equal(bus.calls.length, 0);
  });
});

describe("ingest: grafana and gitea", () => {
  it("Grafana's timestamped HMAC inside the window → 202; outside → 401 HB_ERR_AUTH_STALE", async () => {
    const fresh = setup(GRAFANA_TS + 60);
    const req = post("/hooks/grafana", fixtureBytes("grafana/alert.json"), fixtureHeaders("grafana/alert.headers.json"));
    const ok = await fresh.app.inject(req);
    assert.equal(ok.statusCode, 202, ok.body);
    assert.deepEqual(ok.json<Accepted>().events.map((e) => e.type), ["grafana.alert.firing"]);
    const stale = await setup(GRAFANA_TS + 3600).app.inject(req);
    assert.equal(stale.statusCode, 401);
    assert.equal(stale.json<ErrorBody>().error.code, "HB_ERR_AUTH_STALE");
  });

  it("a Gitea form hook signed over its JSON payload → 202", async () => {
    const { app, bus } = setup(GRAFANA_TS);
    const headers = { ...fixtureHeaders("gitea/push.headers.json"), "Content-Type": "application/x-www-form-urlencoded" };
    const res = await app.inject(post("/hooks/gitea", giteaFormBody(), headers));
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(bus.stored[0]?.json<EventEnvelope>().dedupKey, "gitea:9b0f1e2d-3c4b-4a59-8e7f-6d5c4b3a2910");
  });
});
