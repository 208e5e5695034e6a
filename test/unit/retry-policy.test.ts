import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseRetryAfter } from "../../src/outbound/retry-policy.js";

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
