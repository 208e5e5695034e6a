import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { memoryStateStore } from "../../src/actions/memory-state.js";
import { retryAfterSeconds, statusFailure } from "../../src/actions/tickets/http-call.js";
import { redact, secretValues } from "../../src/actions/tickets/redact.js";
import type { StoreOptions, TicketRecord } from "../../src/actions/tickets/ticket-store.js";
import { acquire, markFailed, markOpen, markResolved, settled, ticketStateKey } from "../../src/actions/tickets/ticket-store.js";

function options(now: () => number, staleMs = 60_000): StoreOptions {
  return { state: memoryStateStore(), key: ticketStateKey("jira", "k"), system: "jira", dedupKey: "k", nowMs: now, signal: new AbortController().signal, staleMs };
}

describe("ticket mapping (dedup key → ticket) on the action state", () => {
  test("claim → open → update path → resolved → a new claim keeps the history", async () => {
    let now = 1000;
    const o = options(() => now);
    const first = await acquire(o);
    assert.equal(first.kind, "claimed");
    if (first.kind !== "claimed") return;
    await markOpen(o, first, { id: "OPS-1" });
    const second = await acquire(o);
    assert.equal(second.kind, "open");
    assert.equal(second.record.ticket?.id, "OPS-1");
    now = 5000;
    await markResolved(o, { id: "OPS-1" }, false);
    const third = await acquire(o);
    assert.equal(third.kind, "claimed");
    assert.deepEqual(third.record.previous, [{ ticket: { id: "OPS-1" }, resolved_at: 5000 }]);
  });

  test("a failed create releases the key", async () => {
    const o = options(() => 0);
    const a = await acquire(o);
    if (a.kind !== "claimed") throw new Error("expected a claim");
    await markFailed(o, a, "boom");
    assert.equal((await o.state.get<TicketRecord>(o.key))?.value.status, "failed");
    assert.equal((await acquire(o)).kind, "claimed");
  });

  test("a claim older than staleMs (record time) is taken over; a fresh one is waited for", async () => {
    let now = 0;
    const o = options(() => now, 1000);
    const a = await acquire(o);
    assert.equal(a.kind, "claimed");
    now = 10_000; // the creator died long ago
    const b = await acquire(o);
    assert.equal(b.kind, "claimed");
    assert.notEqual(b.record.claim, a.record.claim);
  });

  test("a fresh claim that never finishes is abandoned after staleMs of real waiting", async () => {
    const o = options(() => 0, 150);
    await acquire(o);
    const started = Date.now();
    const b = await acquire(o);
    assert.equal(b.kind, "claimed");
    assert.ok(Date.now() - started >= 140);
    // resolve waits for a creating record, then gives up with a transient failure
    await assert.rejects(settled(o), (err: Error & { code?: string }) => err.code === "HB_ERR_ACTION_FAILED");
  });

  test("state keys are KV-safe and stable", () => {
    assert.equal(ticketStateKey("github", "a b/c.d*>"), ticketStateKey("github", "a b/c.d*>"));
    assert.match(ticketStateKey("github", "a b/c.d*>"), /^ticket\.github\.[0-9a-f]{32}$/);
    assert.notEqual(ticketStateKey("github", "x"), ticketStateKey("jira", "x"));
  });
});

describe("redaction and HTTP failure classes", () => {
  test("secret-looking settings (any depth) and webhook URL tails are scrubbed", () => {
    const secrets = secretValues({
      jira: { url: "https://jira.example", user: "bot", token: "tok-123456" },
      slack: { webhook_url: "https://hooks.slack.com/services/T/B/XyZ" },
      smtp: { host: "smtp", auth: { password: "pw-99999" } },
      pagerduty: { routing_key: "R0UTE" },
    });
    const out = redact({ m: "tok-123456 at https://hooks.slack.com/services/T/B/XyZ", d: ["/services/T/B/XyZ", "pw-99999 R0UTE"], url: "https://jira.example" }, secrets);
    assert.deepEqual(out, { m: "*** at ***", d: ["***", "*** ***"], url: "https://jira.example" });
  });

  test("Retry-After in seconds or as a date; 429 retry-after, 5xx/408 transient, 4xx permanent", () => {
    assert.equal(retryAfterSeconds("7", 0), 7);
    assert.equal(retryAfterSeconds(new Date(60_000).toUTCString(), 0), 60);
    assert.equal(retryAfterSeconds(null, 0), undefined);
    const h = new Headers();
    assert.equal(statusFailure("x", 429, new Headers({ "retry-after": "3" }), "", 0).data.retry_after, 3);
    assert.equal(statusFailure("x", 429, h, "", 0).retry, "retry-after");
    assert.equal(statusFailure("x", 503, h, "", 0).retry, "transient");
    assert.equal(statusFailure("x", 408, h, "", 0).retry, "transient");
    assert.equal(statusFailure("x", 403, h, "", 0).retry, "permanent");
  });
});
