/** The AuthContext ingest gives verifiers: clock, https-only cached fetches with limits. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VirtualClock } from "../../src/core/clock.js";
import { createDefaultAuthContext } from "../../src/ingest/auth-context.js";

function fakeFetch(answers: (() => Response)[]) {
  const calls: { url: string; redirect: unknown }[] = [];
  const fn = (async (input: URL | string, init?: RequestInit) => {
    calls.push({ url: String(input), redirect: init?.redirect });
    const next = answers.shift();
    if (next === undefined) throw new Error("no more answers");
    return next();
  }) as typeof fetch;
  return { fn, calls };
}

describe("createDefaultAuthContext", () => {
  it("nowMs follows the clock; documents are cached for the TTL", async () => {
    const clock = new VirtualClock(1_000_000);
    const { fn, calls } = fakeFetch([() => new Response("one"), () => new Response("two")]);
    const ctx = createDefaultAuthContext({ clock, fetch: fn, cacheTtlMs: 60_000 });
    assert.equal(ctx.nowMs(), 1_000_000);
    assert.equal(await ctx.fetchText("https://keys.example/jwks"), "one");
    assert.equal(await ctx.fetchText("https://keys.example/jwks"), "one");
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.redirect, "error", "redirects are not followed");
    await clock.advanceTo(1_060_001);
    assert.equal(await ctx.fetchText("https://keys.example/jwks"), "two");
    assert.equal(calls.length, 2);
  });

  it("failures are not cached; non-2xx, oversize and plain http are refused", async () => {
    const clock = new VirtualClock(0);
    const { fn, calls } = fakeFetch([
      () => new Response("nope", { status: 503 }),
      () => new Response("ok"),
      () => new Response("x".repeat(100)),
    ]);
    const ctx = createDefaultAuthContext({ clock, fetch: fn, maxBytes: 10 });
    await assert.rejects(ctx.fetchText("https://a.example/cert.pem"), /503/);
    assert.equal(await ctx.fetchText("https://a.example/cert.pem"), "ok");
    await assert.rejects(ctx.fetchText("https://b.example/big"), /over 10 bytes/);
    await assert.rejects(ctx.fetchText("http://c.example/plain"), /refusing/);
    assert.equal(calls.length, 3, "no request for the http URL");
  });
});
