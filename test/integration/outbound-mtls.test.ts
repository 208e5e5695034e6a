/**
 * mTLS client certificates to endpoints: a local HTTPS receiver that requires a client
 * certificate from its own CA (`requestCert`, `rejectUnauthorized`), certificates made with the
 * openssl CLI at test time (outbound-pki.ts). API subscriptions (`tls: {cert_pem, key_pem,
 * ca_pem}`), config endpoints (`tls: {cert, key, ca, servername}` file paths), validation, and
 * the guarded client's agent per identity.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.js";
import { isHookbookError } from "../../src/core/errors.js";
import { ClientTlsError, inspectClientTls } from "../../src/outbound/client-tls.js";
import { createGuardedHttpClient } from "../../src/outbound/http-client.js";
import { OUTBOUND_CODES } from "../../src/outbound/outbound-errors.js";
import type { OutboundOptions } from "../../src/outbound/service.js";
import { verifyWebhook } from "../../src/outbound/signer.js";
import { compileSsrfPolicy } from "../../src/outbound/ssrf-guard.js";
import { parseCreateInput, parsePatchInput } from "../../src/outbound/subscription-input.js";
import type { ControlledReceiver } from "./outbound-helpers.js";
import type { OutboundTestFile } from "./outbound-helpers.js";
import { header, outboundTestFile, publishOutcome, sleep, uniq, waitFor } from "./outbound-helpers.js";
import type { TestPki } from "./outbound-pki.js";
import { makeTestPki } from "./outbound-pki.js";
import { thrownError } from "../helpers/errors.js";

let pki: TestPki;
before(() => {
  pki = makeTestPki();
});
after(() => pki.remove());

const file = outboundTestFile({ nats: false });
const cleanups = file.cleanups;

/** Long enough for a PATCH between two attempts. */
const SLOW_SCHEDULE = Array.from({ length: 12 }, () => 150);

const setup = (over: Partial<OutboundOptions> = {}): ReturnType<OutboundTestFile["setup"]> => file.setup("memory", over);

const httpsReceiver = (server = pki.server): Promise<ControlledReceiver> => file.receiver(undefined, pki.serverOptions(server));

describe("mTLS client certificates to endpoints", () => {
  it("an endpoint with the right client certificate gets its messages; the view shows the certificate, never the key", async () => {
    const T = uniq();
    const { bus, svc } = await setup();
    const rx = await httpsReceiver();
    const created = await svc.create(parseCreateInput({ url: rx.url, events: [`${T}.*`], tls: { cert_pem: pki.client.cert, key_pem: pki.client.key, ca_pem: pki.ca.cert } }));
    cleanups.push(() => svc.remove(created.id));
    const o = await publishOutcome(bus, `${T}.action.succeeded`, { n: 1 });
    await waitFor("delivery over mTLS", () => rx.deliveredIds().size === 1);

    const r = rx.requests[0]!;
    assert.equal(r.peer, "hookbook-client", "the receiver saw our client certificate");
    assert.equal(header(r, "webhook-id"), `msg_${o.id}`);
    assert.deepEqual(r.body, o.bytes);
    assert.equal(verifyWebhook(created.secret, r.headers, r.body), true);

    const view = svc.get(created.id);
    const x509 = new X509Certificate(pki.client.cert);
    assert.ok(view.tls);
    assert.match(view.tls.subject ?? "", /CN=hookbook-client/);
    assert.match(view.tls.issuer ?? "", /CN=hookbook outbound test CA/);
    assert.equal(view.tls.fingerprint256, x509.fingerprint256);
    assert.equal(view.tls.not_after, new Date(x509.validTo).toISOString());
    assert.equal(view.tls.ca, true);
    for (const shown of [JSON.stringify(view), JSON.stringify(svc.list()), JSON.stringify(created)]) {
      assert.ok(!shown.includes("PRIVATE KEY"), "the key is never shown");
      assert.ok(!shown.includes("key_pem"));
    }
    await waitFor("attempt record", async () => (await svc.attempts(created.id, 10)).length === 1);
    assert.equal((await svc.attempts(created.id, 10))[0]?.outcome, "delivered");
  });

  it("without a client certificate the attempt fails with error_kind tls and is retried; a PATCH adding one delivers the retry", async () => {
    const T = uniq();
    const { bus, svc } = await setup({ retry: SLOW_SCHEDULE });
    const rx = await httpsReceiver();
    // Trust for the receiver's server certificate only: no client certificate.
    const ep = await svc.create(parseCreateInput({ url: rx.url, events: [`${T}.*`], tls: { ca_pem: pki.ca.cert } }));
    cleanups.push(() => svc.remove(ep.id));
    assert.equal(svc.get(ep.id).tls?.subject, null);
    const o = await publishOutcome(bus, `${T}.action.failed`);
    await waitFor("two failed attempts", async () => (await svc.attempts(ep.id, 50)).length >= 2);
    const failed = await svc.attempts(ep.id, 50);
    for (const a of failed) {
      assert.equal(a.outcome, "retry");
      assert.equal(a.error_kind, "tls", `refused in the handshake: ${a.error ?? ""}`);
    }
    assert.equal(rx.requests.length, 0, "no request got through");
    assert.ok(rx.tlsErrors.length >= 1, "the receiver refused the handshakes");

    await svc.update(ep.id, parsePatchInput({ tls: { cert_pem: pki.client.cert, key_pem: pki.client.key, ca_pem: pki.ca.cert } }));
    await waitFor("delivery after the PATCH", () => rx.deliveredIds().get(`msg_${o.id}`) === 1);
    assert.equal(rx.requests.at(-1)?.peer, "hookbook-client");
    await waitFor("attempt record", async () => (await svc.attempts(ep.id, 50))[0]?.outcome === "delivered");
    const attempts = await svc.attempts(ep.id, 50);
    assert.equal(attempts[0]?.outcome, "delivered");
    assert.ok(attempts[0]!.attempt >= 3, "delivered on a retry");

    // null clears it: the receiver refuses again (and the server certificate is no longer trusted)
    await svc.update(ep.id, parsePatchInput({ tls: null }));
    assert.equal(svc.get(ep.id).tls, null);
  });

  it("a client certificate from another CA is refused: retried, then dead-lettered, nothing delivered", async () => {
    const T = uniq();
    const { bus, svc } = await setup();
    const rx = await httpsReceiver();
    const ep = await svc.create(parseCreateInput({ url: rx.url, events: [`${T}.*`], tls: { cert_pem: pki.rogue.cert, key_pem: pki.rogue.key, ca_pem: pki.ca.cert } }));
    cleanups.push(() => svc.remove(ep.id));
    await publishOutcome(bus, `${T}.action.failed`);
    await waitFor("dead letter", async () => (await svc.deadLetters(ep.id, 10)).length === 1);
    const attempts = await svc.attempts(ep.id, 50);
    assert.equal(attempts.length, 4, "every attempt of the schedule was made");
    for (const a of attempts) assert.equal(a.error_kind, "tls", a.error);
    assert.equal((await svc.deadLetters(ep.id, 10))[0]?.reason, "exhausted");
    assert.equal(rx.requests.length, 0);
    assert.ok(rx.tlsErrors.length >= 1);
  });

  it("a config endpoint presents the certificate from its files; servername checks the receiver under another name", async () => {
    const T = uniq();
    const rx = await httpsReceiver();
    const named = await httpsReceiver(pki.serverNamed);
    const file = join(pki.dir, `hookbook-${T}.yaml`);
    writeFileSync(
      file,
      [
        "outbound:",
        "  endpoints:",
        `    - {id: mtls, url: "${rx.url}", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, events: ["${T}.*"], tls: {cert: client.pem, key: client.key, ca: ca.pem}}`,
        `    - {id: named, url: "${named.url}", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, events: ["${T}.*"], tls: {cert: client2.pem, key: client2.key, ca: ca.pem, servername: receiver.test}}`,
        `    - {id: unnamed, url: "${named.url}", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, events: ["${T}.*"], tls: {cert: client2.pem, key: client2.key, ca: ca.pem}}`,
        "",
      ].join("\n"),
    );
    const config = loadConfig({ file, cwd: pki.dir, env: {} });
    const tls = config.outbound.endpoints[0]?.tls;
    assert.equal(tls?.certFile, pki.client.certFile);
    assert.equal(tls?.keyPem, pki.client.key);
    const { bus, svc } = await setup({ staticEndpoints: config.outbound.endpoints });
    assert.match(svc.get("mtls").tls?.subject ?? "", /CN=hookbook-client/);

    const o = await publishOutcome(bus, `${T}.action.succeeded`);
    await waitFor("config endpoint deliveries", () => rx.deliveredIds().size === 1 && named.deliveredIds().size === 1);
    assert.equal(rx.requests[0]?.peer, "hookbook-client");
    assert.equal(named.requests[0]?.peer, "hookbook-client-2");
    assert.equal(header(named.requests[0]!, "webhook-id"), `msg_${o.id}`);
    // Without servername the certificate (DNS:receiver.test) does not match 127.0.0.1.
    await waitFor("unnamed fails", async () => (await svc.attempts("unnamed", 10)).length >= 1);
    const unnamed = await svc.attempts("unnamed", 10);
    assert.equal(unnamed[0]?.error_kind, "tls");
    assert.match(unnamed[0]?.error ?? "", /altname|name|certificate/i);
    assert.equal(named.requests.length, 1, "only the named endpoint got through");
  });

  it("config: unreadable files, a key that does not match, or tls on http:// stop the start naming the file", () => {
    const T = uniq();
    const write = (tls: string, url = "https://127.0.0.1:1/hook"): string => {
      const file = join(pki.dir, `bad-${T}-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, `outbound:\n  endpoints:\n    - {id: ep, url: "${url}", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, tls: ${tls}}\n`);
      return file;
    };
    const load = (file: string) => thrownError(() => loadConfig({ file, cwd: pki.dir, env: {} }));

    const missing = load(write("{cert: nope.pem, key: client.key}"));
    assert.equal(missing.code, "HB_ERR_CONFIG_INVALID");
    assert.match(missing.message, /outbound\.endpoints\.ep\.tls\.cert: cannot read .*nope\.pem/);

    const mismatch = load(write("{cert: client.pem, key: client2.key}"));
    assert.equal(mismatch.code, "HB_ERR_CONFIG_INVALID");
    assert.match(mismatch.message, /tls\.key: .*client2\.key .*does not belong to the certificate/);

    const notPem = load(write("{cert: client.key, key: client.key}"));
    assert.match(notPem.message, /tls\.cert: .*client\.key: no PEM certificate/);

    const keyOnly = load(write("{key: client.key}"));
    assert.match(keyOnly.message, /tls\.cert: .*missing/);

    const plain = load(write("{cert: client.pem, key: client.key}", "http://127.0.0.1:1/hook"));
    assert.match(plain.message, /needs an https:\/\/ url/);

    const unknown = load(write("{cert: client.pem, key: client.key, password: x}"));
    assert.equal(unknown.code, "HB_ERR_CONFIG_INVALID");
  });

  it("API: a bad PEM, a key that does not match, an expired certificate or an http:// url are refused naming the field", () => {
    const url = "https://hooks.example.com/h";
    const refuse = (tls: unknown, u = url): string => {
      const { code, message } = thrownError(() => parseCreateInput({ url: u, events: ["*"], tls }));
      assert.equal(code, OUTBOUND_CODES.invalid);
      return message;
    };
    assert.match(refuse({ cert_pem: "not a certificate", key_pem: pki.client.key }), /^tls\.cert_pem: no PEM certificate/);
    const broken = pki.client.cert.replace(/[A-Za-z]{20}/, "AAAAAAAAAAAAAAAAAAAA");
    assert.match(refuse({ cert_pem: broken, key_pem: pki.client.key }), /^tls\.cert_pem: certificate 1 of the PEM is not valid/);
    assert.match(refuse({ cert_pem: pki.client.cert, key_pem: pki.client2.key }), /^tls\.key_pem: does not belong to the certificate/);
    assert.match(refuse({ cert_pem: pki.client.cert, key_pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" }), /^tls\.key_pem: not a usable PEM private key/);
    assert.match(refuse({ cert_pem: pki.expired.cert, key_pem: pki.expired.key }), /^tls\.cert_pem: the certificate expired on 2020-01-02/);
    assert.match(refuse({ cert_pem: pki.client.cert, key_pem: pki.client.key, ca_pem: "nope" }), /^tls\.ca_pem: no PEM certificate/);
    assert.match(refuse({ key_pem: pki.client.key }), /^tls\.cert_pem: is missing/);
    assert.match(refuse({ cert_pem: pki.client.cert }), /^tls\.key_pem: is missing/);
    assert.match(refuse({}), /^tls\.cert_pem: give cert and key/);
    assert.match(refuse({ cert_pem: pki.client.cert, key_pem: pki.client.key, password: "x" }), /^password: unknown field in tls/);
    assert.match(refuse({ cert_pem: pki.client.cert, key_pem: pki.client.key }, "http://hooks.example.com/h"), /^tls: a client certificate needs an https:\/\/ url/);
    assert.match(refuse("pem"), /tls must be a JSON object/);
    assert.deepEqual(parseCreateInput({ url, events: ["*"], tls: { cert_pem: pki.client.cert, key_pem: pki.client.key } }).tls, { certPem: pki.client.cert, keyPem: pki.client.key });
    assert.equal(parsePatchInput({ tls: null }).tls, null);

    // the expiry check itself, at a later date than the certificate's
    assert.throws(
      () => inspectClientTls({ certPem: pki.client.cert, keyPem: pki.client.key }, Date.now() + 30 * 86_400_000),
      (err: unknown) => err instanceof ClientTlsError && err.part === "cert" && /expired/.test(err.message),
    );
  });

  it("PATCH: an http:// url with a certificate in place is refused", async () => {
    const { svc } = await setup();
    const rx = await httpsReceiver();
    const ep = await svc.create(parseCreateInput({ url: rx.url, events: ["x.*"], tls: { cert_pem: pki.client.cert, key_pem: pki.client.key, ca_pem: pki.ca.cert } }));
    cleanups.push(() => svc.remove(ep.id));
    await assert.rejects(svc.update(ep.id, parsePatchInput({ url: "http://127.0.0.1:1/hook" })), (err: unknown) => isHookbookError(err) && err.code === OUTBOUND_CODES.invalid && /^tls:/.test(err.message));
    assert.equal(svc.get(ep.id).url, rx.url, "unchanged");
  });

  it("the guarded client keeps one agent per identity, closes the old one when an endpoint switches, and answers without TLS material as before", async () => {
    const rx = await httpsReceiver();
    const http = createGuardedHttpClient({ policy: compileSsrfPolicy({ allow: ["127.0.0.1/32"], httpsOnly: false }) });
    cleanups.push(() => http.close());
    const send = (tls: Parameters<typeof http.send>[0]["tls"], owner = "ep_a") => http.send({ url: rx.url, headers: {}, body: "{}", timeoutMs: 2000, ...(tls ? { tls, tlsOwner: owner } : {}) });
    const one = { certPem: pki.client.cert, keyPem: pki.client.key, caPem: pki.ca.cert };
    const two = { certPem: pki.client2.cert, keyPem: pki.client2.key, caPem: pki.ca.cert };

    assert.equal((await send(one)).status, 200);
    assert.equal((await send(one)).status, 200);
    assert.equal(http.tlsAgentCount(), 1, "same identity, same agent");
    assert.equal((await send(two)).status, 200);
    assert.equal(http.tlsAgentCount(), 1, "ep_a switched identity: the old agent is closed");
    assert.equal((await send(one, "ep_b")).status, 200);
    assert.equal(http.tlsAgentCount(), 2);
    assert.deepEqual(
      rx.requests.map((r) => r.peer),
      ["hookbook-client", "hookbook-client", "hookbook-client-2", "hookbook-client"],
    );
    // No client certificate, no trust for the private CA: the server certificate is refused.
    await assert.rejects(send(undefined), (err: unknown) => (err as { kind?: string }).kind === "tls");
    await sleep(10);
  });
});
