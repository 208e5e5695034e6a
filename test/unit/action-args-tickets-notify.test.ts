import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkActionArgs } from "../../src/rulebook/action-args.js";

describe("rulebook schema: open_ticket, resolve_ticket, notify arguments", () => {
  test("valid shapes", () => {
    assert.equal(checkActionArgs("open_ticket", { system: "jira", dedup_key: "{{ event.alert.fingerprint }}", title: "t", labels: ["a"], fields: { project: "OPS" }, severity: "critical" }), undefined);
    assert.equal(checkActionArgs("open_ticket", { system: "github", dedup_key: "k", title: "t", labels: "{{ event.labels }}" }), undefined);
    assert.equal(checkActionArgs("resolve_ticket", { system: "pagerduty", dedup_key: "k", comment: "ok" }), undefined);
    assert.equal(checkActionArgs("notify", { channel: "slack", text: "hi", slack_channel: "#c" }), undefined);
    assert.equal(checkActionArgs("notify", { channel: "email", template: "xid", to: ["a@b"] }), undefined);
    assert.equal(checkActionArgs("notify", { channel: "teams", card: { type: "AdaptiveCard" } }), undefined);
  });

  test("invalid shapes", () => {
    assert.match(checkActionArgs("open_ticket", { system: "bugzilla", dedup_key: "k", title: "t" })?.message ?? "", /system/);
    assert.match(checkActionArgs("open_ticket", { system: "jira", title: "t" })?.message ?? "", /dedup_key/);
    assert.match(checkActionArgs("resolve_ticket", { system: "jira", dedup_key: "k", title: "x" })?.message ?? "", /title/);
    assert.ok(checkActionArgs("notify", { channel: "sms", text: "x" }));
    assert.ok(checkActionArgs("notify", { channel: "slack" }), "needs text, template, blocks or card");
  });
});
