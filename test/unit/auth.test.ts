import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import type { SourceAuthConfig } from "../../src/config/types.js";
import type { ErrorCode } from "../../src/core/errors.js";
import { HookbookError } from "../../src/core/errors.js";
import { verifyAuth } from "../../src/sources/auth.js";
import type { IngestAuthConfig } from "../../src/sources/auth.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";

const GITHUB_SECRET = "It's a Secret to Everybody";

function rejects(auth: IngestAuthConfig, req: { body: Buffer; headers: Record<string, string> }, code: ErrorCode): void {
  assert.throws(
    () => verifyAuth(auth, req),
    (err: unknown) => err instanceof HookbookError && err.code === code,
    `expected ${code}`,
  );
}

const bearer: SourceAuthConfig = { type: "bearer", token: "am-fixture-bearer-token" };
const githubHmac: SourceAuthConfig = {
  type: "hmac",
  secret: GITHUB_SECRET,
  header: "x-hub-signature-256",
  algorithm: "sha256",
  encoding: "hex",
  prefix: "sha256=",
};

describe("verifyAuth: none", () => {
  it("lets any request through", () => {
    verifyAuth({ type: "none" }, { body: Buffer.from("{}"), headers: {} });
  });
});

describe("verifyAuth: bearer", () => {
  const body = fixtureBytes("alertmanager/firing-queue-depth.json");
  const headers = fixtureHeaders("alertmanager/firing-queue-depth.headers.json");

  it("accepts the fixture's Authorization: Bearer header", () => {
    verifyAuth(bearer, { body, headers });
  });
  it("accepts the scheme in any case and the header name in any case", () => {
    verifyAuth(bearer, { body, headers: { authorization: "bearer am-fixture-bearer-token" } });
  });
  it("wrong token → HB_ERR_AUTH_INVALID", () => {
    rejects(bearer, { body, headers: { Authorization: "Bearer am-fixture-bearer-tokem" } }, "HB_ERR_AUTH_INVALID");
    rejects(bearer, { body, headers: { Authorization: "Bearer am-fixture-bearer-token-longer" } }, "HB_ERR_AUTH_INVALID");
    rejects(bearer, { body, headers: { Authorization: "Bearer" } }, "HB_ERR_AUTH_INVALID");
  });
  it("missing → HB_ERR_AUTH_MISSING", () => {
    rejects(bearer, { body, headers: {} }, "HB_ERR_AUTH_MISSING");
    rejects(bearer, { body, headers: { Authorization: "  " } }, "HB_ERR_AUTH_MISSING");
  });
  it("another scheme → HB_ERR_AUTH_INVALID", () => {
    rejects(bearer, { body, headers: { Authorization: "Token am-fixture-bearer-token" } }, "HB_ERR_AUTH_INVALID");
  });
  it("an empty configured token fails closed", () => {
    rejects({ type: "bearer", token: "" }, { body, headers: { Authorization: "Bearer " } }, "HB_ERR_AUTH_INVALID");
  });
  it("never echoes the presented token in the error", () => {
    try {
      verifyAuth(bearer, { body, headers: { Authorization: "Bearer s3cr3t-guess" } });
      assert.fail("should throw");
    } catch (err) {
      assert.ok(err instanceof HookbookError);
      assert.ok(!err.message.includes("s3cr3t-guess"));
    }
  });
});

describe("verifyAuth: basic", () => {
  const basic: IngestAuthConfig = { type: "basic", username: "alertmanager", password: "am-fixture-basic-password" };
  const body = fixtureBytes("alertmanager/firing-gpu-xid.json");
  const headers = fixtureHeaders("alertmanager/firing-gpu-xid.headers.json");

  it("accepts the firing-gpu-xid fixture's basic auth header", () => {
    verifyAuth(basic, { body, headers });
  });
  it("wrong password or user → HB_ERR_AUTH_INVALID", () => {
    const wrong = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}` });
    rejects(basic, { body, headers: wrong("alertmanager", "nope") }, "HB_ERR_AUTH_INVALID");
    rejects(basic, { body, headers: wrong("someone", "am-fixture-basic-password") }, "HB_ERR_AUTH_INVALID");
    rejects(basic, { body, headers: { Authorization: `Basic ${Buffer.from("alertmanager").toString("base64")}` } }, "HB_ERR_AUTH_INVALID");
  });
  it("bearer instead of basic → HB_ERR_AUTH_INVALID; none → HB_ERR_AUTH_MISSING", () => {
    rejects(basic, { body, headers: { Authorization: "Bearer x" } }, "HB_ERR_AUTH_INVALID");
    rejects(basic, { body, headers: {} }, "HB_ERR_AUTH_MISSING");
  });
});

describe("verifyAuth: hmac", () => {
  const body = fixtureBytes("github/push.json");
  const headers = fixtureHeaders("github/push.headers.json");

  it("accepts GitHub's X-Hub-Signature-256 over the raw fixture bytes", () => {
    verifyAuth(githubHmac, { body, headers });
  });
  it("accepts sha1 X-Hub-Signature with its prefix", () => {
    verifyAuth({ ...githubHmac, header: "x-hub-signature", algorithm: "sha1", prefix: "sha1=" }, { body, headers });
  });
  it("the prefix is optional on input", () => {
    const bare = (headers["X-Hub-Signature-256"] ?? "").replace(/^sha256=/, "");
    verifyAuth(githubHmac, { body, headers: { "x-hub-signature-256": bare } });
  });
  it("one flipped body byte → HB_ERR_AUTH_INVALID", () => {
    const flipped = Buffer.from(body);
    flipped[10] = (flipped[10] ?? 0) ^ 0x01;
    rejects(githubHmac, { body: flipped, headers }, "HB_ERR_AUTH_INVALID");
  });
  it("re-serialised JSON (same data, other bytes) → HB_ERR_AUTH_INVALID", () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString("utf8"))));
    rejects(githubHmac, { body: reserialised, headers }, "HB_ERR_AUTH_INVALID");
  });
  it("wrong secret, truncated, or non-hex signature → HB_ERR_AUTH_INVALID", () => {
    rejects({ ...githubHmac, secret: "other" }, { body, headers }, "HB_ERR_AUTH_INVALID");
    const sig = headers["X-Hub-Signature-256"] ?? "";
    rejects(githubHmac, { body, headers: { "X-Hub-Signature-256": sig.slice(0, -2) } }, "HB_ERR_AUTH_INVALID");
    rejects(githubHmac, { body, headers: { "X-Hub-Signature-256": `sha256=${"zz".repeat(32)}` } }, "HB_ERR_AUTH_INVALID");
  });
  it("missing signature header → HB_ERR_SIGNATURE_MISSING (400, as ansible-rulebook)", () => {
    rejects(githubHmac, { body, headers: { "Content-Type": "application/json" } }, "HB_ERR_SIGNATURE_MISSING");
    assert.equal(new HookbookError("HB_ERR_SIGNATURE_MISSING", "x").status, 400);
  });
  it("base64 encoding with sha512 and a custom header", () => {
    const auth: SourceAuthConfig = { type: "hmac", secret: "k", header: "x-sig", algorithm: "sha512", encoding: "base64", prefix: "" };
    const sig = createHmac("sha512", "k").update(body).digest("base64");
    verifyAuth(auth, { body, headers: { "X-Sig": sig } });
    rejects(auth, { body, headers: { "X-Sig": createHmac("sha512", "k").update(body).digest("hex") } }, "HB_ERR_AUTH_INVALID");
  });
});

describe("verifyAuth: several checks", () => {
  it("a list requires every check (token + hmac, as ansible allows)", () => {
    const body = fixtureBytes("github/push.json");
    const headers = fixtureHeaders("github/push.headers.json");
    const both: IngestAuthConfig = [bearer, githubHmac];
    verifyAuth(both, { body, headers: { ...headers, Authorization: "Bearer am-fixture-bearer-token" } });
    rejects(both, { body, headers }, "HB_ERR_AUTH_MISSING");
    rejects(both, { body, headers: { Authorization: "Bearer am-fixture-bearer-token" } }, "HB_ERR_SIGNATURE_MISSING");
    rejects([], { body, headers }, "HB_ERR_AUTH_INVALID");
  });
});
