/** Config round trip of every source auth variant, the source kinds and server.tls. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.js";
import { OIDC_DEFAULT_ISSUERS, OIDC_DEFAULT_JWKS_URL, SNS_DEFAULT_CERT_HOST_PATTERN, SOURCE_KINDS } from "../../src/config/types.js";
import type { SourceAuth } from "../../src/config/types.js";
import { HookbookError } from "../../src/core/errors.js";
import { checkAuthConfig } from "../../src/sources/auth.js";

function load(yaml: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "hb-config-auth-"));
  writeFileSync(join(dir, "secret.txt"), "file-secret\n");
  writeFileSync(join(dir, "c.yaml"), yaml);
  return { config: loadConfig({ file: "c.yaml", cwd: dir, env }), dir };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof HookbookError ? e.code : "not-hookbook";
  }
  return undefined;
}

const VARIANTS: [string, string, SourceAuth][] = [
  ["none", "{type: none}", { type: "none" }],
  ["bearer", "{type: bearer, token: {env: TOKEN}}", { type: "bearer", token: "env-secret" }],
  ["basic", "{type: basic, username: am, password: {file: secret.txt}}", { type: "basic", username: "am", password: "file-secret" }],
  [
    "hmac (GitHub defaults)",
    "{type: hmac, secret: s}",
    { type: "hmac", secret: "s", header: "x-hub-signature-256", algorithm: "sha256", encoding: "hex", prefix: "sha256=" },
  ],
  [
    "hmac (Grafana timestamped)",
    "{type: hmac, secret: {env: TOKEN}, header: X-Grafana-Alerting-Signature, prefix: '', timestampHeader: X-Grafana-Alerting-Timestamp, toleranceSec: 120}",
    { type: "hmac", secret: "env-secret", header: "x-grafana-alerting-signature", algorithm: "sha256", encoding: "hex", prefix: "", timestampHeader: "x-grafana-alerting-timestamp", toleranceSec: 120 },
  ],
  [
    "hmac (template, base64, sha512)",
    "{type: hmac, secret: s, header: x-sig, algorithm: sha512, encoding: base64, prefix: '', timestampHeader: x-ts, signedContent: 'v0:{timestamp}:{body}'}",
    { type: "hmac", secret: "s", header: "x-sig", algorithm: "sha512", encoding: "base64", prefix: "", timestampHeader: "x-ts", signedContent: "v0:{timestamp}:{body}" },
  ],
  [
    "hmac (Gitea form)",
    "{type: hmac, secret: s, header: X-Gitea-Signature, prefix: '', formPayload: true}",
    { type: "hmac", secret: "s", header: "x-gitea-signature", algorithm: "sha256", encoding: "hex", prefix: "", formPayload: true },
  ],
  ["standard-webhooks", "{type: standard-webhooks, secret: {env: WHSEC}}", { type: "standard-webhooks", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", toleranceSec: 300 }],
  ["standard-webhooks tolerance", "{type: standard-webhooks, secret: {env: WHSEC}, toleranceSec: 60}", { type: "standard-webhooks", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", toleranceSec: 60 }],
  ["gitlab-token", "{type: gitlab-token, token: {file: secret.txt}}", { type: "gitlab-token", token: "file-secret" }],
  ["api-key", "{type: api-key, key: {env: TOKEN}}", { type: "api-key", header: "x-api-key", key: "env-secret" }],
  ["api-key header", "{type: api-key, header: X-EB-Key, key: k}", { type: "api-key", header: "x-eb-key", key: "k" }],
  ["mtls", "{type: mtls, subjects: ['CN=alertmanager,O=acme-gpu']}", { type: "mtls", subjects: ["CN=alertmanager,O=acme-gpu"] }],
  ["mtls any", "{type: mtls}", { type: "mtls", subjects: [] }],
  [
    "sns defaults",
    "{type: sns}",
    { type: "sns", topicArnAllowlist: [], certHostPattern: SNS_DEFAULT_CERT_HOST_PATTERN, autoConfirm: false, toleranceSec: 3600 },
  ],
  [
    "sns",
    "{type: sns, topicArnAllowlist: ['arn:aws:sns:us-east-1:123456789012:gpu-fleet-interruptions'], autoConfirm: true, certHostPattern: '^sns\\.us-east-1\\.amazonaws\\.com$', toleranceSec: 900}",
    { type: "sns", topicArnAllowlist: ["arn:aws:sns:us-east-1:123456789012:gpu-fleet-interruptions"], certHostPattern: "^sns\\.us-east-1\\.amazonaws\\.com$", autoConfirm: true, toleranceSec: 900 },
  ],
  [
    "oidc defaults",
    "{type: oidc, audience: 'https://events.example/hooks/gcp'}",
    { type: "oidc", audience: "https://events.example/hooks/gcp", issuers: [...OIDC_DEFAULT_ISSUERS], jwksUrl: OIDC_DEFAULT_JWKS_URL, clockSkewSec: 300 },
  ],
  [
    "oidc",
    "{type: oidc, audience: a, issuers: ['https://issuer.example'], serviceAccountEmail: push@p.iam.gserviceaccount.com, jwksUrl: 'https://issuer.example/jwks', clockSkewSec: 30}",
    { type: "oidc", audience: "a", issuers: ["https://issuer.example"], serviceAccountEmail: "push@p.iam.gserviceaccount.com", jwksUrl: "https://issuer.example/jwks", clockSkewSec: 30 },
  ],
  [
    "a list (all must pass)",
    "[{type: gitlab-token, token: t}, {type: standard-webhooks, secret: {env: WHSEC}}]",
    [{ type: "gitlab-token", token: "t" }, { type: "standard-webhooks", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", toleranceSec: 300 }],
  ],
];

const ENV = { TOKEN: "env-secret", WHSEC: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };

describe("config: source auth variants", () => {
  for (const [name, yaml, expected] of VARIANTS) {
    it(`${name} resolves, freezes and passes the startup check`, () => {
      const { config } = load(`sources:\n  - {name: s, kind: webhook, auth: ${yaml}}\n`, ENV);
      const auth = config.sources[0]?.auth;
      assert.deepEqual(auth, expected);
      assert.ok(Object.isFrozen(auth));
      if (auth !== undefined) checkAuthConfig(auth);
    });
  }

  it("refuses what cannot work", () => {
    const bad = (auth: string) => code(() => load(`sources:\n  - {name: s, kind: webhook, auth: ${auth}}\n`, ENV));
    assert.equal(bad("{type: magic}"), "HB_ERR_CONFIG_INVALID");
    assert.equal(bad("[]"), "HB_ERR_CONFIG_INVALID");
    assert.equal(bad("{type: hmac, secret: s, signedContent: '{timestamp}'}"), "HB_ERR_CONFIG_INVALID");
    assert.equal(bad("{type: hmac, secret: s, signedContent: '{timestamp}.{body}'}"), "HB_ERR_CONFIG_INVALID", "{timestamp} without timestampHeader");
    assert.equal(bad("{type: hmac, secret: s, toleranceSec: 0}"), "HB_ERR_CONFIG_INVALID");
    assert.equal(bad("{type: standard-webhooks}"), "HB_ERR_CONFIG_INVALID");
    assert.equal(bad("{type: standard-webhooks, secret: {env: NOPE}}"), "HB_ERR_CONFIG_SECRET_MISSING");
    assert.equal(bad("{type: gitlab-token, token: t, header: x}"), "HB_ERR_CONFIG_INVALID");
    assert.equal(bad("{type: sns, certHostPattern: '('}"), "HB_ERR_CONFIG_INVALID");
    assert.equal(bad("{type: sns, topicArnAllowlist: [not-an-arn]}"), "HB_ERR_CONFIG_INVALID");
    assert.equal(bad("{type: oidc}"), "HB_ERR_CONFIG_INVALID");
    assert.equal(bad("{type: mtls, subjects: ['']}"), "HB_ERR_CONFIG_INVALID");
  });
});

describe("config: kinds and server.tls", () => {
  it("accepts every source kind", () => {
    const yaml = `sources:\n${SOURCE_KINDS.map((k) => `  - {name: s-${k}, kind: ${k}}`).join("\n")}\n`;
    assert.deepEqual(load(yaml).config.sources.map((s) => s.kind), [...SOURCE_KINDS]);
    assert.equal(code(() => load("sources: [{name: s, kind: bitbucket}]\n")), "HB_ERR_CONFIG_INVALID");
  });

  it("server.tls paths resolve against the config directory; requestCert defaults to having a CA", () => {
    const { config, dir } = load("server: {tls: {cert: tls/server.pem, key: tls/server.key, ca: tls/ca.pem}}\n");
    assert.deepEqual(config.server.tls, { cert: join(dir, "tls/server.pem"), key: join(dir, "tls/server.key"), ca: join(dir, "tls/ca.pem"), requestCert: true });
    assert.deepEqual(load("server: {tls: {cert: c.pem, key: k.pem}}\n").config.server.tls?.requestCert, false);
    assert.equal(load("server: {port: 1}\n").config.server.tls, undefined);
    assert.equal(code(() => load("server: {tls: {cert: c.pem, key: k.pem, requestCert: true}}\n")), "HB_ERR_CONFIG_INVALID");
    assert.equal(code(() => load("server: {tls: {cert: c.pem}}\n")), "HB_ERR_CONFIG_INVALID");
  });
});
