import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import type { SourceAuthConfig } from "../../src/config/types.js";
import type { ErrorCode } from "../../src/core/errors.js";
import { HookbookError } from "../../src/core/errors.js";
import { verifyAuth } from "../../src/sources/auth.js";
import type { AuthContext, IngestAuthConfig } from "../../src/sources/auth.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";
import { AUTH } from "./sources-git-helper.js";


const ctx: AuthContext = {
  nowMs: () => Date.parse("2026-05-12T14:05:00Z"),
  fetchText: async () => {
    throw new Error("no network in unit tests");
  },
};

async function rejects(auth: IngestAuthConfig, req: { body: Buffer; headers: Record<string, string> }, code: ErrorCode): Promise<void> {
  await assert.rejects(
    () => verifyAuth(auth, req, ctx),
    (err: unknown) => err instanceof HookbookError && err.code === code,
    `expected ${code}`,
  );
}

const bearer: SourceAuthConfig = { type: "bearer", token: "am-fixture-bearer-token" };
const githubHmac: SourceAuthConfig = AUTH.github;

describe("verifyAuth: none", () => {
  it("lets any request through", async () => {
    await verifyAuth({ type: "none" }, { body: Buffer.from("{}"), headers: {} }, ctx);
  });
});

describe("verifyAuth: bearer", () => {
  const body = fixtureBytes("alertmanager/firing-queue-depth.json");
  const headers = fixtureHeaders("alertmanager/firing-queue-depth.headers.json");

  it("accepts the fixture's Authorization: Bearer header", async () => {
    await verifyAuth(bearer, { body, headers }, ctx);
  });
  it("accepts the scheme in any case and the header name in any case", async () => {
    await verifyAuth(bearer, { body, headers: { authorization: "bearer am-fixture-bearer-token" } }, ctx);
  });
  it("wrong token → HB_ERR_AUTH_INVALID", async () => {
    await rejects(bearer, { body, headers: { Authorization: "Bearer am-fixture-bearer-tokem" } }, "HB_ERR_AUTH_INVALID");
    await rejects(bearer, { body, headers: { Authorization: "Bearer am-fixture-bearer-token-longer" } }, "HB_ERR_AUTH_INVALID");
    await rejects(bearer, { body, headers: { Authorization: "Bearer" } }, "HB_ERR_AUTH_INVALID");
  });
  it("missing → HB_ERR_AUTH_MISSING", async () => {
    await rejects(bearer, { body, headers: {} }, "HB_ERR_AUTH_MISSING");
    await rejects(bearer, { body, headers: { Authorization: "  " } }, "HB_ERR_AUTH_MISSING");
  });
  it("another scheme → HB_ERR_AUTH_INVALID", async () => {
    await rejects(bearer, { body, headers: { Authorization: "Token am-fixture-bearer-token" } }, "HB_ERR_AUTH_INVALID");
  });
  it("an empty configured token fails closed", async () => {
    await rejects({ type: "bearer", token: "" }, { body, headers: { Authorization: "Bearer " } }, "HB_ERR_AUTH_INVALID");
  });
  it("never echoes the presented token in the error", async () => {
    try {
      await verifyAuth(bearer, { body, headers: { Authorization: "Bearer s3cr3t-guess" } }, ctx);
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

  it("accepts the firing-gpu-xid fixture's basic auth header", async () => {
    await verifyAuth(basic, { body, headers }, ctx);
  });
  it("wrong password or user → HB_ERR_AUTH_INVALID", async () => {
    const wrong = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}` });
    await rejects(basic, { body, headers: wrong("alertmanager", "nope") }, "HB_ERR_AUTH_INVALID");
    await rejects(basic, { body, headers: wrong("someone", "am-fixture-basic-password") }, "HB_ERR_AUTH_INVALID");
    await rejects(basic, { body, headers: { Authorization: `Basic ${Buffer.from("alertmanager").toString("base64")}` } }, "HB_ERR_AUTH_INVALID");
  });
  it("bearer instead of basic → HB_ERR_AUTH_INVALID; none → HB_ERR_AUTH_MISSING", async () => {
    await rejects(basic, { body, headers: { Authorization: "Bearer x" } }, "HB_ERR_AUTH_INVALID");
    await rejects(basic, { body, headers: {} }, "HB_ERR_AUTH_MISSING");
  });
});

describe("verifyAuth: hmac", () => {
  const body = fixtureBytes("github/push.json");
  const headers = fixtureHeaders("github/push.headers.json");

  it("accepts GitHub's X-Hub-Signature-256 over the raw fixture bytes", async () => {
    await verifyAuth(githubHmac, { body, headers }, ctx);
  });
  it("accepts sha1 X-Hub-Signature with its prefix", async () => {
    await verifyAuth({ ...githubHmac, header: "x-hub-signature", algorithm: "sha1", prefix: "sha1=" }, { body, headers }, ctx);
  });
  it("the prefix is optional on input", async () => {
    const bare = (headers["X-Hub-Signature-256"] ?? "").replace(/^sha256=/, "");
    await verifyAuth(githubHmac, { body, headers: { "x-hub-signature-256": bare } }, ctx);
  });
  it("one flipped body byte → HB_ERR_AUTH_INVALID", async () => {
    const flipped = Buffer.from(body);
    flipped[10] = (flipped[10] ?? 0) ^ 0x01;
    await rejects(githubHmac, { body: flipped, headers }, "HB_ERR_AUTH_INVALID");
  });
  it("re-serialised JSON (same data, other bytes) → HB_ERR_AUTH_INVALID", async () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString("utf8"))));
    await rejects(githubHmac, { body: reserialised, headers }, "HB_ERR_AUTH_INVALID");
  });
  it("wrong secret, truncated, or non-hex signature → HB_ERR_AUTH_INVALID", async () => {
    await rejects({ ...githubHmac, secret: "other" }, { body, headers }, "HB_ERR_AUTH_INVALID");
    const sig = headers["X-Hub-Signature-256"] ?? "";
    await rejects(githubHmac, { body, headers: { "X-Hub-Signature-256": sig.slice(0, -2) } }, "HB_ERR_AUTH_INVALID");
    await rejects(githubHmac, { body, headers: { "X-Hub-Signature-256": `sha256=${"zz".repeat(32)}` } }, "HB_ERR_AUTH_INVALID");
  });
  it("missing signature header → HB_ERR_SIGNATURE_MISSING (400, as ansible-rulebook)", async () => {
    await rejects(githubHmac, { body, headers: { "Content-Type": "application/json" } }, "HB_ERR_SIGNATURE_MISSING");
    assert.equal(new HookbookError("HB_ERR_SIGNATURE_MISSING", "x").status, 400);
  });
  it("base64 encoding with sha512 and a custom header", async () => {
    const auth: SourceAuthConfig = { type: "hmac", secret: "k", header: "x-sig", algorithm: "sha512", encoding: "base64", prefix: "" };
    const sig = createHmac("sha512", "k").update(body).digest("base64");
    await verifyAuth(auth, { body, headers: { "X-Sig": sig } }, ctx);
    await rejects(auth, { body, headers: { "X-Sig": createHmac("sha512", "k").update(body).digest("hex") } }, "HB_ERR_AUTH_INVALID");
  });
});

describe("verifyAuth: several checks", () => {
  it("a list requires every check (token + hmac, as ansible allows)", async () => {
    const body = fixtureBytes("github/push.json");
    const headers = fixtureHeaders("github/push.headers.json");
    const both: IngestAuthConfig = [bearer, githubHmac];
    await verifyAuth(both, { body, headers: { ...headers, Authorization: "Bearer am-fixture-bearer-token" } }, ctx);
    await rejects(both, { body, headers }, "HB_ERR_AUTH_MISSING");
    await rejects(both, { body, headers: { Authorization: "Bearer am-fixture-bearer-token" } }, "HB_ERR_SIGNATURE_MISSING");
    await rejects([], { body, headers }, "HB_ERR_AUTH_INVALID");
  });
});
