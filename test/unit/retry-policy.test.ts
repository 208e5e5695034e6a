import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { nextDelayMs, parseRetryAfter } from "../../src/outbound/retry-policy.js";

const policy = { maxAttempts: 6, initialDelayMs: 1000, maxDelayMs: 10_000 };
const mid = (): number => 0.5; // jitter factor exactly 1.0
const low = (): number => 0; // factor 0.8
const high = (): number => 0.999999; // factor ~1.2

describe("nextDelayMs", () => {
  it("doubles from initialDelayMs per attempt without jitter at the midpoint", () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => nextDelayMs(policy, n, undefined, mid)),
      [1000, 2000, 4000, 8000],
    );
  });

  it("caps at maxDelayMs", () => {
    assert.equal(nextDelayMs(policy, 5, undefined, mid), 10_000);
    assert.equal(nextDelayMs({ ...policy, maxAttempts: 2000 }, 1500, undefined, mid), 10_000);
  });

  it("applies ±20 % jitter but never exceeds maxDelayMs", () => {
    assert.equal(nextDelayMs(policy, 1, undefined, low), 800);
    assert.equal(nextDelayMs(policy, 1, undefined, high), 1200);
    assert.equal(nextDelayMs(policy, 5, undefined, low), 8000);
    assert.equal(nextDelayMs(policy, 5, undefined, high), 10_000);
    for (let i = 0; i < 200; i++) {
      const d = nextDelayMs(policy, 2) as number;
      assert.ok(d >= 1600 && d <= 2400, String(d));
    }
  });

  it("gives up (undefined) once attempt reaches maxAttempts", () => {
    assert.notEqual(nextDelayMs(policy, 5, undefined, mid), undefined);
    assert.equal(nextDelayMs(policy, 6, undefined, mid), undefined);
    assert.equal(nextDelayMs(policy, 7, undefined, mid), undefined);
    assert.equal(nextDelayMs({ ...policy, maxAttempts: 1 }, 1, undefined, mid), undefined);
    assert.equal(nextDelayMs(policy, 6, 500), undefined, "Retry-After does not extend the budget");
  });

  it("treats attempt 0 or below as the first attempt", () => {
    assert.equal(nextDelayMs(policy, 0, undefined, mid), 1000);
  });

  it("uses Retry-After as given, clamped to maxDelayMs, without jitter", () => {
    assert.equal(nextDelayMs(policy, 1, 3000, high), 3000);
    assert.equal(nextDelayMs(policy, 1, 3_600_000, high), 10_000);
    assert.equal(nextDelayMs(policy, 1, 0, high), 0);
    assert.equal(nextDelayMs(policy, 1, Number.NaN, mid), 1000, "unusable Retry-After falls back to backoff");
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2015-10-21T07:27:00Z");

  it("parses delay-seconds", () => {
    assert.equal(parseRetryAfter("120", now), 120_000);
    assert.equal(parseRetryAfter(" 0 ", now), 0);
  });

  it("parses an HTTP date relative to now, past dates give 0", () => {
    assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now), 60_000);
    assert.equal(parseRetryAfter("Wednesday, 21-Oct-15 07:28:30 GMT", now), 90_000);
    assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), 0);
  });

  it("returns undefined for absent or malformed values", () => {
    for (const v of [null, undefined, "", "  ", "1.5", "-5", "soon", "12abc"]) {
      assert.equal(parseRetryAfter(v, now), undefined, String(v));
    }
  });
});
