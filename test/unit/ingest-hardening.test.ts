/**
 * Regressions for what the ingest fuzz found (test/integration/ingest-fuzz.test.ts), and the
 * server limits in the config.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.js";
import { VirtualClock } from "../../src/core/clock.js";
import { HookbookError } from "../../src/core/errors.js";
import { createDefaultAuthContext } from "../../src/ingest/auth-context.js";
import { verifySnsRequest } from "../../src/sources/auth-sns.js";
import { gitTime } from "../../src/sources/git-common.js";
import { githubSource } from "../../src/sources/github.js";
import { fixtureBytes, fixtureHeaders, fixturePath } from "../helpers/fixtures.js";
import { rejectsCode } from "./sources-golden-helper.js";

const NOW = Date.parse("2026-05-12T15:21:00Z");
const CERT_PEM = readFileSync(fixturePath("aws/test-keys/sns-test-signing-cert.pem"), "utf8");

describe("source hardening", () => {
  it("a Unix-seconds time no Date can hold is no time (was a RangeError → 500)", () => {
    assert.equal(gitTime(1e20), undefined);
    assert.equal(gitTime(1778594047), "2026-05-12T13:54:07Z");
    const push = JSON.parse(fixtureBytes("github/push.json").toString("utf8")) as { head_commit: Record<string, unknown>; repository: Record<string, unknown> };
    push.head_commit.timestamp = 1e300;
    push.repository.pushed_at = 1e300;
    const [event] = githubSource.normalize({ body: Buffer.from(JSON.stringify(push)), headers: fixtureHeaders("github/push.headers.json"), endpoint: "gh", options: {} });
    assert.equal(event?.time, undefined);
  });

  it("SNS: a certificate URL its host answers with a 4xx is an invalid signature (401), a network failure stays 500", async () => {
    const body = fixtureBytes("aws/sns-notification-spot.json");
    const answered404 = { nowMs: () => NOW, fetchText: async () => Promise.reject(Object.assign(new Error("404"), { status: 404 })) };
    await rejectsCode(verifySnsRequest(body, {}, answered404), "HB_ERR_AUTH_INVALID");
    const unreachable = { nowMs: () => NOW, fetchText: async () => Promise.reject(new Error("ECONNREFUSED")) };
    await rejectsCode(verifySnsRequest(body, {}, unreachable), "HB_ERR_INTERNAL");
    const ok = { nowMs: () => NOW, fetchText: async () => CERT_PEM };
    await verifySnsRequest(body, {}, ok);
  });

  it("the default auth context reports the HTTP status of a non-2xx answer", async () => {
    const ctx = createDefaultAuthContext({ clock: new VirtualClock(NOW), fetch: async () => new Response("no", { status: 404 }) });
    const err = await ctx.fetchText("https://sns.us-east-1.amazonaws.com/x.pem").then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof Error);
    assert.equal((err as { status?: unknown }).status, 404);
  });
});

describe("config: server limits", () => {
  it("defaults: 1000 items per request, 16 KiB of headers", () => {
    const c = loadConfig({ env: {}, cwd: "/srv" });
    assert.equal(c.server.maxItemsPerRequest, 1000);
    assert.equal(c.server.maxHeaderSize, 16_384);
  });

  it("set in the config; out of range stops the start", () => {
    const c = loadConfig({ env: {}, cwd: "/srv", overrides: { server: { maxItemsPerRequest: 50, maxHeaderSize: 32_768 } } });
    assert.equal(c.server.maxItemsPerRequest, 50);
    assert.equal(c.server.maxHeaderSize, 32_768);
    for (const server of [{ maxItemsPerRequest: 0 }, { maxHeaderSize: 100 }, { maxHeaderSize: 2_000_000 }]) {
      assert.throws(
        () => loadConfig({ env: {}, cwd: "/srv", overrides: { server } }),
        (e: unknown) => e instanceof HookbookError && e.code === "HB_ERR_CONFIG_INVALID",
      );
    }
  });
});
