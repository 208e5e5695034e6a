/**
 * The receiver kit (examples/receiver, Node and Python) against the outbound service, for both
 * signature schemes: verification (also during a secret rotation), dedup of a replay by id,
 * forged requests refused.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { afterEach, describe, it } from "node:test";
import { signatureHeaders } from "../../src/outbound/signer.js";
import { parseCreateInput } from "../../src/outbound/subscription-input.js";
import { makeBus, publishOutcome, startService, uniq, waitFor } from "./outbound-helpers.js";

const hasPython = spawnSync("python3", ["--version"]).status === 0;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined);
});

async function spawnReceiver(cmd: string, script: string, secret: string, scheme: string): Promise<{ url: string; stdout: () => string }> {
  const child = spawn(cmd, [script, "--port", "0", "--secret", secret, "--scheme", scheme], { stdio: ["ignore", "pipe", "pipe"] });
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
const schemes = [
  { scheme: "standard", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
  { scheme: "hmac-sha256-hex", secret: "kit-shared-secret-0123" },
];

describe("receiver kit against the outbound service", () => {
  for (const kit of kits) {
    for (const { scheme, secret } of schemes) {
      it(`${kit.name} --scheme ${scheme}: verifies (also while rotating), deduplicates a replay, refuses forgeries`, { skip: kit.skip && "python3 not found" }, async () => {
        const T = uniq();
        const rx = await spawnReceiver(kit.cmd, kit.script, secret, scheme);
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

        const forged =
          scheme === "standard"
            ? signatureHeaders(["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"], "msg_forged", Math.floor(Date.now() / 1000), first.bytes)
            : { "x-webhook-id": "msg_forged", "x-webhook-signature": "sha256=00" };
        const res = await fetch(rx.url, { method: "POST", headers: { "content-type": "application/json", ...forged }, body: first.bytes });
        assert.equal(res.status, 401);

        assert.deepEqual(rx.stdout().trim().split("\n"), [`verified msg_${first.id} ${T}.action.succeeded`, `verified msg_${second.id} ${T}.action.failed`]);
      });
    }
  }
});
