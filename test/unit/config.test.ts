import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadConfig } from "../../src/config/load.js";
import { HookbookError } from "../../src/core/errors.js";

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof HookbookError ? e.code : "not-hookbook";
  }
  return undefined;
}

describe("loadConfig", () => {
  test("defaults without file or env", () => {
    const c = loadConfig({ env: {}, cwd: "/srv" });
    assert.equal(c.server.port, 8080);
    assert.equal(c.server.host, "127.0.0.1");
    assert.equal(c.dataDir, "/srv/.hookbook");
    assert.deepEqual(c.rulebooks, ["/srv/rulebooks"]);
    assert.equal(c.nats.url, undefined);
    assert.equal(c.engine.evaluator, "compiled");
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.server));
  });

  test("file, env override and secret references", () => {
    const dir = mkdtempSync(join(tmpdir(), "hb-config-"));
    writeFileSync(join(dir, "token.txt"), "file-token\n");
    writeFileSync(
      join(dir, "c.yaml"),
      `server: {port: 9001}
sources:
  - {name: am, kind: alertmanager, auth: {type: bearer, token: {file: token.txt}}}
  - {name: gh, kind: webhook, auth: {type: hmac, secret: {env: GH_SECRET}}}
outbound:
  endpoints:
    - {id: rx, url: "http://127.0.0.1:9/x", secret: {env: RX}}
`,
    );
    const c = loadConfig({ file: "c.yaml", cwd: dir, env: { GH_SECRET: "s3", RX: "whsec_abc", NATS_URL: "nats://h:1", HOOKBOOK_PORT: "9002" } });
    assert.equal(c.server.port, 9002, "env beats file");
    assert.equal(c.nats.url, "nats://h:1");
    assert.deepEqual(c.sources[0]?.auth, { type: "bearer", token: "file-token" });
    assert.deepEqual(c.sources[1]?.auth, { type: "hmac", secret: "s3", header: "x-hub-signature-256", algorithm: "sha256", encoding: "hex", prefix: "sha256=" });
    assert.equal(c.outbound.endpoints[0]?.secret, "whsec_abc");
    assert.deepEqual(c.outbound.endpoints[0]?.events, ["*"]);
  });

  test("integrations: nested secret references are resolved", () => {
    const c = loadConfig({ env: { JIRA: "t0k" }, overrides: { integrations: { jira: { url: "http://j", auth: { user: "u", token: { env: "JIRA" } }, list: [{ env: "JIRA" }] } } } });
    assert.deepEqual(c.integrations.jira, { url: "http://j", auth: { user: "u", token: "t0k" }, list: ["t0k"] });
    assert.equal(code(() => loadConfig({ env: {}, overrides: { integrations: { jira: { token: { env: "MISSING" } } } } })), "HB_ERR_CONFIG_SECRET_MISSING");
  });

  test("errors have codes", () => {
    const dir = mkdtempSync(join(tmpdir(), "hb-config-"));
    writeFileSync(join(dir, "bad.yaml"), "server: {prot: 1}\n");
    assert.equal(code(() => loadConfig({ file: "bad.yaml", cwd: dir, env: {} })), "HB_ERR_CONFIG_INVALID");
    writeFileSync(join(dir, "sec.yaml"), "sources: [{name: a, kind: webhook, auth: {type: bearer, token: {env: NOPE}}}]\n");
    assert.equal(code(() => loadConfig({ file: "sec.yaml", cwd: dir, env: {} })), "HB_ERR_CONFIG_SECRET_MISSING");
    assert.equal(code(() => loadConfig({ file: "missing.yaml", cwd: dir, env: {} })), "HB_ERR_CONFIG_INVALID");
    assert.equal(code(() => loadConfig({ env: { HOOKBOOK_PORT: "eighty" } })), "HB_ERR_CONFIG_INVALID");
    writeFileSync(join(dir, "dup.yaml"), "sources: [{name: a, kind: webhook}, {name: a, kind: alertmanager}]\n");
    assert.equal(code(() => loadConfig({ file: "dup.yaml", cwd: dir, env: {} })), "HB_ERR_CONFIG_INVALID");
  });
});
