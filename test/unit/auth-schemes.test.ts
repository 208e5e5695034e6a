/**
 * The auth schemes beyond the fixtures' happy paths: GitHub's documented vector, form-encoded
 * hooks (GitHub signs the form body, Gitea the JSON in it), signed-content templates, the
 * Standard Webhooks conformance vectors (webhooks.md §2.4), API key, GitLab token, mTLS subject
 * rules, lists, startup checks, and the SNS / OIDC dispatch with injected fetches.
 */
import assert from "node:assert/strict";
import { createHmac, generateKeyPairSync, sign as edSign } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { HmacAuthConfig, SourceAuthConfig, StandardWebhooksAuthConfig } from "../../src/config/types.js";
import { OIDC_DEFAULT_ISSUERS, SNS_DEFAULT_CERT_HOST_PATTERN } from "../../src/config/types.js";
import type { ErrorCode } from "../../src/core/errors.js";
import { HookbookError } from "../../src/core/errors.js";
import { checkAuthConfig, verifyAuth } from "../../src/sources/auth.js";
import type { AuthContext, IngestAuthConfig, TlsPeer } from "../../src/sources/auth.js";
import { parseSubject } from "../../src/sources/auth-mtls.js";
import { fixtureBytes, fixtureHeaders, fixturePath } from "../helpers/fixtures.js";
import { rejectsCode } from "./sources-golden-helper.js";
import { AUTH, contextAt, giteaFormBody } from "./sources-git-helper.js";

const at = contextAt;
const ok = async (auth: IngestAuthConfig, body: Buffer, headers: Record<string, string>, ctx: AuthContext = at(0), tls?: TlsPeer) =>
  verifyAuth(auth, { body, headers, ...(tls === undefined ? {} : { tls }) }, ctx);
const refused = async (
  auth: IngestAuthConfig,
  body: Buffer,
  headers: Record<string, string>,
  code: ErrorCode,
  ctx: AuthContext = at(0),
  tls?: TlsPeer,
) => rejectsCode(ok(auth, body, headers, ctx, tls), code);

const hmac = (over: Partial<HmacAuthConfig> = {}): HmacAuthConfig => ({ ...AUTH.github, ...over });

describe("hmac: GitHub", () => {
  it("GitHub's documented vector: It's a Secret to Everybody / Hello, World! → 757107ea…", async () => {
    const sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    await ok(hmac(), Buffer.from("Hello, World!"), { "X-Hub-Signature-256": sig });
    await refused(hmac(), Buffer.from("Hello, World?"), { "X-Hub-Signature-256": sig }, "HB_ERR_AUTH_INVALID");
  });

  it("form-encoded push: the signature covers the raw form body, not the JSON inside", async () => {
    const form = fixtureBytes("github/push.form.txt");
    const formHeaders = fixtureHeaders("github/push.form.headers.json");
    await ok(hmac(), form, formHeaders);
    await ok(hmac({ header: "x-hub-signature", algorithm: "sha1", prefix: "sha1=" }), form, formHeaders);
    // The JSON hook's signature does not verify the form body, and formPayload (Gitea's rule) is wrong for GitHub.
    const jsonSig = fixtureHeaders("github/push.headers.json")["X-Hub-Signature-256"] ?? "";
    await refused(hmac(), form, { ...formHeaders, "X-Hub-Signature-256": jsonSig }, "HB_ERR_AUTH_INVALID");
    await refused(hmac({ formPayload: true }), form, formHeaders, "HB_ERR_AUTH_INVALID");
  });
});

describe("hmac: Gitea", () => {
  const json = fixtureBytes("gitea/push.json");
  const headers = fixtureHeaders("gitea/push.headers.json");
  const formHeaders = { ...headers, "Content-Type": "application/x-www-form-urlencoded" };

  it("form hooks are signed over the JSON payload: formPayload verifies, the raw form body does not", async () => {
    await ok(AUTH.gitea, giteaFormBody(), formHeaders);
    await refused({ ...AUTH.gitea, formPayload: false }, giteaFormBody(), formHeaders, "HB_ERR_AUTH_INVALID");
  });
  it("formPayload leaves JSON requests alone; the GitHub-compatible X-Hub-Signature-256 also verifies", async () => {
    await ok(AUTH.gitea, json, headers);
    await ok(hmac({ secret: "gitea-fixture-secret" }), json, headers);
  });
  it("a form body without a payload field → HB_ERR_AUTH_INVALID", async () => {
    await refused(AUTH.gitea, Buffer.from("other=1"), formHeaders, "HB_ERR_AUTH_INVALID");
  });
});

describe("hmac: timestamps and signed-content templates", () => {
  const body = Buffer.from('{"event":"queue.depth","value":812}');
  const ts = 1778600000;
  const sign = (content: string | Buffer, secret = "tmpl-secret", enc: "hex" | "base64" = "hex") => createHmac("sha256", secret).update(content).digest(enc);

  it("Grafana's default: HMAC over <ts>:<body>", async () => {
    const auth = hmac({ secret: "tmpl-secret", header: "x-sig", prefix: "", timestampHeader: "x-ts" });
    await ok(auth, body, { "X-Sig": sign(`${ts}:${body.toString()}`), "X-Ts": String(ts) }, at(ts));
    await refused(auth, body, { "X-Sig": sign(body), "X-Ts": String(ts) }, "HB_ERR_AUTH_INVALID", at(ts));
  });

  it("a Slack-style template v0:{timestamp}:{body} with prefix v0=", async () => {
    const auth = hmac({ secret: "tmpl-secret", header: "x-slack-signature", prefix: "v0=", timestampHeader: "x-slack-request-timestamp", signedContent: "v0:{timestamp}:{body}" });
    const headers = { "X-Slack-Signature": `v0=${sign(`v0:${ts}:${body.toString()}`)}`, "X-Slack-Request-Timestamp": String(ts) };
    await ok(auth, body, headers, at(ts + 10));
    await refused(auth, body, headers, "HB_ERR_AUTH_STALE", at(ts + 3600));
  });

  it("toleranceSec widens or narrows the window", async () => {
    const auth = hmac({ secret: "tmpl-secret", header: "x-sig", prefix: "", timestampHeader: "x-ts", toleranceSec: 30 });
    const headers = { "X-Sig": sign(`${ts}:${body.toString()}`), "X-Ts": String(ts) };
    await ok(auth, body, headers, at(ts + 30));
    await refused(auth, body, headers, "HB_ERR_AUTH_STALE", at(ts + 31));
  });

  it("{header:<name>} puts a header into the signed content; base64 digests", async () => {
    const auth = hmac({ secret: "tmpl-secret", header: "x-sig", prefix: "", encoding: "base64", signedContent: "{header:x-delivery}.{body}" });
    await ok(auth, body, { "X-Sig": sign(`d-1.${body.toString()}`, "tmpl-secret", "base64"), "X-Delivery": "d-1" });
    await refused(auth, body, { "X-Sig": sign(`d-1.${body.toString()}`, "tmpl-secret", "base64"), "X-Delivery": "d-2" }, "HB_ERR_AUTH_INVALID");
    await refused(auth, body, { "X-Sig": sign(`d-1.${body.toString()}`, "tmpl-secret", "base64") }, "HB_ERR_SIGNATURE_MISSING");
  });

  it("timestamps must be plain Unix seconds", async () => {
    const auth = hmac({ secret: "tmpl-secret", header: "x-sig", prefix: "", timestampHeader: "x-ts" });
    for (const bad of ["123abc", "1778600000.0", "-1778600000", "1e9"]) {
      await refused(auth, body, { "X-Sig": sign(`${bad}:${body.toString()}`), "X-Ts": bad }, "HB_ERR_AUTH_INVALID", at(ts));
    }
  });
});

describe("standard-webhooks (webhooks.md §2.4 vectors)", () => {
  const sw = (secret: string): StandardWebhooksAuthConfig => ({ type: "standard-webhooks", secret, toleranceSec: 300 });
  const SW1 = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const body1 = Buffer.from('{"test": 2432232314}');
  const h = (id: string, ts: number, sig: string) => ({ "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": sig });
  const id1 = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  const ts1 = 1614265330;
  const sig1 = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  const vectors: [string, string, string, number, string, string][] = [
    ["SW-1", SW1, id1, ts1, '{"test": 2432232314}', sig1],
    ["SW-2", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1649367553, '{"email":"test@example.com","username":"test_user"}', "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="],
    ["SW-3", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", id1, ts1, '{"test": 2432232314}', "v1,LVOXivKoo4FWasi/IaHvzhE/u+7/cu2AME+zS/nXqzk="],
    ["SW-4", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr", id1, ts1, '{"test": 2432232314}', "v1,yK2tMbA6BHPrMEJ1lLv7UlJJbgFoqGenJkiajZ29evg="],
    ["SW-5", SW1, id1, ts1, "", "v1,v48jdbgvh29KJz2Qc+ghw8G6vG3nAKnujWBg8oM/62A="],
    [
      "SW-6", SW1, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", 1674087231,
      '{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52-5198-4599-803e-771906343485"}}',
      "v1,ARw42xaAApl/nxRo+iPGYwSaMQaOwMo2eyH5JBRA+bQ=",
    ],
  ];
  for (const [name, secret, id, ts, body, sig] of vectors) {
    it(`${name} verifies`, async () => {
      await ok(sw(secret), Buffer.from(body), h(id, ts, sig), at(ts));
    });
  }

  it("the same secret with and without whsec_ verifies; svix-* headers are accepted", async () => {
    await ok(sw(SW1.slice("whsec_".length)), body1, h(id1, ts1, sig1), at(ts1));
    await ok(sw(SW1), body1, { "svix-id": id1, "svix-timestamp": String(ts1), "svix-signature": sig1 }, at(ts1));
  });

  it("bad, truncated, bare and flipped signatures → HB_ERR_AUTH_INVALID", async () => {
    for (const sig of ["v1,dawfeoifkpqwoekfpqoekf", sig1.slice(0, 8), "v1,", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", sig1.replace("v1,", "v2,")]) {
      await refused(sw(SW1), body1, h(id1, ts1, sig), "HB_ERR_AUTH_INVALID", at(ts1));
    }
  });

  it("a rotation header with unknown versions and wrong v1 entries around a valid one → accepted", async () => {
    const junk = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
    await ok(sw(SW1), body1, h(id1, ts1, `${junk} v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${sig1} ${junk}`), at(ts1));
  });

  it("now ± 301 s → HB_ERR_AUTH_STALE; a junk timestamp → HB_ERR_AUTH_INVALID", async () => {
    await refused(sw(SW1), body1, h(id1, ts1, sig1), "HB_ERR_AUTH_STALE", at(ts1 + 301));
    await refused(sw(SW1), body1, h(id1, ts1, sig1), "HB_ERR_AUTH_STALE", at(ts1 - 301));
    await refused(sw(SW1), body1, { ...h(id1, ts1, sig1), "webhook-timestamp": "hello" }, "HB_ERR_AUTH_INVALID", at(ts1));
  });

  it("missing id, timestamp or signature → HB_ERR_SIGNATURE_MISSING", async () => {
    for (const drop of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const headers: Record<string, string> = h(id1, ts1, sig1);
      delete headers[drop];
      await refused(sw(SW1), body1, headers, "HB_ERR_SIGNATURE_MISSING", at(ts1));
    }
  });

  it("an empty secret is a config error at startup and fails closed at request time", async () => {
    for (const secret of ["", "whsec_"]) {
      assert.throws(() => checkAuthConfig(sw(secret)), (e: unknown) => e instanceof HookbookError && e.code === "HB_ERR_CONFIG_INVALID");
      await refused(sw(secret), body1, h(id1, ts1, sig1), "HB_ERR_AUTH_INVALID", at(ts1));
    }
  });
});

describe("standard-webhooks v1a (Ed25519) with a whpk_ public key", () => {
  const sw = (secret: string): StandardWebhooksAuthConfig => ({ type: "standard-webhooks", secret, toleranceSec: 300 });
  const pair = (): { pub: string; sign: (content: string) => string } => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    return { pub: `whpk_${raw.toString("base64")}`, sign: (content) => `v1a,${edSign(null, Buffer.from(content), privateKey).toString("base64")}` };
  };
  const id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  const ts = 1674087231;
  const body = Buffer.from('{"type":"contact.created"}');
  const h = (sig: string) => ({ "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": sig });

  it("a v1a entry made with the matching private key verifies, also among other entries (rotation)", async () => {
    const k = pair();
    const other = pair();
    await ok(sw(k.pub), body, h(k.sign(`${id}.${ts}.${body.toString()}`)), at(ts));
    await ok(sw(k.pub), body, h(`${other.sign(`${id}.${ts}.${body.toString()}`)} v1,AAAA ${k.sign(`${id}.${ts}.${body.toString()}`)}`), at(ts));
  });

  it("another key, a changed body or id, a v1 (HMAC) entry only, a stale timestamp → refused", async () => {
    const k = pair();
    const other = pair();
    const good = k.sign(`${id}.${ts}.${body.toString()}`);
    await refused(sw(other.pub), body, h(good), "HB_ERR_AUTH_INVALID", at(ts));
    await refused(sw(k.pub), Buffer.from('{"type":"contact.deleted"}'), h(good), "HB_ERR_AUTH_INVALID", at(ts));
    await refused(sw(k.pub), body, { ...h(good), "webhook-id": "msg_other" }, "HB_ERR_AUTH_INVALID", at(ts));
    await refused(sw(k.pub), body, h(good.replace("v1a,", "v1,")), "HB_ERR_AUTH_INVALID", at(ts));
    await refused(sw(k.pub), body, h(good), "HB_ERR_AUTH_STALE", at(ts + 301));
  });

  it("a whpk_ key that is not 32 bytes of base64 is a config error and fails closed", async () => {
    for (const secret of ["whpk_", "whpk_AAAA", "whpk_not base64"]) {
      assert.throws(() => checkAuthConfig(sw(secret)), (e: unknown) => e instanceof HookbookError && e.code === "HB_ERR_CONFIG_INVALID");
      await refused(sw(secret), body, h("v1a,AAAA"), "HB_ERR_AUTH_INVALID", at(ts));
    }
  });
});

describe("gitlab-token and api-key", () => {
  const body = fixtureBytes("gitlab/push.json");
  it("X-Gitlab-Token in any header case; wrong → HB_ERR_AUTH_INVALID; an empty configured token fails closed", async () => {
    await ok(AUTH.gitlabToken, body, { "x-gitlab-token": "gitlab-fixture-secret-token" });
    await refused(AUTH.gitlabToken, body, { "X-Gitlab-Token": "gitlab-fixture-secret-tokem" }, "HB_ERR_AUTH_INVALID");
    await refused({ type: "gitlab-token", token: "" }, body, { "X-Gitlab-Token": "x" }, "HB_ERR_AUTH_INVALID");
    await refused(AUTH.gitlabToken, body, { "X-Gitlab-Token": "" }, "HB_ERR_AUTH_MISSING");
  });
  it("the EventBridge API-destination fixture's X-Api-Key", async () => {
    const auth: SourceAuthConfig = { type: "api-key", header: "x-api-key", key: "eb-fixture-api-key-5d1c0e" };
    const headers = fixtureHeaders("aws/spot-interruption-eventbridge.headers.json");
    await ok(auth, fixtureBytes("aws/spot-interruption-eventbridge.json"), headers);
    await refused({ ...auth, key: "other" }, Buffer.from("{}"), headers, "HB_ERR_AUTH_INVALID");
    await refused(auth, Buffer.from("{}"), {}, "HB_ERR_AUTH_MISSING");
  });
  it("a list: GitLab token and signing token together must both pass", async () => {
    const both: IngestAuthConfig = [AUTH.gitlabToken, AUTH.gitlabSigning];
    const headers = fixtureHeaders("gitlab/push.signing-token.headers.json");
    const now = at(Number(headers["webhook-timestamp"]));
    await ok(both, body, { ...headers, "X-Gitlab-Token": "gitlab-fixture-secret-token" }, now);
    await refused(both, body, headers, "HB_ERR_AUTH_MISSING", now);
    await refused(both, Buffer.concat([body, Buffer.from(" ")]), { ...headers, "X-Gitlab-Token": "gitlab-fixture-secret-token" }, "HB_ERR_AUTH_INVALID", now);
  });
});

describe("mtls", () => {
  const auth: SourceAuthConfig = { type: "mtls", subjects: ["CN=alertmanager,O=acme-gpu", "CN=event\\, exporter"] };
  const body = Buffer.from("{}");
  it("needs TLS and a verified client certificate", async () => {
    await refused(auth, body, {}, "HB_ERR_AUTH_MISSING");
    await refused(auth, body, {}, "HB_ERR_AUTH_MISSING", at(0), { authorized: false });
    await refused(auth, body, {}, "HB_ERR_AUTH_INVALID", at(0), { authorized: false, subject: "O=acme-gpu\nCN=alertmanager" });
  });
  it("every attribute of one configured subject must be on the certificate (any order)", async () => {
    await ok(auth, body, {}, at(0), { authorized: true, subject: "C=US\nO=acme-gpu\nCN=alertmanager" });
    await ok(auth, body, {}, at(0), { authorized: true, subject: "CN=event, exporter" });
    await refused(auth, body, {}, "HB_ERR_CLIENT_CERT_REJECTED", at(0), { authorized: true, subject: "O=acme-gpu\nCN=grafana" });
    await refused(auth, body, {}, "HB_ERR_CLIENT_CERT_REJECTED", at(0), { authorized: true, subject: "CN=alertmanager" });
    await ok({ type: "mtls", subjects: [] }, body, {}, at(0), { authorized: true, subject: "CN=anyone" });
  });
  it("subject parsing", () => {
    assert.deepEqual(parseSubject(" cn = a , O=b\\,c "), [["CN", "a"], ["O", "b,c"]]);
    assert.throws(() => parseSubject("nonsense"), (e: unknown) => e instanceof HookbookError && e.code === "HB_ERR_CONFIG_INVALID");
  });
});

describe("checkAuthConfig", () => {
  const bad = (auth: IngestAuthConfig) =>
    assert.throws(() => checkAuthConfig(auth), (e: unknown) => e instanceof HookbookError && e.code === "HB_ERR_CONFIG_INVALID");
  it("refuses unusable configs at startup", () => {
    bad([]);
    bad(hmac({ signedContent: "{timestamp}" }));
    bad(hmac({ signedContent: "{body}{body}" }));
    bad(hmac({ signedContent: "{timestamp}:{body}" }));
    bad(hmac({ secret: "" }));
    bad({ type: "mtls", subjects: [" "] });
    bad({ type: "sns", topicArnAllowlist: [], certHostPattern: "(", autoConfirm: false, toleranceSec: 3600 });
    bad({ type: "weird" } as unknown as SourceAuthConfig);
    checkAuthConfig([AUTH.github, AUTH.grafana, AUTH.gitlabSigning, { type: "mtls", subjects: ["CN=x"] }]);
  });
});

describe("sns and oidc dispatch (verifiers of ./auth-sns.ts and ./auth-oidc.ts)", () => {
  const certPem = readFileSync(fixturePath("aws/test-keys/sns-test-signing-cert.pem"), "utf8");
  const jwks = readFileSync(fixturePath("gcp/test-keys/jwks.json"), "utf8");
  const fetched: string[] = [];
  const ctx = (iso: string): AuthContext => ({
    nowMs: () => Date.parse(iso),
    fetchText: async (url) => {
      fetched.push(url);
      if (url.endsWith(".pem")) return certPem;
      if (url.includes("oauth2")) return jwks;
      if (url.includes("Action=ConfirmSubscription")) return "<ConfirmSubscriptionResponse/>";
      throw new Error(`unexpected fetch ${url}`);
    },
  });
  const TOPIC = "arn:aws:sns:us-east-1:123456789012:gpu-fleet-interruptions";
  const sns = (over: Partial<Extract<SourceAuthConfig, { type: "sns" }>> = {}): SourceAuthConfig => ({
    type: "sns", topicArnAllowlist: [TOPIC], certHostPattern: SNS_DEFAULT_CERT_HOST_PATTERN, autoConfirm: false, toleranceSec: 3600, ...over,
  });

  it("SNS notification (v2) verifies against the fetched certificate; a foreign topic is refused", async () => {
    const body = fixtureBytes("aws/sns-notification-spot.json");
    const headers = fixtureHeaders("aws/sns-notification-spot.headers.json");
    await ok(sns(), body, headers, ctx("2026-05-12T15:21:00Z"));
    await refused(sns({ topicArnAllowlist: ["arn:aws:sns:us-east-1:123456789012:other"] }), body, headers, "HB_ERR_AUTH_INVALID", ctx("2026-05-12T15:21:00Z"));
    await refused(sns(), body, headers, "HB_ERR_AUTH_INVALID", ctx("2026-05-13T15:21:00Z"));
  });

  it("autoConfirm GETs SubscribeURL for an allowlisted topic only", async () => {
    const body = fixtureBytes("aws/sns-subscription-confirmation.json");
    const headers = fixtureHeaders("aws/sns-subscription-confirmation.headers.json");
    fetched.length = 0;
    await ok(sns({ autoConfirm: true }), body, headers, ctx("2026-05-12T11:41:00Z"));
    assert.ok(fetched.some((u) => u.includes("Action=ConfirmSubscription")), "confirmed");
    fetched.length = 0;
    await ok(sns({ autoConfirm: false }), body, headers, ctx("2026-05-12T11:41:00Z"));
    await ok(sns({ autoConfirm: true, topicArnAllowlist: [] }), body, headers, ctx("2026-05-12T11:41:00Z"));
    assert.ok(!fetched.some((u) => u.includes("Action=ConfirmSubscription")), "not confirmed without autoConfirm or allowlist");
  });

  it("Pub/Sub push OIDC token: audience, issuer, service account, expiry", async () => {
    const body = fixtureBytes("gcp/pubsub-push-preempted.json");
    const headers = fixtureHeaders("gcp/pubsub-push-preempted.headers.json");
    const oidc = (over: Partial<Extract<SourceAuthConfig, { type: "oidc" }>> = {}): SourceAuthConfig => ({
      type: "oidc",
      audience: "https://events.gpu.acme.example/ingest/gcp/pubsub",
      issuers: OIDC_DEFAULT_ISSUERS,
      serviceAccountEmail: "pubsub-push@acme-gpu-prod.iam.gserviceaccount.com",
      jwksUrl: "https://www.googleapis.com/oauth2/v3/certs",
      clockSkewSec: 300,
      ...over,
    });
    const now = ctx("2026-05-12T16:03:20Z");
    await ok(oidc(), body, headers, now);
    await refused(oidc({ audience: "https://elsewhere.example/" }), body, headers, "HB_ERR_AUTH_INVALID", now);
    await refused(oidc({ serviceAccountEmail: "someone@else.iam.gserviceaccount.com" }), body, headers, "HB_ERR_AUTH_INVALID", now);
    await refused(oidc(), body, {}, "HB_ERR_AUTH_MISSING", now);
    await assert.rejects(ok(oidc(), body, headers, ctx("2026-05-13T16:03:20Z")), (e: unknown) => e instanceof HookbookError && e.status === 401, "expired → 401");
  });
});
