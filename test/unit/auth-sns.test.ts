/**
 * SNS signature verification against the fixtures (signed with aws/test-keys/, see aws/README.md):
 * the certificate fetcher is a fake serving the test certificate for the fixtures' SigningCertURL.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { SNS_CERT_HOST_PATTERN, checkSigningCertUrl, snsStringToSign, verifySnsRequest } from "../../src/sources/auth-sns.js";
import type { SnsVerifyContext } from "../../src/sources/auth-sns.js";
import { fixtureBytes, fixturePath } from "../helpers/fixtures.js";
import { rejectsCode, throwsCode } from "./sources-golden-helper.js";

const CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";
const CERT_PEM = readFileSync(fixturePath("aws/test-keys/sns-test-signing-cert.pem"), "utf8");
const TOPIC = "arn:aws:sns:us-east-1:123456789012:gpu-fleet-interruptions";

const FIXTURES = {
  "sns-subscription-confirmation": Date.parse("2026-05-12T11:41:00Z"),
  "sns-notification-spot": Date.parse("2026-05-12T15:21:00Z"),
  "sns-unsubscribe-confirmation": Date.parse("2026-05-30T08:03:30Z"),
} as const;

interface FakeFetch extends SnsVerifyContext {
  readonly calls: string[];
}

function fakeCtx(nowMs: number, serve: (url: string) => Promise<string> = async (url) => {
  if (url === CERT_URL) return CERT_PEM;
  throw new Error(`404 ${url}`);
}): FakeFetch {
  const calls: string[] = [];
  return {
    calls,
    nowMs: () => nowMs,
    fetchText: async (url: string) => {
      calls.push(url);
      return serve(url);
    },
  };
}

const body = (name: keyof typeof FIXTURES) => fixtureBytes(`aws/${name}.json`);
const edited = (name: keyof typeof FIXTURES, edit: (msg: Record<string, unknown>) => void): Buffer => {
  const msg = JSON.parse(body(name).toString("utf8")) as Record<string, unknown>;
  edit(msg);
  return Buffer.from(JSON.stringify(msg));
};

describe("verifySnsRequest: valid fixtures", () => {
  for (const [name, now] of Object.entries(FIXTURES) as [keyof typeof FIXTURES, number][]) {
    it(`${name} verifies (SignatureVersion ${name === "sns-subscription-confirmation" ? "1, RSA-SHA1" : "2, RSA-SHA256"})`, async () => {
      const ctx = fakeCtx(now);
      await verifySnsRequest(body(name), { topicArnAllowlist: [TOPIC] }, ctx);
      assert.deepEqual(ctx.calls, [CERT_URL]);
    });
  }

  it("a re-serialized body (whitespace changed) still verifies: the signature covers the fields, not the bytes", async () => {
    const compact = Buffer.from(JSON.stringify(JSON.parse(body("sns-notification-spot").toString("utf8"))));
    await verifySnsRequest(compact, {}, fakeCtx(FIXTURES["sns-notification-spot"]));
  });

  it("caches the certificate by URL: two verifications, one fetch", async () => {
    const ctx = fakeCtx(FIXTURES["sns-notification-spot"]);
    await verifySnsRequest(body("sns-notification-spot"), {}, ctx);
    await verifySnsRequest(body("sns-notification-spot"), {}, ctx);
    assert.equal(ctx.calls.length, 1);
  });

  it("an injected certPem replaces the fetch", async () => {
    const ctx = fakeCtx(FIXTURES["sns-notification-spot"]);
    await verifySnsRequest(body("sns-notification-spot"), { certPem: CERT_PEM }, ctx);
    assert.equal(ctx.calls.length, 0);
  });

  it("the string to sign follows AWS's key order (Subject only when present)", () => {
    const msg = JSON.parse(body("sns-subscription-confirmation").toString("utf8")) as Record<string, string>;
    const s = snsStringToSign(msg);
    const order = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
    assert.equal(s, order.map((k) => `${k}\n${msg[k] ?? ""}\n`).join(""));
    assert.ok(s.includes(".\nTo confirm the subscription"), "escape sequences resolved");
    const n = snsStringToSign({ Type: "Notification", Message: "m", MessageId: "1", Subject: "s", Timestamp: "t", TopicArn: "a", Token: "x" });
    assert.equal(n, "Message\nm\nMessageId\n1\nSubject\ns\nTimestamp\nt\nTopicArn\na\nType\nNotification\n");
  });
});

describe("verifySnsRequest: refused", () => {
  const now = FIXTURES["sns-notification-spot"];

  it("a flipped byte in the signed Message → HB_ERR_AUTH_INVALID", async () => {
    const bytes = Buffer.from(body("sns-notification-spot"));
    const at = bytes.indexOf("i-0abc1234def567890");
    assert.ok(at > 0);
    bytes[at + 2] = "1".charCodeAt(0);
    await rejectsCode(verifySnsRequest(bytes, {}, fakeCtx(now)), "HB_ERR_AUTH_INVALID");
  });

  it("a changed field, a wrong SignatureVersion or a signature from another key → HB_ERR_AUTH_INVALID", async () => {
    const cases = [
      edited("sns-notification-spot", (m) => (m.TopicArn = "arn:aws:sns:us-east-1:123456789012:other")),
      edited("sns-notification-spot", (m) => (m.Subject = "added")),
      edited("sns-notification-spot", (m) => (m.SignatureVersion = "1")),
      edited("sns-notification-spot", (m) => (m.SignatureVersion = "3")),
      edited("sns-notification-spot", (m) => (m.Signature = (body("sns-unsubscribe-confirmation").toString().match(/"Signature": "([^"]+)"/) ?? [])[1])),
      edited("sns-notification-spot", (m) => (m.Type = "Unknown")),
      edited("sns-notification-spot", (m) => (m.Signature = "not base64 !")),
    ];
    for (const b of cases) await rejectsCode(verifySnsRequest(b, {}, fakeCtx(now)), "HB_ERR_AUTH_INVALID");
  });

  it("a foreign certificate URL host is refused before anything is fetched", async () => {
    const hosts = [
      "https://evil.example.com/SimpleNotificationService-0123.pem",
      "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
      "https://sns.us-east-1.amazonaws.com@evil.example/cert.pem",
      "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123.pem",
      "https://sns.us-east-1.amazonaws.com:444/SimpleNotificationService-0123.pem",
      "https://sns.us-east-1.amazonaws.com/cert.txt",
      "file:///etc/passwd.pem",
    ];
    for (const url of hosts) {
      const ctx = fakeCtx(now);
      await rejectsCode(verifySnsRequest(edited("sns-notification-spot", (m) => (m.SigningCertURL = url)), {}, ctx), "HB_ERR_AUTH_INVALID");
      assert.deepEqual(ctx.calls, [], `no fetch for ${url}`);
    }
  });

  it("a custom certHostPattern replaces the default (strings are anchored)", async () => {
    const ctx = fakeCtx(now);
    await rejectsCode(verifySnsRequest(body("sns-notification-spot"), { certHostPattern: "sns\\.eu-west-1\\.amazonaws\\.com" }, ctx), "HB_ERR_AUTH_INVALID");
    assert.equal(ctx.calls.length, 0);
    await verifySnsRequest(body("sns-notification-spot"), { certHostPattern: /^sns\.us-east-1\.amazonaws\.com$/ }, ctx);
    assert.ok(SNS_CERT_HOST_PATTERN.test("sns.cn-north-1.amazonaws.com.cn"));
    throwsCode(() => checkSigningCertUrl("https://sns.us-east-1.amazonaws.com/x.pem", "amazonaws\\.com"), "HB_ERR_AUTH_INVALID");
  });

  it("a topic outside the allowlist is refused without a fetch", async () => {
    const ctx = fakeCtx(now);
    await rejectsCode(verifySnsRequest(body("sns-notification-spot"), { topicArnAllowlist: ["arn:aws:sns:us-east-1:123456789012:other"] }, ctx), "HB_ERR_AUTH_INVALID");
    assert.equal(ctx.calls.length, 0);
  });

  it("a Timestamp older than the tolerance (default 1 h) or far in the future is refused", async () => {
    const sent = Date.parse("2026-05-12T15:20:04.871Z");
    await rejectsCode(verifySnsRequest(body("sns-notification-spot"), {}, fakeCtx(sent + 3600_000 + 1000)), "HB_ERR_AUTH_INVALID");
    await verifySnsRequest(body("sns-notification-spot"), {}, fakeCtx(sent + 3500_000));
    await rejectsCode(verifySnsRequest(body("sns-notification-spot"), { toleranceSec: 60 }, fakeCtx(sent + 120_000)), "HB_ERR_AUTH_INVALID");
    await rejectsCode(verifySnsRequest(body("sns-notification-spot"), {}, fakeCtx(sent - 600_000)), "HB_ERR_AUTH_INVALID");
  });

  it("unsigned bodies (raw delivery, not JSON, no Signature) → HB_ERR_AUTH_MISSING", async () => {
    await rejectsCode(verifySnsRequest(Buffer.from("plain"), {}, fakeCtx(now)), "HB_ERR_AUTH_MISSING");
    await rejectsCode(verifySnsRequest(fixtureBytes("aws/spot-interruption-eventbridge.json"), {}, fakeCtx(now)), "HB_ERR_AUTH_MISSING");
    await rejectsCode(verifySnsRequest(edited("sns-notification-spot", (m) => delete m.Signature), {}, fakeCtx(now)), "HB_ERR_AUTH_MISSING");
    await rejectsCode(verifySnsRequest(edited("sns-notification-spot", (m) => delete m.SigningCertURL), {}, fakeCtx(now)), "HB_ERR_AUTH_MISSING");
  });

  it("a certificate fetch failure is transient (HB_ERR_INTERNAL) and not cached", async () => {
    let fail = true;
    const ctx = fakeCtx(now, async () => {
      if (fail) throw new Error("connect ECONNREFUSED");
      return CERT_PEM;
    });
    await rejectsCode(verifySnsRequest(body("sns-notification-spot"), {}, ctx), "HB_ERR_INTERNAL");
    fail = false;
    await verifySnsRequest(body("sns-notification-spot"), {}, ctx);
    assert.equal(ctx.calls.length, 2);
  });

  it("a fetched document that is not a certificate is refused and not cached", async () => {
    const ctx = fakeCtx(now, async () => "<html>not a cert</html>");
    await rejectsCode(verifySnsRequest(body("sns-notification-spot"), {}, ctx), "HB_ERR_AUTH_INVALID");
    await rejectsCode(verifySnsRequest(body("sns-notification-spot"), {}, ctx), "HB_ERR_AUTH_INVALID");
    assert.equal(ctx.calls.length, 2);
  });
});
