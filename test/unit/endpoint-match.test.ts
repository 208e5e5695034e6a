import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { eventPatternError, matchesEventPattern, matchesEventType } from "../../src/outbound/endpoint-match.js";

describe("matchesEventType", () => {
  it("bare *, ** and > match every type", () => {
    for (const p of ["*", "**", ">"]) {
      assert.equal(matchesEventType([p], "action.failed"), true, p);
      assert.equal(matchesEventType([p], "x"), true, p);
      assert.equal(matchesEventType([p], "a.b.c.d"), true, p);
    }
  });

  it("literal patterns match only the same type, case-sensitively", () => {
    assert.equal(matchesEventType(["action.failed"], "action.failed"), true);
    assert.equal(matchesEventType(["action.failed"], "action.succeeded"), false);
    assert.equal(matchesEventType(["action.failed"], "action.failed.gpu"), false);
    assert.equal(matchesEventType(["action.failed"], "action"), false);
    assert.equal(matchesEventType(["action.failed"], "Action.Failed"), false);
  });

  it("a trailing *, ** or > matches one or more remaining segments", () => {
    for (const p of ["action.*", "action.**", "action.>"]) {
      assert.equal(matchesEventType([p], "action.failed"), true, p);
      assert.equal(matchesEventType([p], "action.failed.gpu"), true, p);
      assert.equal(matchesEventType([p], "action"), false, p);
      assert.equal(matchesEventType([p], "actions.failed"), false, p);
    }
  });

  it("a * in the middle matches exactly one segment", () => {
    assert.equal(matchesEventType(["action.*.gpu"], "action.failed.gpu"), true);
    assert.equal(matchesEventType(["action.*.gpu"], "action.failed"), false);
    assert.equal(matchesEventType(["action.*.gpu"], "action.a.b.gpu"), false);
    assert.equal(matchesEventType(["*.failed"], "action.failed"), true);
    assert.equal(matchesEventType(["*.failed"], "action.succeeded"), false);
  });

  it("partial-segment globs are literal", () => {
    assert.equal(matchesEventType(["action.fail*"], "action.failed"), false);
    assert.equal(matchesEventType(["action.fail*"], "action.fail*"), true);
  });

  it("any pattern in the list may match; an empty list matches nothing", () => {
    assert.equal(matchesEventType(["action.succeeded", "action.failed"], "action.failed"), true);
    assert.equal(matchesEventType(["action.succeeded", "action.timeout"], "action.failed"), false);
    assert.equal(matchesEventType([], "action.failed"), false);
  });

  it("invalid patterns match nothing and say why", () => {
    assert.equal(matchesEventPattern("action.>.x", "action.a.x"), false);
    assert.equal(matchesEventPattern("**.failed", "action.failed"), false);
    assert.equal(matchesEventPattern("", ""), false);
    assert.equal(matchesEventPattern("action..failed", "action..failed"), false);
    assert.match(eventPatternError("action.>.x") ?? "", /last segment/);
    assert.match(eventPatternError("") ?? "", /empty/);
    assert.match(eventPatternError("a..b") ?? "", /empty segment/);
    assert.equal(eventPatternError("action.*"), undefined);
    assert.equal(eventPatternError("*.failed"), undefined);
  });
});
