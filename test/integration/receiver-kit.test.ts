/**
 * The receiver kit (examples/receiver, Node and Python) against the outbound service, for every
 * signature scheme (standard v1, ed25519 v1a, hmac-sha256-hex): verification (also during a
 * secret rotation), dedup of a replay by id, forged and tampered requests refused; receiver.py
 * without the `cryptography` package refuses ed25519 clearly and still verifies HMAC.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { generateEd25519KeyPair } from "../../src/core/ed25519.js";
import { signatureHeaders } from "../../src/outbound/signer.js";
import { parseCreateInput } from "../../src/outbound/subscription-input.js";
import { makeBus, publishOutcome, startService, uniq, waitFor } from "./outbound-helpers.js";

const hasPython = spawnSync("python3", ["--version"]).status === 0;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined);
});

async function spawnReceiver(cmd: string, script: string, secret: string, scheme: string, env?: NodeJS.ProcessEnv): Promise<{ url: string; stdout: () => string }> {
  const child = spawn(cmd, [script, "--port", "0", "--secret", secret, "--scheme", scheme], { stdio: ["ignore", "pipe", "pipe"], ...(env ? { env } : {}) });
  cleanups.push(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  await waitFor(`${script} to listen`, () => /listening on http:\/\/[\d.]+:\d+/.test(stderr), 10_000);
  const port = /listening on http:\/\/[\d.]+:(\d+)/.exec(stderr)?.[1];
  return { url: `http://127.0.0.1:${port}/`, stdout: () => stdout };
}

const kits = [
  { name: "receiver.mjs", cmd: process.execPath, script: "examples/receiver/receiver.mjs", skip: false },
  { name: "receiver.py", cmd: "python3", script: "examples/receiver/receiver.py", skip: !hasPython },
];
const ed = generateEd25519KeyPair();
/** `secret`: what hookbook signs with; `receiverKey`: what the receiver is given (ed25519: the public key only). */
const schemes = [
  { scheme: "standard", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", receiverKey: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
  { scheme: "ed25519", secret: ed.secret, receiverKey: ed.publicKey },
  { scheme: "hmac-sha256-hex", secret: "kit-shared-secret-0123", receiverKey: "kit-shared-secret-0123" },
];

describe("receiver kit against the outbound service", () => {
  for (const kit of kits) {
    for (const { scheme, secret, receiverKey } of schemes) {
      it(`${kit.name} --scheme ${scheme}: verifies (also while rotating), deduplicates a replay, refuses forgeries`, { skip: kit.skip && "python3 not found" }, async () => {
        const T = uniq();
        const rx = await spawnReceiver(kit.cmd, kit.script, receiverKey, scheme);
        const bus = await makeBus("memory", undefined);
        cleanups.push(() => bus.close());
        const { svc } = await startService(bus);
        cleanups.push(() => svc.stop());
        const ep = await svc.create(parseCreateInput({ url: rx.url, events: [`${T}.*`], secret, signing: scheme }));

        const first = await publishOutcome(bus, `${T}.action.succeeded`, { note: "GPU ✓" });
        await waitFor("first verified", () => rx.stdout().includes(`msg_${first.id}`));
        // During a rotation the receiver still holds the old secret: the old signature entry verifies.
        await svc.rotateSecret(ep.id, {});
        const second = await publishOutcome(bus, `${T}.action.failed`);
        await waitFor("second verified", () => rx.stdout().includes(`msg_${second.id}`));

        await svc.replay(ep.id, first.id);
        await waitFor("replay attempted", async () => (await svc.attempts(ep.id, 10)).length === 3);
        const [replay] = await svc.attempts(ep.id, 1);
        assert.deepEqual([replay?.trigger, replay?.status, replay?.response?.trim()], ["replay", 200, "duplicate"]);

        const now = Math.floor(Date.now() / 1000);
        const forged =
          scheme === "standard"
            ? signatureHeaders(["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"], "msg_forged", now, first.bytes)
            : scheme === "ed25519"
              ? signatureHeaders([generateEd25519KeyPair().secret], "msg_forged", now, first.bytes)
              : { "x-webhook-id": "msg_forged", "x-webhook-signature": "sha256=00" };
        const res = await fetch(rx.url, { method: "POST", headers: { "content-type": "application/json", ...forged }, body: first.bytes });
        assert.equal(res.status, 401);
        if (scheme !== "hmac-sha256-hex") {
          // Signed with the right key, then the body altered by one byte: refused; the untouched body verifies.
          const genuine = signatureHeaders([secret], "msg_tamper", now, first.bytes);
          const tampered = Buffer.from(first.bytes);
          tampered[tampered.length - 2] = (tampered[tampered.length - 2] ?? 0) ^ 1;
          const bad = await fetch(rx.url, { method: "POST", headers: { "content-type": "application/json", ...genuine }, body: tampered });
          assert.equal(bad.status, 401);
          // A v1 signature by the same key material is not a v1a one (and vice versa): only the scheme's entries count.
          const otherVersion = { ...genuine, "webhook-signature": (genuine["webhook-signature"] ?? "").replace(/^v1a?,/, scheme === "ed25519" ? "v1," : "v1a,") };
          assert.equal((await fetch(rx.url, { method: "POST", headers: { "content-type": "application/json", ...otherVersion }, body: first.bytes })).status, 401);
        }

        assert.deepEqual(rx.stdout().trim().split("\n"), [`verified msg_${first.id} ${T}.action.succeeded`, `verified msg_${second.id} ${T}.action.failed`]);
      });
    }
  }
});

describe("receiver.py without the cryptography package", { skip: !hasPython && "python3 not found" }, () => {
  // A `cryptography` package on PYTHONPATH that fails to import stands in for a Python without it.
  let env: NodeJS.ProcessEnv = {};
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "hb-nocrypto-"));
    mkdirSync(join(dir, "cryptography"));
    writeFileSync(join(dir, "cryptography", "__init__.py"), 'raise ImportError("cryptography blocked by the test")\n');
    env = { ...process.env, PYTHONPATH: dir };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("--scheme ed25519 exits and says v1a needs cryptography", () => {
    const r = spawnSync("python3", ["examples/receiver/receiver.py", "--port", "0", "--secret", ed.publicKey, "--scheme", "ed25519"], { env, encoding: "utf8", timeout: 10_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ed25519 \(v1a\) needs the Python package `cryptography`/);
  });

  it("--scheme standard still verifies HMAC signatures", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const rx = await spawnReceiver("python3", "examples/receiver/receiver.py", secret, "standard", env);
    const body = Buffer.from(JSON.stringify({ type: "x.y", data: {} }));
    const headers = signatureHeaders([secret], "msg_nocrypto", Math.floor(Date.now() / 1000), body);
    const res = await fetch(rx.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    assert.equal(res.status, 200);
    await waitFor("verified", () => rx.stdout().includes("verified msg_nocrypto x.y"));
  });
});
