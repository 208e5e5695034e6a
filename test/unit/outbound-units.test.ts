/** Retry schedules, the compatibility signature, subscription input validation, OAuth 2.0 token cache. */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { VirtualClock } from "../../src/core/clock.js";
import { compatSignature, compatSignatureHeaders, verifyCompatSignature } from "../../src/outbound/compat-signer.js";
import type { HttpRequest, HttpResponse, WebhookHttpClient } from "../../src/outbound/http-client.js";
import { OAuth2TokenCache, OAuth2TokenError } from "../../src/outbound/oauth2-token.js";
import { OUTBOUND_CODES } from "../../src/outbound/outbound-errors.js";
import { RETRY_PROFILES, attemptBudget, overloadDelayMs, parseDelay, resolveRetrySchedule, retryAfterDelayMs, scheduledDelayMs } from "../../src/outbound/retry-schedule.js";
import { parseCreateInput, parsePatchInput, parseRotateInput } from "../../src/outbound/subscription-input.js";
import { thrownCode } from "../helpers/errors.js";

describe("retry schedule", () => {
  it("profiles: default is Svix's (8 attempts), short is 1 s 2 s 4 s", () => {
    assert.deepEqual(resolveRetrySchedule("default"), [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    assert.deepEqual(resolveRetrySchedule(undefined), RETRY_PROFILES.default);
    assert.deepEqual(resolveRetrySchedule("short"), [1000, 2000, 4000]);
    assert.equal(attemptBudget(RETRY_PROFILES.default), 8);
  });

  it("lists of numbers or durations; the legacy exponential policy; bad values refused", () => {
    assert.deepEqual(resolveRetrySchedule(["500ms", "5s", "5m", "2h", "1d", "10 minutes", 250]), [500, 5000, 300_000, 7_200_000, 86_400_000, 600_000, 250]);
    assert.deepEqual(resolveRetrySchedule({ maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 3000 }), [1000, 2000, 3000]);
    assert.equal(parseDelay("soon"), undefined);
    for (const bad of ["weekly", ["5 parsecs"], [-1], ["2d"], Array(21).fill(1)] as const) {
      assert.equal(thrownCode(() => resolveRetrySchedule(bad as never)), "HB_ERR_CONFIG_INVALID", JSON.stringify(bad));
    }
  });

  it("delays: schedule[n-1] ±20 %, undefined after the last; Retry-After capped at the longest delay", () => {
    const s = [1000, 2000, 4000];
    assert.equal(scheduledDelayMs(s, 1, () => 0), 800);
    assert.equal(scheduledDelayMs(s, 1, () => 0.5), 1000);
    assert.equal(scheduledDelayMs(s, 3, () => 0.999999), 4800);
    assert.equal(scheduledDelayMs(s, 4), undefined);
    for (let i = 0; i < 100; i++) {
      const d = scheduledDelayMs(s, 2) as number;
      assert.ok(d >= 1600 && d <= 2400, String(d));
    }
    assert.equal(retryAfterDelayMs(s, 3000), 3000);
    assert.equal(retryAfterDelayMs(s, 3_600_000), 4000);
    assert.equal(retryAfterDelayMs(s, -5), 0);
  });

  it("after a timeout or a 429 without Retry-After: at least a minute, or the schedule's largest delay when shorter", () => {
    assert.equal(overloadDelayMs(RETRY_PROFILES.default, 5_000), 60_000, "Svix's schedule: the first 5 s retry waits a minute");
    assert.equal(overloadDelayMs(RETRY_PROFILES.default, 300_000), 300_000, "a longer scheduled delay stays");
    assert.equal(overloadDelayMs(RETRY_PROFILES.short, 1_000), 4_000, "the short profile stays short");
    assert.equal(overloadDelayMs([], 0), 0);
  });
});

describe("compatibility signature (hmac-sha256-hex)", () => {
  it("is sha256=<hex HMAC of the raw body> keyed with the secret string, one entry per secret", () => {
    const body = Buffer.from('{"id":"o1","type":"action.failed"}');
    const expected = `sha256=${createHmac("sha256", "whsec_abc").update(body).digest("hex")}`;
    assert.equal(compatSignature("whsec_abc", body), expected);
    // GitHub's documented example: secret "It's a Secret to Everybody", body "Hello, World!"
    assert.equal(compatSignature("It's a Secret to Everybody", "Hello, World!"), "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    const h = compatSignatureHeaders(["new-secret-value", "old-secret-value"], "msg_o1", 1700000000, body);
    assert.equal(h["x-webhook-id"], "msg_o1");
    assert.equal(h["x-webhook-timestamp"], "1700000000");
    assert.equal(h["x-webhook-signature"]?.split(",").length, 2);
    assert.equal(verifyCompatSignature("old-secret-value", h["x-webhook-signature"], body), true);
    assert.equal(verifyCompatSignature("other-secret", h["x-webhook-signature"], body), false);
    assert.equal(verifyCompatSignature("new-secret-value", h["x-webhook-signature"], Buffer.concat([body, Buffer.from(" ")])), false);
    assert.equal(verifyCompatSignature("new-secret-value", undefined, body), false);
  });
});

describe("subscription input", () => {
  it("normalizes a full body", () => {
    const input = parseCreateInput({
      url: "https://hooks.example.com/in",
      events: ["action.*"],
      headers: { "X-Tenant": "acme" },
      auth: { type: "api_key", header: "X-Api-Key", value: "k" },
      signing: "hmac-sha256-hex",
      secret: "shared-secret-1234567",
      filter: { "data.pool": "a100" },
      timeout_ms: 5000,
      max_in_flight: 1,
    });
    assert.deepEqual(input.headers, { "x-tenant": "acme" });
    assert.deepEqual(input.auth, { type: "api_key", header: "x-api-key", value: "k" });
    assert.equal(input.signing, "hmac-sha256-hex");
    assert.equal(input.timeoutMs, 5000);
  });

  it("refuses what cannot work, naming the field", () => {
    const base = { url: "https://h.example/", events: ["*"] };
    assert.equal(thrownCode(() => parseCreateInput({ ...base, secret: "short" })), OUTBOUND_CODES.secret);
    assert.equal(thrownCode(() => parseCreateInput({ ...base, signing: "hmac-sha256-hex", secret: "has spaces in it ok" })), OUTBOUND_CODES.secret);
    assert.equal(thrownCode(() => parseCreateInput({ ...base, max_in_flight: 0 })), OUTBOUND_CODES.invalid);
    assert.equal(thrownCode(() => parseCreateInput({ ...base, headers: { "X-A": "1", "x-a": "2" } })), OUTBOUND_CODES.invalid);
    assert.equal(thrownCode(() => parseCreateInput({ ...base, auth: { type: "oauth2", token_url: "https://t/", client_id: "c" } })), OUTBOUND_CODES.invalid);
    assert.equal(thrownCode(() => parsePatchInput({ secret: "x" })), OUTBOUND_CODES.invalid);
    assert.deepEqual(parsePatchInput({ auth: null, filter: null, timeout_ms: null }), { auth: null, filter: null, timeoutMs: null });
    assert.deepEqual(parseRotateInput(undefined), {});
    assert.deepEqual(parseRotateInput({ grace_period_seconds: 60 }), { graceMs: 60_000 });
  });
});

describe("OAuth 2.0 client-credentials token cache", () => {
  function fakeHttp(answers: (req: HttpRequest) => HttpResponse): WebhookHttpClient & { calls: HttpRequest[] } {
    const calls: HttpRequest[] = [];
    return {
      calls,
      async send(req) {
        calls.push(req);
        return answers(req);
      },
      close() {},
    };
  }
  const creds = { type: "oauth2" as const, tokenUrl: "https://auth.example/token", clientId: "id:1", clientSecret: "s&cret", scope: "a b" };

  it("fetches once, shares concurrent requests, caches until expiry minus the margin, refreshes after invalidate", async () => {
    let n = 0;
    const http = fakeHttp(() => ({ status: 200, headers: {}, body: JSON.stringify({ access_token: `t${++n}`, token_type: "bearer", expires_in: 600 }), truncated: false }));
    const clock = new VirtualClock(1_000_000);
    const cache = new OAuth2TokenCache(http, clock);
    assert.deepEqual(await Promise.all([cache.token(creds), cache.token(creds)]), ["t1", "t1"]);
    assert.equal(http.calls.length, 1);
    const req = http.calls[0]!;
    assert.equal(req.body, "grant_type=client_credentials&scope=a%20b");
    assert.equal(req.headers["authorization"], `Basic ${Buffer.from("id%3A1:s%26cret").toString("base64")}`);
    await clock.advanceTo(1_000_000 + 539_000);
    assert.equal(await cache.token(creds), "t1", "still valid 61 s before expiry");
    await clock.advanceTo(1_000_000 + 541_000);
    assert.equal(await cache.token(creds), "t2", "refreshed inside the 60 s margin");
    cache.invalidate(creds);
    assert.equal(await cache.token(creds), "t3");
  });

  it("client_secret_post sends the credentials in the form; errors are OAuth2TokenError", async () => {
    const http = fakeHttp(() => ({ status: 200, headers: {}, body: '{"access_token":"x"}', truncated: false }));
    await new OAuth2TokenCache(http, new VirtualClock(0)).token({ ...creds, authMethod: "client_secret_post" });
    assert.equal(http.calls[0]?.headers["authorization"], undefined);
    assert.match(String(http.calls[0]?.body), /client_id=id%3A1&client_secret=s%26cret/);
    for (const answer of [
      { status: 401, body: "{}" },
      { status: 200, body: "not json" },
      { status: 200, body: '{"token_type":"bearer"}' },
      { status: 200, body: '{"access_token":"x","token_type":"mac"}' },
    ]) {
      const cache = new OAuth2TokenCache(fakeHttp(() => ({ ...answer, headers: {}, truncated: false })), new VirtualClock(0));
      await assert.rejects(cache.token(creds), OAuth2TokenError, JSON.stringify(answer));
    }
  });
});
