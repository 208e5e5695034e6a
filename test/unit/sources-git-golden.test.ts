/**
 * Every fixture of the grafana, github, gitlab and gitea kinds: verifies with its README secret,
 * normalizes to its golden file (test/golden/sources/<kind>/<fixture>.json, UPDATE_GOLDEN=1
 * rewrites), matches docs/sources/<kind>.schema.json; each tampered variant is refused with the
 * right code.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SourceAuthConfig } from "../../src/config/types.js";
import type { ErrorCode } from "../../src/core/errors.js";
import { verifyAuth } from "../../src/sources/auth.js";
import type { AuthRequest, IngestAuthConfig } from "../../src/sources/auth.js";
import { sourceKindHandler } from "../../src/sources/registry.js";
import { mediaTypeAccepted } from "../../src/sources/types.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";
import { AUTH, GITLAB_SIGNING_TS, GRAFANA_TS, contextAt, giteaFormBody } from "./sources-git-helper.js";
import { assertEnvelope, assertGolden, rejectsCode } from "./sources-golden-helper.js";

interface Case {
  readonly kind: string;
  readonly name: string;
  readonly body: () => Buffer;
  readonly headers: () => Record<string, string>;
  readonly auth: SourceAuthConfig;
  /** "now" for the verification (signed timestamps). */
  readonly now: number;
  readonly count: number;
  readonly type: string;
  readonly dedupKey: string;
  /** The auth covers the body (a flipped byte must be refused). */
  readonly signsBody: boolean;
  /** Header whose absence must be refused, and with which code. */
  readonly required: readonly [string, ErrorCode];
  /** A signed timestamp header (stale must be refused). */
  readonly timestampHeader?: string;
}

const NOW = Date.parse("2026-05-12T15:00:00Z") / 1000;
const file = (rel: string) => () => fixtureBytes(rel);
const hdrs = (rel: string, extra: Record<string, string> = {}) => () => ({ ...fixtureHeaders(rel), ...extra });

const CASES: readonly Case[] = [
  {
    kind: "grafana", name: "alert", body: file("grafana/alert.json"), headers: hdrs("grafana/alert.headers.json"), auth: AUTH.grafana,
    now: GRAFANA_TS + 42, count: 1, type: "grafana.alert.firing", dedupKey: "grafana:f0f302c5bacde62e:firing:2026-05-12T14:20:10Z",
    signsBody: true, required: ["X-Grafana-Alerting-Signature", "HB_ERR_SIGNATURE_MISSING"], timestampHeader: "X-Grafana-Alerting-Timestamp",
  },
  {
    kind: "github", name: "ping", body: file("github/ping.json"), headers: hdrs("github/ping.headers.json"), auth: AUTH.github,
    now: NOW, count: 1, type: "github.hook.ping", dedupKey: "github:0c1f3d6e-4e1a-11f1-8b3c-2a9d7f15e6b4",
    signsBody: true, required: ["X-Hub-Signature-256", "HB_ERR_SIGNATURE_MISSING"],
  },
  {
    kind: "github", name: "push", body: file("github/push.json"), headers: hdrs("github/push.headers.json"), auth: AUTH.github,
    now: NOW, count: 1, type: "github.push", dedupKey: "github:3f6c2a80-4e1b-11f1-9a7e-5c1b6e0d8a21",
    signsBody: true, required: ["X-Hub-Signature-256", "HB_ERR_SIGNATURE_MISSING"],
  },
  {
    kind: "github", name: "push.form", body: file("github/push.form.txt"), headers: hdrs("github/push.form.headers.json"), auth: AUTH.github,
    now: NOW, count: 1, type: "github.push", dedupKey: "github:3f6c2a80-4e1b-11f1-9a7e-5c1b6e0d8a21",
    signsBody: true, required: ["X-Hub-Signature-256", "HB_ERR_SIGNATURE_MISSING"],
  },
  {
    kind: "github", name: "pull_request-opened", body: file("github/pull_request-opened.json"), headers: hdrs("github/pull_request-opened.headers.json"),
    auth: AUTH.github, now: NOW, count: 1, type: "github.pull_request.opened", dedupKey: "github:7a91e5c2-4e2c-11f1-8f0d-b3e2a6c41d90",
    signsBody: true, required: ["X-Hub-Signature-256", "HB_ERR_SIGNATURE_MISSING"],
  },
  {
    kind: "github", name: "workflow_job-queued", body: file("github/workflow_job-queued.json"), headers: hdrs("github/workflow_job-queued.headers.json"),
    auth: AUTH.github, now: NOW, count: 1, type: "github.workflow_job.queued", dedupKey: "github:b5d8f0a4-4e1b-11f1-93c6-e4f1a2b7c8d9",
    signsBody: true, required: ["X-Hub-Signature-256", "HB_ERR_SIGNATURE_MISSING"],
  },
  {
    kind: "gitlab", name: "push", body: file("gitlab/push.json"), headers: hdrs("gitlab/push.headers.json"), auth: AUTH.gitlabToken,
    now: NOW, count: 1, type: "gitlab.push", dedupKey: "gitlab:2c7e4b9a-61f3-4d0e-9a85-3b1f6c2d7e40",
    signsBody: false, required: ["X-Gitlab-Token", "HB_ERR_AUTH_MISSING"],
  },
  {
    kind: "gitlab", name: "push.signing-token", body: file("gitlab/push.json"), headers: hdrs("gitlab/push.signing-token.headers.json"),
    auth: AUTH.gitlabSigning, now: GITLAB_SIGNING_TS + 5, count: 1, type: "gitlab.push", dedupKey: "gitlab:2c7e4b9a-61f3-4d0e-9a85-3b1f6c2d7e40",
    signsBody: true, required: ["webhook-signature", "HB_ERR_SIGNATURE_MISSING"], timestampHeader: "webhook-timestamp",
  },
  {
    kind: "gitlab", name: "merge_request", body: file("gitlab/merge_request.json"), headers: hdrs("gitlab/merge_request.headers.json"),
    auth: AUTH.gitlabToken, now: NOW, count: 1, type: "gitlab.merge_request.open", dedupKey: "gitlab:8d3f0a6c-7b21-4e95-a4c8-1f6e9d2b0c37",
    signsBody: false, required: ["X-Gitlab-Token", "HB_ERR_AUTH_MISSING"],
  },
  {
    kind: "gitea", name: "push", body: file("gitea/push.json"), headers: hdrs("gitea/push.headers.json"), auth: AUTH.gitea,
    now: NOW, count: 1, type: "gitea.push", dedupKey: "gitea:9b0f1e2d-3c4b-4a59-8e7f-6d5c4b3a2910",
    signsBody: true, required: ["X-Gitea-Signature", "HB_ERR_SIGNATURE_MISSING"],
  },
  {
    kind: "gitea", name: "push.form", body: giteaFormBody, headers: hdrs("gitea/push.headers.json", { "Content-Type": "application/x-www-form-urlencoded" }),
    auth: AUTH.gitea, now: NOW, count: 1, type: "gitea.push", dedupKey: "gitea:9b0f1e2d-3c4b-4a59-8e7f-6d5c4b3a2910",
    signsBody: true, required: ["X-Gitea-Signature", "HB_ERR_SIGNATURE_MISSING"],
  },
];

function without(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== name.toLowerCase()));
}

function flipped(body: Buffer, at: number): Buffer {
  const copy = Buffer.from(body);
  const i = Math.min(at, copy.length - 1);
  copy[i] = (copy[i] ?? 0) ^ 0x01;
  return copy;
}

function wrongSecret(auth: SourceAuthConfig): IngestAuthConfig {
  switch (auth.type) {
    case "hmac":
      return { ...auth, secret: `${auth.secret}x` };
    case "gitlab-token":
      return { ...auth, token: `${auth.token}x` };
    case "standard-webhooks":
      return { ...auth, secret: "whsec_d3JvbmctZml4dHVyZS10ZXN0LXNpZ25pbmcta2V5IQ==" };
    default:
      throw new Error(`no wrong secret for ${auth.type}`);
  }
}

for (const c of CASES) {
  describe(`${c.kind} fixture ${c.name}`, () => {
    const handler = sourceKindHandler(c.kind);
    const req = (): AuthRequest => ({ body: c.body(), headers: c.headers() });

    it("verifies with the README secret", async () => {
      await verifyAuth(c.auth, req(), contextAt(c.now));
    });

    it("normalizes to its golden events, schema-valid", () => {
      assert.ok(handler, `${c.kind} is registered`);
      const events = handler.normalize({ ...req(), endpoint: c.kind, options: {} });
      assert.equal(events.length, c.count);
      assert.equal(events[0]?.type, c.type);
      assert.equal(events[0]?.dedupKey, c.dedupKey);
      assertEnvelope(c.kind, events);
      assertGolden(c.kind, c.name, events);
    });

    it("is accepted only with its content type", () => {
      assert.ok(handler);
      assert.ok(mediaTypeAccepted(c.headers()["Content-Type"], handler.contentTypes), "fixture content type accepted");
    });

    if (c.signsBody) {
      it("one flipped body byte → HB_ERR_AUTH_INVALID", async () => {
        const body = c.body();
        for (const at of [0, Math.floor(body.length / 2), body.length - 2]) {
          await rejectsCode(verifyAuth(c.auth, { body: flipped(body, at), headers: c.headers() }, contextAt(c.now)), "HB_ERR_AUTH_INVALID");
        }
      });
    }

    it("wrong secret → HB_ERR_AUTH_INVALID", async () => {
      await rejectsCode(verifyAuth(wrongSecret(c.auth), req(), contextAt(c.now)), "HB_ERR_AUTH_INVALID");
    });

    it(`missing ${c.required[0]} → ${c.required[1]}`, async () => {
      await rejectsCode(verifyAuth(c.auth, { body: c.body(), headers: without(c.headers(), c.required[0]) }, contextAt(c.now)), c.required[1]);
    });

    const tsHeader = c.timestampHeader;
    if (tsHeader !== undefined) {
      it("stale or future timestamp (301 s off) → HB_ERR_AUTH_STALE; 300 s off still passes", async () => {
        const ts = Number(c.headers()[tsHeader]);
        await rejectsCode(verifyAuth(c.auth, req(), contextAt(ts + 301)), "HB_ERR_AUTH_STALE");
        await rejectsCode(verifyAuth(c.auth, req(), contextAt(ts - 301)), "HB_ERR_AUTH_STALE");
        await verifyAuth(c.auth, req(), contextAt(ts + 300));
        await verifyAuth(c.auth, req(), contextAt(ts - 300));
      });
      it("the timestamp is signed: moving it by one second → HB_ERR_AUTH_INVALID", async () => {
        const headers = c.headers();
        const ts = Number(headers[tsHeader]);
        headers[tsHeader] = String(ts + 1);
        await rejectsCode(verifyAuth(c.auth, { body: c.body(), headers }, contextAt(ts)), "HB_ERR_AUTH_INVALID");
      });
      it("missing timestamp header → HB_ERR_SIGNATURE_MISSING", async () => {
        await rejectsCode(verifyAuth(c.auth, { body: c.body(), headers: without(c.headers(), tsHeader) }, contextAt(c.now)), "HB_ERR_SIGNATURE_MISSING");
      });
    }
  });
}
