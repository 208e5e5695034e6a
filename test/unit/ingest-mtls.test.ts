/**
 * mTLS against a real HTTPS ingest server on 127.0.0.1:0, with a CA, a server certificate and
 * client certificates made by `openssl` at test time.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.js";
import { HookbookError } from "../../src/core/errors.js";
import { createIngestServer } from "../../src/ingest/server.js";
import type { IngestSourceConfig } from "../../src/ingest/server.js";
import { readTlsFiles } from "../../src/ingest/tls.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";
import { RecordingBus } from "../helpers/recording-bus.js";
import { AUTH } from "./sources-git-helper.js";

const dir = mkdtempSync(join(tmpdir(), "hb-mtls-"));
const path = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

function keyAndCsr(name: string, subject: string): void {
  openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
}

function signWith(ca: string, name: string, extensions: string): void {
  writeFileSync(path(`${name}.ext`), extensions);
  openssl("x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`);
}

function selfSignedCa(name: string, subject: string): void {
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", subject);
}

const CLIENT_EXT = "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n";

function makeCerts(): void {
  selfSignedCa("ca", "/CN=hookbook test CA");
  keyAndCsr("server", "/CN=127.0.0.1");
  signWith("ca", "server", "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  keyAndCsr("alertmanager", "/O=acme-gpu/CN=alertmanager");
  signWith("ca", "alertmanager", CLIENT_EXT);
  keyAndCsr("grafana", "/O=acme-gpu/CN=grafana");
  signWith("ca", "grafana", CLIENT_EXT);
  selfSignedCa("rogue-ca", "/CN=rogue CA");
  keyAndCsr("rogue", "/O=acme-gpu/CN=alertmanager");
  signWith("rogue-ca", "rogue", CLIENT_EXT);
}

const SOURCES: IngestSourceConfig[] = [
  { name: "am", kind: "alertmanager", auth: { type: "mtls", subjects: ["CN=alertmanager,O=acme-gpu"] }, bodyLimit: 0, options: {} },
  { name: "gh", kind: "github", auth: AUTH.github, bodyLimit: 0, options: {} },
];

interface Answer {
  status: number;
  body: { error?: { code: string }; accepted?: number };
}

describe("ingest over HTTPS with mTLS", () => {
  const bus = new RecordingBus();
  let app: ReturnType<typeof createIngestServer>;
  let port = 0;

  before(async () => {
    makeCerts();
    writeFileSync(path("hookbook.yaml"), "server: {tls: {cert: server.pem, key: server.key, ca: ca.pem}}\n");
    const config = loadConfig({ file: "hookbook.yaml", cwd: dir, env: {} });
    assert.ok(config.server.tls);
    app = createIngestServer({ sources: SOURCES, bus, bodyLimit: 1024 * 1024, tls: readTlsFiles(config.server.tls) });
    await app.listen({ host: "127.0.0.1", port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });

  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function send(url: string, body: Buffer, headers: Record<string, string>, client?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: url,
          method: "POST",
          headers: { ...headers, "content-length": String(body.length) },
          ca: readFileSync(path("ca.pem")),
          ...(client === undefined ? {} : { cert: readFileSync(path(`${client}.pem`)), key: readFileSync(path(`${client}.key`)) }),
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Answer["body"] }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  const am = () => [fixtureBytes("alertmanager/firing-gpu-xid.json"), { "content-type": "application/json" }] as const;

  it("client without a certificate → 401 HB_ERR_AUTH_MISSING", async () => {
    const res = await send("/hooks/am", ...am());
    assert.equal(res.status, 401);
    assert.equal(res.body.error?.code, "HB_ERR_AUTH_MISSING");
  });

  it("client certificate with another subject → 403 HB_ERR_CLIENT_CERT_REJECTED", async () => {
    const res = await send("/hooks/am", ...am(), "grafana");
    assert.equal(res.status, 403);
    assert.equal(res.body.error?.code, "HB_ERR_CLIENT_CERT_REJECTED");
  });

  it("right subject from a foreign CA → 401 HB_ERR_AUTH_INVALID", async () => {
    const res = await send("/hooks/am", ...am(), "rogue");
    assert.equal(res.status, 401);
    assert.equal(res.body.error?.code, "HB_ERR_AUTH_INVALID");
  });

  it("right subject from the configured CA → 202", async () => {
    const before = bus.stored.length;
    const res = await send("/hooks/am", ...am(), "alertmanager");
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.accepted, 1);
    assert.equal(bus.stored.length, before + 1);
  });

  it("a source without mtls on the same listener needs no client certificate", async () => {
    const res = await send("/hooks/gh", fixtureBytes("github/push.json"), fixtureHeaders("github/push.headers.json"));
    assert.equal(res.status, 202, JSON.stringify(res.body));
  });

  it("an mtls source without server TLS (or without a CA) is a config error", () => {
    const bad = (tls?: { cert: Buffer; key: Buffer }) => () => createIngestServer({ sources: SOURCES, bus, bodyLimit: 1024, ...(tls === undefined ? {} : { tls }) });
    const isConfig = (e: unknown) => e instanceof HookbookError && e.code === "HB_ERR_CONFIG_INVALID";
    assert.throws(bad(), isConfig);
    assert.throws(bad({ cert: readFileSync(path("server.pem")), key: readFileSync(path("server.key")) }), isConfig);
  });
});
