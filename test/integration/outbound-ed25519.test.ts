/**
 * Ed25519 (`v1a`) outbound signatures end to end, on the memory bus and on a real nats-server:
 * the API hands out the public key only, the local receiver verifies with it, rotation signs
 * with both key pairs until the grace period ends, a PATCH between standard and ed25519 signs
 * v1 + v1a during the grace period, config endpoints can sign with ed25519 too.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Bus } from "../../src/bus/port.js";
import { ed25519PublicKeyOf, generateEd25519KeyPair } from "../../src/core/ed25519.js";
import { OUTBOUND_CODES } from "../../src/outbound/outbound-errors.js";
import type { OutboundOptions } from "../../src/outbound/service.js";
import type { OutboundService } from "../../src/outbound/service-api.js";
import { verifyWebhook } from "../../src/outbound/signer.js";
import { parseCreateInput, parsePatchInput } from "../../src/outbound/subscription-input.js";
import { natsServerBinary } from "../helpers/nats.js";
import type { BusKind, ControlledReceiver, Received } from "./outbound-helpers.js";
import { OK, errorCodeOf, header, makeBus, outboundTestFile, publishOutcome, sleep, startReceiver, startService, uniq, waitFor } from "./outbound-helpers.js";

const file = outboundTestFile();
const cleanups = file.cleanups;

const entries = (r: Received): string[] => (header(r, "webhook-signature") ?? "").split(" ");

for (const kind of ["memory", "nats"] as BusKind[]) {
  describe(`ed25519 (v1a) outbound signatures on the ${kind} bus`, { skip: kind === "nats" && !natsServerBinary && "nats-server not installed" }, () => {
    async function setup(over: Partial<OutboundOptions> = {}): Promise<{ bus: Bus; svc: OutboundService }> {
      const bus = await makeBus(kind, file.nats());
      cleanups.push(() => bus.close());
      const s = await startService(bus, over);
      cleanups.push(() => s.svc.stop());
      return { bus, svc: s.svc };
    }

    /** A receiver that answers 200 only to requests verifying under one of `keys()` (whpk_), else 401. */
    async function verifyingReceiver(keys: () => readonly string[]): Promise<ControlledReceiver> {
      const rx = await startReceiver((r) => (keys().some((k) => verifyWebhook(k, r.headers, r.body)) ? OK : { status: 401, body: "invalid signature" }));
      cleanups.push(() => rx.close());
      return rx;
    }

    it("signs v1a with a generated key pair; the API returns only the public key and the receiver verifies with it", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      let publicKey = "";
      const rx = await verifyingReceiver(() => [publicKey]);
      const created = await svc.create(parseCreateInput({ url: rx.url, events: [`${T}.*`], signing: "ed25519" }));
      cleanups.push(() => svc.remove(created.id));
      publicKey = created.public_key ?? "";
      assert.match(publicKey, /^whpk_[A-Za-z0-9+/]{43}=$/);
      assert.equal(created.secret, publicKey, "secret carries the public key, never the whsk_ private key");
      assert.equal(created.signing, "ed25519");
      assert.deepEqual(svc.secret(created.id), { secret: publicKey, public_key: publicKey, previous: [] });
      assert.doesNotMatch(JSON.stringify([created, svc.get(created.id), svc.list(), svc.secret(created.id)]), /whsk_/);

      const o = await publishOutcome(bus, `${T}.action.succeeded`, { gpu: "h100" });
      await waitFor("delivery", () => rx.deliveredIds().get(`msg_${o.id}`) === 1);
      const r = rx.requests[0]!;
      assert.equal(r.body.equals(o.bytes), true, "the stored bytes");
      assert.equal(header(r, "webhook-id"), `msg_${o.id}`);
      assert.match(header(r, "webhook-signature") ?? "", /^v1a,[A-Za-z0-9+/]{86}==$/);
      // A flipped body byte does not verify.
      const tampered = Buffer.from(r.body);
      tampered[tampered.length - 2] = (tampered[tampered.length - 2] ?? 0) ^ 1;
      assert.equal(verifyWebhook(publicKey, r.headers, tampered), false);
    });

    it("a provided whsk_ key signs; a public key or an HMAC secret is refused naming the field", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const pair = generateEd25519KeyPair();
      const rx = await verifyingReceiver(() => [pair.publicKey]);
      const created = await svc.create(parseCreateInput({ url: rx.url, events: [`${T}.*`], signing: "ed25519", secret: pair.secret }));
      cleanups.push(() => svc.remove(created.id));
      assert.equal(created.public_key, pair.publicKey);
      const o = await publishOutcome(bus, `${T}.a`);
      await waitFor("delivery", () => rx.deliveredIds().get(`msg_${o.id}`) === 1);

      for (const secret of [pair.publicKey, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]) {
        assert.equal(await errorCodeOf(Promise.resolve().then(() => svc.create(parseCreateInput({ url: rx.url, events: ["x"], signing: "ed25519", secret })))), OUTBOUND_CODES.secret);
        assert.equal(await errorCodeOf(svc.rotateSecret(created.id, { secret })), OUTBOUND_CODES.secret);
      }
    });

    it("rotation: a new key pair; both sign (current first) during the grace period, then the old one drops", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const keys: string[] = [];
      const rx = await verifyingReceiver(() => keys);
      const created = await svc.create(parseCreateInput({ url: rx.url, events: [`${T}.*`], signing: "ed25519" }));
      cleanups.push(() => svc.remove(created.id));
      const oldKey = created.public_key!;

      const graceMs = 1500;
      const rotated = await svc.rotateSecret(created.id, { graceMs });
      const newKey = rotated.public_key!;
      assert.match(newKey, /^whpk_/);
      assert.notEqual(newKey, oldKey);
      assert.equal(rotated.secret, newKey);
      assert.equal(svc.secret(created.id).previous.length, 1);

      // The receiver still holds only the old public key: the old signature entry verifies.
      keys.push(oldKey);
      const during = await publishOutcome(bus, `${T}.during`);
      await waitFor("delivery during the grace period", () => rx.deliveredIds().get(`msg_${during.id}`) === 1);
      const r1 = rx.requests.at(-1)!;
      assert.equal(entries(r1).length, 2);
      assert.ok(entries(r1).every((e) => e.startsWith("v1a,")));
      assert.equal(verifyWebhook(newKey, r1.headers, r1.body), true);
      assert.equal(verifyWebhook(oldKey, r1.headers, r1.body), true);
      // The current key signs first.
      assert.equal(verifyWebhook(newKey, { ...r1.headers, "webhook-signature": entries(r1)[0] }, r1.body), true);

      await sleep(graceMs + 100);
      const after = await publishOutcome(bus, `${T}.after`);
      // Old key only: refused (401) and retried; then the receiver learns the new key.
      await waitFor("refused attempt", () => rx.requests.some((r) => header(r, "webhook-id") === `msg_${after.id}`));
      const r2 = rx.requests.find((r) => header(r, "webhook-id") === `msg_${after.id}`)!;
      assert.equal(entries(r2).length, 1);
      assert.equal(verifyWebhook(oldKey, r2.headers, r2.body), false);
      assert.equal(verifyWebhook(newKey, r2.headers, r2.body), true);
      assert.deepEqual(svc.secret(created.id).previous, []);
      keys.push(newKey);
      await waitFor("delivery with the new key", () => rx.deliveredIds().get(`msg_${after.id}`) === 1);
    });

    it("PATCH standard → ed25519 generates a key pair and signs v1a + v1 during the grace period; → hmac-sha256-hex switches at once", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ rotationGraceMs: 60_000 });
      const rx = await startReceiver();
      cleanups.push(() => rx.close());
      const created = await svc.create(parseCreateInput({ url: rx.url, events: [`${T}.*`] }));
      cleanups.push(() => svc.remove(created.id));
      const hmacSecret = created.secret;

      const patched = await svc.update(created.id, parsePatchInput({ signing: "ed25519" }));
      assert.equal(patched.signing, "ed25519");
      const { public_key: publicKey, previous } = svc.secret(created.id);
      assert.match(publicKey ?? "", /^whpk_/);
      assert.equal(previous.length, 1, "the HMAC secret keeps signing for the grace period");
      const o = await publishOutcome(bus, `${T}.a`);
      await waitFor("delivery", () => rx.requests.length === 1);
      const r = rx.requests[0]!;
      assert.deepEqual(entries(r).map((e) => e.split(",")[0]), ["v1a", "v1"]);
      assert.equal(verifyWebhook(publicKey!, r.headers, r.body), true);
      assert.equal(verifyWebhook(hmacSecret, r.headers, r.body), true);
      assert.equal(header(r, "webhook-id"), `msg_${o.id}`);

      // ed25519 → compat: the X-Webhook-Signature header cannot carry v1a; a fresh whsec_ secret, no grace.
      await svc.update(created.id, parsePatchInput({ signing: "hmac-sha256-hex" }));
      const compat = svc.secret(created.id);
      assert.match(compat.secret, /^whsec_/);
      assert.equal(compat.public_key, undefined);
      assert.deepEqual(compat.previous, []);
      await publishOutcome(bus, `${T}.b`);
      await waitFor("delivery", () => rx.requests.length === 2);
      assert.match(header(rx.requests[1]!, "x-webhook-signature") ?? "", /^sha256=[0-9a-f]{64}$/);
    });

    it("a config endpoint with signing ed25519 signs v1a with its whsk_ key; GET secret shows the public key", async () => {
      const T = uniq();
      const pair = generateEd25519KeyPair();
      const rx = await verifyingReceiver(() => [pair.publicKey]);
      const id = `cfg_${T}`;
      const { bus, svc } = await setup({
        staticEndpoints: [{ id, url: rx.url, secret: pair.secret, signing: "ed25519", events: [`${T}.*`], headers: {}, timeoutMs: 2000 }],
      });
      assert.deepEqual(svc.secret(id), { secret: pair.publicKey, public_key: pair.publicKey, previous: [] });
      const o = await publishOutcome(bus, `${T}.a`);
      await waitFor("delivery", () => rx.deliveredIds().get(`msg_${o.id}`) === 1);
      assert.match(header(rx.requests[0]!, "webhook-signature") ?? "", /^v1a,/);

      // A config endpoint whose key does not fit its scheme stops the start with a clear error.
      const bad = await makeBus("memory", undefined);
      cleanups.push(() => bad.close());
      const code = await errorCodeOf(startService(bad, { staticEndpoints: [{ id: "bad", url: rx.url, secret: ed25519PublicKeyOf(pair.secret), signing: "ed25519", events: ["*"], headers: {}, timeoutMs: 2000 }] }));
      assert.equal(code, OUTBOUND_CODES.secret);
    });
  });
}
