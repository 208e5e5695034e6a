/**
 * Ed25519 (`v1a`) signatures of outbound webhooks: key strings (whsk_/whpk_), sign → verify
 * round trip, tampering / wrong key / stale timestamp refused, several entries during a
 * rotation, mixed v1 + v1a headers, API input validation and the secret view.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, verify as cryptoVerify } from "node:crypto";
import { HookbookError } from "../../src/core/errors.js";
import {
  ed25519PublicKeyOf,
  ed25519Sign,
  generateEd25519KeyPair,
  parseEd25519PublicKey,
  parseEd25519Secret,
} from "../../src/core/ed25519.js";
import { OUTBOUND_CODES } from "../../src/outbound/outbound-errors.js";
import { generateWebhookSecret, signatureHeaders, signPayload, verifyWebhook, verifyWebhookDetailed } from "../../src/outbound/signer.js";
import { checkSecretFor, generateSecretFor, parseCreateInput } from "../../src/outbound/subscription-input.js";
import { secretView } from "../../src/outbound/subscription-view.js";
import { thrownCode } from "../helpers/errors.js";

// RFC 8032 §7.1 TEST 1: the raw 32-byte seed / public key and the signature of the empty message.
const RFC_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC_SIG =
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
const RFC_WHSK = `whsk_${Buffer.from(RFC_SEED, "hex").toString("base64")}`;
const RFC_WHPK = `whpk_${Buffer.from(RFC_PUBLIC, "hex").toString("base64")}`;

const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TS = 1614265330;
const BODY = '{"test": 2432232314}';

describe("ed25519 keys", () => {
  it("whsk_/whpk_ are base64 of the raw RFC 8032 seed and public key", () => {
    assert.equal(ed25519PublicKeyOf(RFC_WHSK), RFC_WHPK);
    assert.equal(ed25519Sign(parseEd25519Secret(RFC_WHSK), []), Buffer.from(RFC_SIG, "hex").toString("base64"));
    assert.equal(cryptoVerify(null, Buffer.alloc(0), parseEd25519PublicKey(RFC_WHPK), Buffer.from(RFC_SIG, "hex")), true);
    // Missing padding is tolerated.
    assert.equal(ed25519PublicKeyOf(RFC_WHSK.replace(/=+$/, "")), RFC_WHPK);
  });

  it("generates a matching pair of 32-byte keys", () => {
    const pair = generateEd25519KeyPair();
    assert.match(pair.secret, /^whsk_[A-Za-z0-9+/]{43}=$/);
    assert.match(pair.publicKey, /^whpk_[A-Za-z0-9+/]{43}=$/);
    assert.equal(ed25519PublicKeyOf(pair.secret), pair.publicKey);
    assert.notEqual(generateEd25519KeyPair().secret, pair.secret);
  });

  it("refuses malformed keys with HB_ERR_WEBHOOK_SECRET", () => {
    for (const bad of ["", "whsk_", "whsk_not base64!", `whsk_${Buffer.alloc(31).toString("base64")}`, `whsk_${Buffer.alloc(64).toString("base64")}`, RFC_WHPK, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]) {
      assert.equal(thrownCode(() => parseEd25519Secret(bad)), "HB_ERR_WEBHOOK_SECRET", bad);
    }
    for (const bad of ["whpk_", "whpk_***", `whpk_${Buffer.alloc(16).toString("base64")}`, RFC_WHSK]) {
      assert.equal(thrownCode(() => parseEd25519PublicKey(bad)), "HB_ERR_WEBHOOK_SECRET", bad);
    }
  });
});

describe("v1a signatures", () => {
  const pair = generateEd25519KeyPair();

  it("signs v1a,<base64 of 64 bytes> over id.ts.body and verifies with the public key", () => {
    const entry = signPayload(pair.secret, ID, TS, BODY);
    assert.match(entry, /^v1a,[A-Za-z0-9+/]{86}==$/);
    const sig = Buffer.from(entry.slice(4), "base64");
    assert.equal(cryptoVerify(null, Buffer.from(`${ID}.${TS}.${BODY}`), createPublicKey(parseEd25519Secret(pair.secret)), sig), true);

    const headers = signatureHeaders([pair.secret], ID, TS, BODY);
    assert.deepEqual(Object.keys(headers).sort(), ["webhook-id", "webhook-signature", "webhook-timestamp"]);
    assert.equal(headers["webhook-signature"], entry, "Ed25519 is deterministic");
    assert.equal(verifyWebhook(pair.publicKey, headers, BODY, { nowSec: TS }), true);
    assert.equal(verifyWebhook(parseEd25519PublicKey(pair.publicKey), headers, Buffer.from(BODY), { nowSec: TS }), true, "KeyObject and bytes body");
    assert.equal(verifyWebhook(pair.secret, headers, BODY, { nowSec: TS }), true, "the private key verifies through its public half");
  });

  it("refuses a flipped body byte, a wrong key, a stale or future timestamp, a tampered id", () => {
    const headers = signatureHeaders([pair.secret], ID, TS, BODY);
    const flipped = Buffer.from(BODY);
    flipped[3] = (flipped[3] ?? 0) ^ 1;
    assert.deepEqual(verifyWebhookDetailed(pair.publicKey, headers, flipped, { nowSec: TS }), { ok: false, reason: "no-matching-signature" });
    assert.deepEqual(verifyWebhookDetailed(generateEd25519KeyPair().publicKey, headers, BODY, { nowSec: TS }), { ok: false, reason: "no-matching-signature" });
    assert.deepEqual(verifyWebhookDetailed(pair.publicKey, headers, BODY, { nowSec: TS + 301 }), { ok: false, reason: "timestamp-too-old" });
    assert.deepEqual(verifyWebhookDetailed(pair.publicKey, headers, BODY, { nowSec: TS - 301 }), { ok: false, reason: "timestamp-too-new" });
    assert.equal(verifyWebhook(pair.publicKey, { ...headers, "webhook-id": "msg_other" }, BODY, { nowSec: TS }), false);
    assert.equal(verifyWebhook(pair.publicKey, { ...headers, "webhook-timestamp": String(TS + 1) }, BODY, { nowSec: TS }), false, "the timestamp is signed");
    const sig = headers["webhook-signature"] ?? "";
    assert.equal(verifyWebhook(pair.publicKey, { ...headers, "webhook-signature": sig.replace("v1a,", "v1,") }, BODY, { nowSec: TS }), false, "only v1a entries count");
    assert.equal(verifyWebhook(pair.publicKey, { ...headers, "webhook-signature": "v1a,AAAA v1a,%%%" }, BODY, { nowSec: TS }), false, "garbage entries");
  });

  it("during a rotation signs with every key, current first; each public key verifies", () => {
    const old = generateEd25519KeyPair();
    const headers = signatureHeaders([pair.secret, old.secret], ID, TS, BODY);
    const entries = (headers["webhook-signature"] ?? "").split(" ");
    assert.equal(entries.length, 2);
    assert.deepEqual(entries, [signPayload(pair.secret, ID, TS, BODY), signPayload(old.secret, ID, TS, BODY)]);
    assert.equal(verifyWebhook(pair.publicKey, headers, BODY, { nowSec: TS }), true);
    assert.equal(verifyWebhook(old.publicKey, headers, BODY, { nowSec: TS }), true);
    assert.equal(verifyWebhook(generateEd25519KeyPair().publicKey, headers, BODY, { nowSec: TS }), false);
  });

  it("mixes v1 and v1a entries in one header (scheme switch); each verifier checks its own version", () => {
    const hmac = generateWebhookSecret();
    const headers = signatureHeaders([pair.secret, hmac], ID, TS, BODY);
    assert.match(headers["webhook-signature"] ?? "", /^v1a,\S+ v1,\S+$/);
    assert.equal(verifyWebhook(pair.publicKey, headers, BODY, { nowSec: TS }), true);
    assert.equal(verifyWebhook(hmac, headers, BODY, { nowSec: TS }), true);
  });

  it("cannot sign with a public key or a non-Ed25519 KeyObject", () => {
    assert.equal(thrownCode(() => signatureHeaders([pair.publicKey], ID, TS, BODY)), "HB_ERR_WEBHOOK_SECRET");
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    assert.equal(thrownCode(() => signatureHeaders([rsa], ID, TS, BODY)), "HB_ERR_WEBHOOK_SECRET");
  });
});

describe("ed25519 subscriptions (admin input)", () => {
  const base = { url: "https://example.com/hook", events: ["action.*"] };

  it("accepts signing ed25519 with or without a whsk_ secret", () => {
    assert.equal(parseCreateInput({ ...base, signing: "ed25519" }).signing, "ed25519");
    const pair = generateEd25519KeyPair();
    assert.equal(parseCreateInput({ ...base, signing: "ed25519", secret: pair.secret }).secret, pair.secret);
    assert.match(generateSecretFor("ed25519"), /^whsk_/);
    assert.match(generateSecretFor("standard"), /^whsec_/);
  });

  it("refuses a secret that does not fit the scheme, naming the field", () => {
    const pair = generateEd25519KeyPair();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, signing: "ed25519", secret: pair.publicKey }, "public key given"],
      [{ ...base, signing: "ed25519", secret: generateWebhookSecret() }, "HMAC secret for ed25519"],
      [{ ...base, signing: "ed25519", secret: "whsk_short" }, "short key"],
      [{ ...base, secret: pair.secret }, "whsk_ for standard"],
      [{ ...base, signing: "hmac-sha256-hex", secret: pair.secret }, "whsk_ for the compat scheme"],
    ];
    for (const [body, what] of cases) {
      try {
        parseCreateInput(body);
        assert.fail(`accepted: ${what}`);
      } catch (err) {
        assert.ok(err instanceof HookbookError, what);
        assert.equal(err.code, OUTBOUND_CODES.secret, what);
        assert.match(err.message, /^secret: /, what);
      }
    }
    assert.equal(thrownCode(() => parseCreateInput({ ...base, signing: "ed25519v2" })), OUTBOUND_CODES.invalid);
    assert.equal(thrownCode(() => checkSecretFor("ed25519", "whsk_", "outbound endpoint e1: secret")), OUTBOUND_CODES.secret);
  });

  it("shows receivers the public key only", () => {
    const pair = generateEd25519KeyPair();
    assert.deepEqual(secretView("ed25519", pair.secret), { secret: pair.publicKey, public_key: pair.publicKey });
    const hmac = generateWebhookSecret();
    assert.deepEqual(secretView("standard", hmac), { secret: hmac });
  });
});
