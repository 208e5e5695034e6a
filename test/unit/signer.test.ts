import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { thrownCode } from "../helpers/errors.js";
import {
  generateWebhookSecret,
  parseWebhookSecret,
  signatureHeaders,
  signPayload,
  verifyWebhook,
  verifyWebhookDetailed,
} from "../../src/outbound/signer.js";

// reference/webhooks.md §2.4
const SW1_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SW1_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SW1_TS = 1614265330;
const SW1_BODY = '{"test": 2432232314}';

interface Vector {
  readonly name: string;
  readonly secret: string;
  readonly msgId: string;
  readonly ts: number;
  readonly body: string;
  readonly expected: string;
}

const VECTORS: readonly Vector[] = [
  { name: "SW-1", secret: SW1_SECRET, msgId: SW1_ID, ts: SW1_TS, body: SW1_BODY, expected: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" },
  {
    name: "SW-2",
    secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
    msgId: "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
    ts: 1649367553,
    body: '{"email":"test@example.com","username":"test_user"}',
    expected: "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
  },
  { name: "SW-3", secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", msgId: SW1_ID, ts: SW1_TS, body: SW1_BODY, expected: "v1,LVOXivKoo4FWasi/IaHvzhE/u+7/cu2AME+zS/nXqzk=" },
  { name: "SW-4", secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr", msgId: SW1_ID, ts: SW1_TS, body: SW1_BODY, expected: "v1,yK2tMbA6BHPrMEJ1lLv7UlJJbgFoqGenJkiajZ29evg=" },
  { name: "SW-5", secret: SW1_SECRET, msgId: SW1_ID, ts: SW1_TS, body: "", expected: "v1,v48jdbgvh29KJz2Qc+ghw8G6vG3nAKnujWBg8oM/62A=" },
  {
    name: "SW-6",
    secret: SW1_SECRET,
    msgId: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
    ts: 1674087231,
    body: '{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52-5198-4599-803e-771906343485"}}',
    expected: "v1,ARw42xaAApl/nxRo+iPGYwSaMQaOwMo2eyH5JBRA+bQ=",
  },
];

function headersFor(v: Vector, signature = v.expected, ts: string = String(v.ts)): Record<string, string> {
  return { "webhook-id": v.msgId, "webhook-timestamp": ts, "webhook-signature": signature };
}

const SW1 = VECTORS[0] as Vector;

describe("Standard Webhooks vectors SW-1..SW-6", () => {
  for (const v of VECTORS) {
    it(`${v.name}: signPayload equals the expected signature exactly`, () => {
      assert.equal(signPayload(v.secret, v.msgId, v.ts, v.body), v.expected);
      assert.equal(signPayload(v.secret, v.msgId, v.ts, Buffer.from(v.body, "utf8")), v.expected);
    });

    it(`${v.name}: verifyWebhook accepts with the clock pinned to ts`, () => {
      assert.equal(verifyWebhook(v.secret, headersFor(v), v.body, { nowSec: v.ts }), true);
      assert.equal(verifyWebhook(v.secret, headersFor(v), Buffer.from(v.body), { nowSec: v.ts }), true);
    });

    it(`${v.name}: tampered body, timestamp or secret is rejected`, () => {
      assert.deepEqual(
        verifyWebhookDetailed(v.secret, headersFor(v), `${v.body} `, { nowSec: v.ts }),
        { ok: false, reason: "no-matching-signature" },
      );
      assert.equal(verifyWebhook(v.secret, headersFor(v, v.expected, String(v.ts + 1)), v.body, { nowSec: v.ts }), false);
      assert.equal(verifyWebhook(generateWebhookSecret(), headersFor(v), v.body, { nowSec: v.ts }), false);
      assert.equal(verifyWebhook(v.secret, { ...headersFor(v), "webhook-id": `${v.msgId}x` }, v.body, { nowSec: v.ts }), false);
    });
  }
});

describe("parseWebhookSecret", () => {
  it("accepts the same key with and without the whsec_ prefix", () => {
    assert.deepEqual(parseWebhookSecret(SW1_SECRET), parseWebhookSecret(SW1_SECRET.slice("whsec_".length)));
    assert.equal(parseWebhookSecret(SW1_SECRET).length, 24);
    const noPrefix = SW1_SECRET.slice("whsec_".length);
    assert.equal(verifyWebhook(noPrefix, headersFor(SW1), SW1_BODY, { nowSec: SW1_TS }), true);
  });

  it("tolerates missing padding (SW-3: 23 bytes, SW-4: 25 bytes)", () => {
    assert.equal(parseWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS").length, 23);
    assert.equal(parseWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr").length, 25);
    assert.deepEqual(parseWebhookSecret("whsec_YWJj"), Buffer.from("abc"));
    assert.deepEqual(parseWebhookSecret("whsec_YWI="), parseWebhookSecret("whsec_YWI"));
  });

  it("rejects empty and non-base64 secrets with HB_ERR_WEBHOOK_SECRET", () => {
    assert.equal(thrownCode(() => parseWebhookSecret("")), "HB_ERR_WEBHOOK_SECRET");
    assert.equal(thrownCode(() => parseWebhookSecret("whsec_")), "HB_ERR_WEBHOOK_SECRET");
    assert.equal(thrownCode(() => parseWebhookSecret("whsec_not base64!")), "HB_ERR_WEBHOOK_SECRET");
    assert.equal(thrownCode(() => parseWebhookSecret("whsec_-_-_")), "HB_ERR_WEBHOOK_SECRET"); // base64url is not std
    assert.equal(thrownCode(() => parseWebhookSecret("whsec_A")), "HB_ERR_WEBHOOK_SECRET"); // 1 char: no whole byte
    assert.equal(thrownCode(() => parseWebhookSecret("whsec_====")), "HB_ERR_WEBHOOK_SECRET");
    assert.equal(thrownCode(() => verifyWebhook("whsec_", headersFor(SW1), SW1_BODY, { nowSec: SW1_TS })), "HB_ERR_WEBHOOK_SECRET");
    assert.equal(thrownCode(() => signPayload("", SW1_ID, SW1_TS, SW1_BODY)), "HB_ERR_WEBHOOK_SECRET");
  });

  it("generateWebhookSecret gives whsec_ + padded base64 of 32 random bytes", () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(a, b);
    assert.equal(parseWebhookSecret(a).length, 32);
  });
});

describe("verifyWebhook receiver rules", () => {
  const v = SW1;

  it("looks headers up case-insensitively (plain record and fetch Headers)", () => {
    const upper = { "Webhook-Id": v.msgId, "WEBHOOK-TIMESTAMP": String(v.ts), "Webhook-Signature": v.expected };
    assert.equal(verifyWebhook(v.secret, upper, v.body, { nowSec: v.ts }), true);
    assert.equal(verifyWebhook(v.secret, new Headers(upper), v.body, { nowSec: v.ts }), true);
  });

  it("rejects when any of the three headers is missing", () => {
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const h: Record<string, string> = headersFor(v);
      delete h[name];
      assert.deepEqual(verifyWebhookDetailed(v.secret, h, v.body, { nowSec: v.ts }), { ok: false, reason: "missing-header" }, name);
    }
  });

  it("rejects timestamps that are not ^[0-9]{1,12}$ (junk, fraction, sign, too long)", () => {
    for (const ts of ["123abc", "hello", "161426533.0", "-1614265330", "+1614265330", " 1614265330", "1614265330000"]) {
      assert.deepEqual(
        verifyWebhookDetailed(v.secret, headersFor(v, v.expected, ts), v.body, { nowSec: v.ts }),
        { ok: false, reason: "invalid-timestamp" },
        ts,
      );
    }
  });

  it("accepts a skew of exactly 300 s both ways and rejects 301 s", () => {
    assert.equal(verifyWebhook(v.secret, headersFor(v), v.body, { nowSec: v.ts + 300 }), true);
    assert.equal(verifyWebhook(v.secret, headersFor(v), v.body, { nowSec: v.ts - 300 }), true);
    assert.deepEqual(verifyWebhookDetailed(v.secret, headersFor(v), v.body, { nowSec: v.ts + 301 }), { ok: false, reason: "timestamp-too-old" });
    assert.deepEqual(verifyWebhookDetailed(v.secret, headersFor(v), v.body, { nowSec: v.ts - 301 }), { ok: false, reason: "timestamp-too-new" });
    assert.equal(verifyWebhook(v.secret, headersFor(v), v.body, { nowSec: v.ts + 301, toleranceSec: 301 }), true);
    // default clock is the real one: a 2021 timestamp is stale today
    assert.equal(verifyWebhook(v.secret, headersFor(v), v.body), false);
  });

  it("accepts when any of several signatures matches and ignores unknown versions", () => {
    const junk = "Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
    const header = `v1,${junk} v2,${junk} ${v.expected} v1,${junk}`;
    assert.equal(verifyWebhook(v.secret, headersFor(v, header), v.body, { nowSec: v.ts }), true);
    assert.equal(verifyWebhook(v.secret, headersFor(v, `v1,${junk} v2,${junk}`), v.body, { nowSec: v.ts }), false);
  });

  it("skips v1a entries even when they carry the right bytes", () => {
    const sigOnly = v.expected.slice("v1,".length);
    assert.equal(verifyWebhook(v.secret, headersFor(v, `v1a,${sigOnly}`), v.body, { nowSec: v.ts }), false);
    assert.equal(verifyWebhook(v.secret, headersFor(v, `v1a,${sigOnly} ${v.expected}`), v.body, { nowSec: v.ts }), true);
  });

  it("rejects the library negative cases", () => {
    const bad = [
      "v1,dawfeoifkpqwoekfpqoekf",
      v.expected.slice(0, 8),
      "v1,",
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
      v.expected.slice("v1,".length), // no version tag
      `V1,${v.expected.slice(3)}`,
    ];
    for (const sig of bad) {
      assert.equal(verifyWebhook(v.secret, headersFor(v, sig), v.body, { nowSec: v.ts }), false, sig);
    }
  });

  it("verifies raw bytes, including bodies that are not valid UTF-8", () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const key = parseWebhookSecret(SW1_SECRET);
    const expected = createHmac("sha256", key).update(Buffer.concat([Buffer.from(`${SW1_ID}.${SW1_TS}.`), body])).digest("base64");
    const sig = signPayload(SW1_SECRET, SW1_ID, SW1_TS, body);
    assert.equal(sig, `v1,${expected}`);
    assert.equal(verifyWebhook(SW1_SECRET, headersFor(SW1, sig), body, { nowSec: SW1_TS }), true);
    // the lossy string conversion would not verify
    assert.equal(verifyWebhook(SW1_SECRET, headersFor(SW1, sig), body.toString("utf8"), { nowSec: SW1_TS }), false);
  });
});

describe("signatureHeaders", () => {
  it("emits the three headers with one v1 entry per secret, current first", () => {
    const old = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const h = signatureHeaders([SW1_SECRET, old], SW1_ID, SW1_TS, SW1_BODY);
    assert.deepEqual(Object.keys(h).sort(), ["webhook-id", "webhook-signature", "webhook-timestamp"]);
    assert.equal(h["webhook-id"], SW1_ID);
    assert.equal(h["webhook-timestamp"], "1614265330");
    assert.equal(h["webhook-signature"], `${SW1.expected} ${signPayload(old, SW1_ID, SW1_TS, SW1_BODY)}`);
    // a receiver holding only the old secret still verifies during the grace period
    assert.equal(verifyWebhook(old, h, SW1_BODY, { nowSec: SW1_TS }), true);
    assert.equal(verifyWebhook(SW1_SECRET, h, SW1_BODY, { nowSec: SW1_TS }), true);
  });

  it("accepts raw key bytes as the secret", () => {
    const h = signatureHeaders([parseWebhookSecret(SW1_SECRET)], SW1_ID, SW1_TS, SW1_BODY);
    assert.equal(h["webhook-signature"], SW1.expected);
  });

  it("refuses no secrets, ids with dots and non-integer timestamps", () => {
    assert.equal(thrownCode(() => signatureHeaders([], SW1_ID, SW1_TS, SW1_BODY)), "HB_ERR_WEBHOOK_SECRET");
    assert.equal(thrownCode(() => signatureHeaders([SW1_SECRET], "msg_a.b", SW1_TS, SW1_BODY)), "HB_ERR_INTERNAL");
    assert.equal(thrownCode(() => signatureHeaders([SW1_SECRET], "", SW1_TS, SW1_BODY)), "HB_ERR_INTERNAL");
    assert.equal(thrownCode(() => signatureHeaders([SW1_SECRET], SW1_ID, 1614265330.5, SW1_BODY)), "HB_ERR_INTERNAL");
    assert.equal(thrownCode(() => signatureHeaders([SW1_SECRET], SW1_ID, -1, SW1_BODY)), "HB_ERR_INTERNAL");
  });
});
