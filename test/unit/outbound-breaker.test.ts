/**
 * Delivery controls as pure units: the circuit breaker's state machine and registry (VirtualClock),
 * the token bucket, the rate_limit API field, the feedback-loop guard of operational events.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMemoryBus } from "../../src/bus/memory.js";
import { loadConfig } from "../../src/config/load.js";
import { VirtualClock } from "../../src/core/clock.js";
import { isHookbookError } from "../../src/core/errors.js";
import type { Admission } from "../../src/outbound/breaker-registry.js";
import { BreakerRegistry } from "../../src/outbound/breaker-registry.js";
import type { BreakerSettings, BreakerTransition, PersistedBreaker } from "../../src/outbound/circuit-breaker.js";
import { BREAKER_DEFAULTS, BreakerState, resolveBreakerSettings } from "../../src/outbound/circuit-breaker.js";
import { EndpointRegistry } from "../../src/outbound/endpoint-registry.js";
import { endpointLifecycleEvent, messageAttemptEvent, urlOrigin } from "../../src/outbound/ops-events.js";
import { OUTBOUND_CODES } from "../../src/outbound/outbound-errors.js";
import type { TakeResult } from "../../src/outbound/rate-limiter.js";
import { RateLimiter } from "../../src/outbound/rate-limiter.js";
import { startOutbound } from "../../src/outbound/service.js";
import { parseCreateInput, parsePatchInput } from "../../src/outbound/subscription-input.js";
import type { Subscription } from "../../src/outbound/subscription.js";
import { thrownCode } from "../helpers/errors.js";

const T0 = Date.UTC(2026, 4, 12, 12, 0, 0);
const settings = (over: Partial<BreakerSettings> = {}): BreakerSettings => ({ ...BREAKER_DEFAULTS, ...over });

describe("circuit breaker state machine", () => {
  it("opens after 5 consecutive failed attempts; a success in between starts the count again", () => {
    const b = new BreakerState(settings({ minAttempts: 1000 }));
    for (let i = 0; i < 4; i++) assert.equal(b.record(false, T0 + i), undefined);
    assert.equal(b.record(true, T0 + 5), undefined, "a success resets the consecutive count");
    for (let i = 0; i < 4; i++) assert.equal(b.record(false, T0 + 10 + i), undefined);
    const t = b.record(false, T0 + 20);
    assert.equal(t?.kind, "opened");
    assert.equal(t?.kind === "opened" && t.reason, "consecutive_failures");
    assert.equal(b.state, "open");
    assert.equal(b.retryAt, T0 + 20 + 30_000, "first cooldown 30 s");
  });

  it("opens at ≥ 70 % failures once the 5-minute window holds ≥ 10 attempts; older attempts slide out", () => {
    const b = new BreakerState(settings());
    // 9 attempts, 7 failures (never 5 in a row): below minAttempts.
    const pattern = [false, false, true, false, false, true, false, false, false];
    pattern.forEach((ok, i) => assert.equal(b.record(ok, T0 + i * 1000), undefined));
    const t = b.record(false, T0 + 9000); // 10 attempts, 8 failures = 80 %
    assert.equal(t?.kind === "opened" && t.reason, "failure_ratio");
    assert.equal(t?.kind === "opened" && t.windowAttempts, 10);

    const c = new BreakerState(settings());
    for (const [i, ok] of [false, false, true, false, false, true, false, false, true].entries()) c.record(ok, T0 + i * 1000);
    // 6 minutes later the old attempts are out of the window: 1 failure of 1 attempt does not open.
    assert.equal(c.record(false, T0 + 6 * 60_000), undefined);
    assert.equal(c.state, "closed");
  });

  it("half-open: 3 successes close it; a failure re-opens with a doubled cooldown, capped at 10 min", () => {
    const b = new BreakerState(settings({ failures: 1 }));
    let now = T0;
    b.record(false, now);
    const cooldowns: number[] = [];
    for (let i = 0; i < 7; i++) {
      cooldowns.push((b.retryAt ?? 0) - now);
      now = b.retryAt ?? now;
      assert.equal(b.halfOpen(now)?.kind, "half_opened");
      assert.equal(b.record(true, now + 1), undefined, "one success is not enough");
      const t = b.record(false, now + 2);
      assert.equal(t?.kind === "opened" && t.reason, "half_open_failure");
      now += 2;
    }
    assert.deepEqual(cooldowns, [30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
    b.halfOpen(b.retryAt ?? 0);
    b.record(true, now + 700_000);
    b.record(true, now + 700_001);
    const closed = b.record(true, now + 700_002);
    assert.equal(closed?.kind, "closed");
    assert.equal(b.state, "closed");
    b.record(false, now + 800_000);
    assert.equal(b.consecutiveOpens, 1, "closing forgets the re-opens: the next cooldown is 30 s again");
    assert.equal((b.retryAt ?? 0) - (now + 800_000), 30_000);
  });

  it("config: defaults, durations as ms or text, invalid values named", () => {
    assert.deepEqual(resolveBreakerSettings(undefined), BREAKER_DEFAULTS);
    const s = resolveBreakerSettings({ failures: 3, ratio: 0.5, window: "1m", cooldown: "200ms", maxCooldown: 1000, halfOpenSuccesses: 2 });
    assert.deepEqual([s.failures, s.ratio, s.windowMs, s.cooldownMs, s.maxCooldownMs, s.halfOpenSuccesses], [3, 0.5, 60_000, 200, 1000, 2]);
    assert.equal(resolveBreakerSettings({ cooldown: "20m" }).maxCooldownMs, 20 * 60_000, "maxCooldown follows a longer cooldown");
    for (const bad of [{ ratio: 0 }, { ratio: 1.5 }, { failures: 0 }, { cooldown: "soon" }, { window: -5 }, { cooldown: "5m", maxCooldown: "1m" }]) {
      let err: unknown;
      try {
        resolveBreakerSettings(bad);
      } catch (e) {
        err = e;
      }
      assert.ok(isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID", JSON.stringify(bad));
      assert.match((err as Error).message, new RegExp(`outbound\\.breaker\\.${Object.keys(bad).at(-1)}`));
    }
  });
});

describe("breaker registry", () => {
  function setup(over: Partial<BreakerSettings> = {}): { clock: VirtualClock; reg: BreakerRegistry; stored: Map<string, PersistedBreaker>; transitions: [string, BreakerTransition][] } {
    const clock = new VirtualClock(T0);
    const stored = new Map<string, PersistedBreaker>();
    const transitions: [string, BreakerTransition][] = [];
    const reg = new BreakerRegistry(settings({ failures: 2, cooldownMs: 1000, ...over }), clock, {
      persist: async (id, p) => void stored.set(id, p),
      transition: (id, t) => void transitions.push([id, t]),
    });
    return { clock, reg, stored, transitions };
  }

  it("persists and announces transitions; the cooldown timer half-opens; stop() cancels it", async () => {
    const { clock, reg, stored, transitions } = setup();
    await reg.record("a", false);
    await reg.record("a", false);
    assert.equal(reg.state("a"), "open");
    assert.equal(stored.get("a")?.state, "open");
    assert.equal(stored.get("a")?.retryAt, T0 + 1000);
    const held: { a?: Admission } = {};
    void Promise.resolve(reg.admit("a")).then((a) => (held.a = a));
    assert.equal(reg.retryInMs("a"), 1000);
    assert.equal(reg.view("a").retry_at, new Date(T0 + 1000).toISOString());
    await clock.advanceTo(T0 + 999);
    await new Promise((r) => setImmediate(r));
    assert.equal(reg.state("a"), "open");
    assert.equal(held.a, undefined, "an attempt waits while the breaker is open");
    await clock.advanceTo(T0 + 1000);
    await new Promise((r) => setImmediate(r));
    assert.equal(reg.state("a"), "half_open");
    assert.equal(typeof held.a, "object", "half-open lets the waiting attempt through");
    (held.a as unknown as Exclude<Admission, string>).release();
    assert.deepEqual(transitions.map(([, t]) => t.kind), ["opened", "half_opened"]);
    assert.equal(stored.get("a")?.state, "half_open");

    await reg.record("a", false);
    assert.equal(reg.state("a"), "open");
    assert.equal(clock.nextDue(), T0 + 1000 + 2000, "re-opened with a doubled cooldown");
    reg.stop();
    assert.equal(clock.nextDue(), undefined, "stop() cancels the cooldown timer");
  });

  it("half-open admits one attempt at a time; waiters go on close, wait again on re-open, get 'aborted' on abort or stop", async () => {
    const { clock, reg } = setup({ halfOpenSuccesses: 2 });
    await reg.record("a", false);
    await reg.record("a", false);
    await clock.advanceTo(T0 + 1000);
    const first = await reg.admit("a");
    assert.equal(typeof first, "object");
    const abort = new AbortController();
    const order: string[] = [];
    const second = Promise.resolve(reg.admit("a")).then((a) => (order.push("second"), a));
    const third = Promise.resolve(reg.admit("a", abort.signal)).then((a) => (order.push("third"), a));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [], "both wait for the probe");
    abort.abort();
    assert.equal(await third, "aborted");
    await reg.record("a", true);
    (first as Exclude<Admission, string>).release();
    const s = await second;
    assert.equal(typeof s, "object", "the next probe gets the slot after the first is released");
    const fourth = Promise.resolve(reg.admit("a"));
    await reg.record("a", true); // 2nd success: closed
    assert.equal(reg.state("a"), "closed");
    assert.equal(typeof (await fourth), "object", "closing releases every waiter");
    (s as Exclude<Admission, string>).release();

    await reg.record("a", false);
    await reg.record("a", false);
    const probe = reg.admit("a");
    assert.equal(reg.state("a"), "open");
    const fifth: { a?: Admission } = {};
    void Promise.resolve(probe).then((a) => (fifth.a = a));
    await new Promise((r) => setImmediate(r));
    assert.equal(fifth.a, undefined, "re-opened: waits");
    reg.stop();
    await new Promise((r) => setImmediate(r));
    assert.equal(fifth.a, "aborted", "stop() releases every waiter");
  });

  it("adopts a newer stored state (restart): open with its retry time, or half-open when it has passed; reset closes", async () => {
    const { clock, reg, stored } = setup();
    await reg.adopt("a", { state: "open", openedAt: T0 - 500, retryAt: T0 + 500, consecutiveOpens: 1, consecutiveFailures: 5, changedAt: T0 - 500 });
    assert.equal(reg.state("a"), "open");
    assert.equal(reg.view("a").consecutive_failures, 5);
    await clock.advanceTo(T0 + 500);
    assert.equal(reg.state("a"), "half_open");
    await reg.adopt("a", { state: "open", openedAt: T0 - 900, retryAt: T0 + 100, consecutiveOpens: 1, consecutiveFailures: 5, changedAt: T0 - 900 });
    assert.equal(reg.state("a"), "half_open", "an older copy is ignored");
    await reg.adopt("b", { state: "open", openedAt: T0 - 5000, retryAt: T0 - 10, consecutiveOpens: 2, consecutiveFailures: 9, changedAt: T0 - 5000 });
    assert.equal(reg.state("b"), "half_open", "past its retry time: half-open at once");
    await reg.reset("b");
    assert.equal(reg.state("b"), "closed");
    assert.equal(stored.get("b")?.state, "closed");
    assert.equal(reg.view("b").consecutive_failures, 0);
  });

  it("disabled: never opens", async () => {
    const { reg } = setup({ enabled: false });
    for (let i = 0; i < 20; i++) await reg.record("a", false);
    assert.equal(reg.state("a"), "closed");
    assert.equal(reg.admit("a") instanceof Object, true);
  });
});

describe("rate limiter (token bucket)", () => {
  /** Take `n` tokens at once; returns when each was granted (virtual ms after T0). */
  async function grants(limiter: RateLimiter, clock: VirtualClock, n: number, limit: { requests: number; periodMs: number }, untilMs: number): Promise<(number | "aborted")[]> {
    const at: (number | "aborted")[] = Array(n).fill(-1);
    const all = Array.from({ length: n }, (_, i) =>
      Promise.resolve(limiter.take("ep", limit)).then((r: TakeResult) => {
        at[i] = r === "aborted" ? "aborted" : clock.now() - T0;
      }),
    );
    await new Promise((r) => setImmediate(r));
    await clock.advanceTo(T0 + untilMs, () => new Promise((r) => setImmediate(r)));
    await Promise.all(all);
    return at;
  }

  it("bursts up to the capacity, then one token per period/requests, first come first served", async () => {
    const clock = new VirtualClock(T0);
    const at = await grants(new RateLimiter(clock), clock, 25, { requests: 10, periodMs: 1000 }, 5000);
    assert.deepEqual(at.slice(0, 10), Array(10).fill(0));
    assert.deepEqual(at.slice(10), [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400, 1500]);
    // never more than requests + t·rate in any interval
    const times = at as number[];
    for (let i = 0; i < times.length; i++) for (let j = i; j < times.length; j++) assert.ok(j - i + 1 <= 10 + ((times[j] as number) - (times[i] as number)) / 100 + 1e-9);
  });

  it("a changed limit applies to waiting handlers at once; removing it releases them; abort and stop end waits", async () => {
    const clock = new VirtualClock(T0);
    const limiter = new RateLimiter(clock);
    const slow = { requests: 1, periodMs: 60_000 };
    assert.deepEqual(await limiter.take("ep", slow), { throttled: false, waitedMs: 0 });
    const waiting = [limiter.take("ep", slow), limiter.take("ep", slow), limiter.take("ep", slow)].map((p) => Promise.resolve(p));
    assert.equal(limiter.waiting("ep"), 3);
    limiter.configure("ep", { requests: 1, periodMs: 1000 });
    await clock.advanceTo(T0 + 1000);
    assert.deepEqual(await waiting[0], { throttled: true, waitedMs: 1000 }, "the new rate applies to a waiter");
    limiter.configure("ep", undefined);
    assert.deepEqual((await Promise.all(waiting.slice(1))).map((r) => r !== "aborted" && r.throttled), [true, true]);

    const abort = new AbortController();
    await limiter.take("ep2", slow);
    const w = Promise.resolve(limiter.take("ep2", slow, abort.signal));
    abort.abort();
    assert.equal(await w, "aborted");
    const w2 = Promise.resolve(limiter.take("ep2", slow));
    limiter.stop();
    assert.equal(await w2, "aborted");
    assert.equal(clock.nextDue(), undefined, "stop() cancels the refill timer");
  });
});

describe("rate_limit API field", () => {
  const base = { url: "https://example.com/hook", events: ["*"] };
  const code = (fn: () => unknown): string | undefined => thrownCode(fn);

  it("parses {requests, period_ms?} (period default 1 s); null clears it on PATCH", () => {
    assert.deepEqual(parseCreateInput({ ...base, rate_limit: { requests: 5 } }).rateLimit, { requests: 5, periodMs: 1000 });
    assert.deepEqual(parseCreateInput({ ...base, rate_limit: { requests: 100, period_ms: 60_000 } }).rateLimit, { requests: 100, periodMs: 60_000 });
    assert.equal(parsePatchInput({ rate_limit: null }).rateLimit, null);
    assert.deepEqual(parsePatchInput({ rate_limit: { requests: 2, period_ms: 1000 } }).rateLimit, { requests: 2, periodMs: 1000 });
  });

  it("refuses bad values with HB_ERR_WEBHOOK_INVALID naming the field", () => {
    const cases: [unknown, RegExp][] = [
      [{ requests: 0 }, /rate_limit\.requests/],
      [{ requests: 1.5 }, /rate_limit\.requests/],
      [{ period_ms: 1000 }, /rate_limit\.requests/],
      [{ requests: 1, period_ms: 999 }, /rate_limit\.period_ms/],
      [{ requests: 1, period_ms: 3_600_001 }, /rate_limit\.period_ms/],
      [{ requests: 1, per: 5 }, /per/],
      ["10/s", /rate_limit/],
    ];
    for (const [value, field] of cases) {
      let err: unknown;
      try {
        parseCreateInput({ ...base, rate_limit: value });
      } catch (e) {
        err = e;
      }
      assert.ok(isHookbookError(err) && err.code === OUTBOUND_CODES.invalid, JSON.stringify(value));
      assert.match((err as Error).message, field);
    }
    assert.equal(code(() => parsePatchInput({ rate_limit: { requests: -1 } })), OUTBOUND_CODES.invalid);
  });
});

describe("operational events", () => {
  const sub = (id: string): Subscription => ({ id, url: "https://ops.example.com/x", events: ["*"], headers: {}, signing: "standard", secret: "whsec_x", previousSecrets: [], status: "enabled", createdAt: 0, updatedAt: 0 });

  it("an endpoint.* or message.attempt.* event about an endpoint is never routed to that endpoint", () => {
    const reg = new EndpointRegistry();
    reg.set(sub("a"), "api");
    reg.set(sub("b"), "api");
    const info = { endpointId: "a", messageId: "msg_1", outcomeId: "1", type: "action.failed", attempt: 4, seq: 7, lastStatus: 500 };
    for (const e of [
      messageAttemptEvent("message.attempt.failing", info, T0),
      messageAttemptEvent("message.attempt.exhausted", info, T0),
      endpointLifecycleEvent("endpoint.updated", { id: "a", source: "api", url: "https://x" }, T0, "u"),
    ]) {
      assert.deepEqual(reg.matching(e).map((x) => x.sub.id), ["b"], e.type);
    }
    assert.deepEqual(reg.matching({ id: "o", type: "message.sent", timestamp: "", data: { endpoint_id: "a" } }).map((x) => x.sub.id), ["a", "b"], "other types are not filtered");
  });

  it("message events carry the attempt data; endpoint events the URL's origin only", () => {
    const e = messageAttemptEvent("message.attempt.failing", { endpointId: "a", messageId: "msg_1", outcomeId: "1", type: "action.failed", attempt: 4, seq: 7, lastStatus: 503, lastError: "HTTP 503" }, T0);
    assert.deepEqual(e.data, { endpoint_id: "a", message_id: "msg_1", outcome_id: "1", type: "action.failed", attempt: 4, last_status: 503, last_error: "HTTP 503" });
    assert.doesNotMatch(e.id, /\./, "usable as webhook-id (no dot)");
    assert.equal(urlOrigin("https://hooks.slack.com/services/T0/B0/secret?token=x"), "https://hooks.slack.com");
    assert.equal(urlOrigin("http://user:pw@10.0.0.1:8080/p"), "http://10.0.0.1:8080");
  });
});

describe("config keys", () => {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const endpoint = { id: "rx", url: "http://127.0.0.1:9/x", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };

  it("outbound.breaker and outbound.endpoints[].rateLimit are read; YAML keys are camelCase", () => {
    const c = loadConfig({ env: {}, overrides: { outbound: { breaker: { failures: 3, cooldown: "10s" }, endpoints: [{ ...endpoint, rateLimit: { requests: 600, period: "60s" } }] } } as never });
    assert.deepEqual(c.outbound.breaker, { failures: 3, cooldown: "10s" });
    assert.deepEqual(c.outbound.endpoints[0]?.rateLimit, { requests: 600, period: "60s" });
    assert.deepEqual(loadConfig({ env: {}, overrides: { outbound: { endpoints: [{ ...endpoint, rateLimit: { requests: 5 } }] } } as never }).outbound.endpoints[0]?.rateLimit, { requests: 5, period: 1000 });
    assert.equal(thrownCode(() => loadConfig({ env: {}, overrides: { outbound: { breaker: { failurs: 3 } } } as never })), "HB_ERR_CONFIG_INVALID");
  });

  it("the service refuses a bad breaker or rate limit at start, naming the key; a config endpoint shows its rate limit", async () => {
    const bus = createMemoryBus();
    try {
      const start = (over: object): Promise<unknown> => startOutbound({ bus, logger: quiet, reconcileIntervalMs: 0, ...over });
      const failure = async (over: object): Promise<string> => {
        try {
          await start(over);
        } catch (err) {
          assert.ok(isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID");
          return (err as Error).message;
        }
        return "started";
      };
      assert.match(await failure({ breaker: { cooldown: "whenever" } }), /outbound\.breaker\.cooldown/);
      const ep = (rateLimit: object): object => ({ staticEndpoints: [{ ...endpoint, events: ["*"], headers: {}, timeoutMs: 1000, rateLimit }] });
      assert.match(await failure(ep({ requests: 5, period: "500ms" })), /rx: rateLimit\.period/);
      assert.match(await failure(ep({ requests: 0, period: "1s" })), /rx: rateLimit\.requests/);
      const svc = (await start(ep({ requests: 600, period: "60s" }))) as Awaited<ReturnType<typeof startOutbound>>;
      assert.deepEqual(svc.get("rx").rate_limit, { requests: 600, period_ms: 60_000 });
      assert.deepEqual(svc.get("rx").breaker, { state: "closed", consecutive_failures: 0 });
      await svc.stop();
    } finally {
      await bus.close();
    }
  });
});
