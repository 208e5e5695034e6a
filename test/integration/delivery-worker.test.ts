import { after, afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryBus } from "../../src/bus/memory.js";
import type { Bus, Delivery } from "../../src/bus/port.js";
import { defaultStreams } from "../../src/bus/streams.js";
import type { EndpointConfig, RetryPolicyConfig } from "../../src/config/types.js";
import type { Clock } from "../../src/core/clock.js";
import { systemClock } from "../../src/core/clock.js";
import { HookbookError } from "../../src/core/errors.js";
import { outcomeSubject } from "../../src/core/outcome.js";
import { startDeliveryWorkers } from "../../src/outbound/delivery-worker.js";
import type { DeliveryAttempt, DeliveryWorkers } from "../../src/outbound/delivery-worker.js";
import { generateWebhookSecret, signatureHeaders, verifyWebhook } from "../../src/outbound/signer.js";

const RETRY: RetryPolicyConfig = { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 200 };
const SECRET = generateWebhookSecret();

// ---------------------------------------------------------------- helpers

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What the test receiver does with request number n (1-based) for its path. */
type Behaviour = (n: number, req: Received, res: ServerResponse) => void;

interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function startReceiver(behaviour: Behaviour): Promise<Receiver> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = { path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(r);
      behaviour(requests.length, r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  cleanups.push(() => receiver.close());
  return receiver;
}

const ok: Behaviour = (_n, _r, res) => res.writeHead(200).end("ok");

interface Settlement {
  readonly durable: string;
  readonly seq: number;
  readonly kind: "ack" | "nak" | "term";
  readonly delayMs?: number;
  readonly reason?: string;
}

/** The memory bus with every ack/nak/term the worker makes recorded. */
async function recordingBus(): Promise<{ bus: Bus; settlements: Settlement[] }> {
  const inner = createMemoryBus();
  await inner.ensureStreams(defaultStreams());
  cleanups.push(() => inner.close());
  const settlements: Settlement[] = [];
  const bus: Bus = {
    ...inner,
    consume: (spec, handler) =>
      inner.consume(spec, (d) => {
        const wrapped: Delivery = {
          subject: d.subject,
          data: d.data,
          headers: d.headers,
          seq: d.seq,
          deliveryCount: d.deliveryCount,
          storedAt: d.storedAt,
          json: <T>() => d.json<T>(),
          ack: async () => {
            settlements.push({ durable: spec.durable, seq: d.seq, kind: "ack" });
            await d.ack();
          },
          nak: (delayMs?: number) => {
            settlements.push({ durable: spec.durable, seq: d.seq, kind: "nak", delayMs: delayMs ?? 0 });
            d.nak(delayMs);
          },
          term: (reason?: string) => {
            settlements.push({ durable: spec.durable, seq: d.seq, kind: "term", reason: reason ?? "" });
            d.term(reason);
          },
          working: () => d.working(),
        };
        return handler(wrapped);
      }),
  };
  return { bus, settlements };
}

interface LogLine {
  readonly level: "info" | "warn" | "error";
  readonly obj: object;
  readonly msg: string | undefined;
}

function memoryLogger(): { lines: LogLine[]; info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: "info", obj, msg }),
    warn: (obj, msg) => lines.push({ level: "warn", obj, msg }),
    error: (obj, msg) => lines.push({ level: "error", obj, msg }),
  };
}

function endpoint(id: string, url: string, over: Partial<EndpointConfig> = {}): EndpointConfig {
  return { id, url, secret: SECRET, events: ["*"], headers: {}, timeoutMs: 2000, ...over };
}

async function start(
  bus: Bus,
  endpoints: EndpointConfig[],
  extra: { retry?: RetryPolicyConfig; maxInFlight?: number; clock?: Clock } = {},
): Promise<{ workers: DeliveryWorkers; attempts: DeliveryAttempt[]; logger: ReturnType<typeof memoryLogger> }> {
  const attempts: DeliveryAttempt[] = [];
  const logger = memoryLogger();
  const workers = await startDeliveryWorkers({
    bus,
    endpoints,
    retry: extra.retry ?? RETRY,
    logger,
    onAttempt: (a) => attempts.push(a),
    ...(extra.maxInFlight === undefined ? {} : { maxInFlight: extra.maxInFlight }),
    ...(extra.clock === undefined ? {} : { clock: extra.clock }),
  });
  cleanups.push(() => workers.stop());
  return { workers, attempts, logger };
}

let nextId = 0;
/** Publish an outcome; returns the exact stored bytes. Deliberately not in JSON.stringify form. */
async function publishOutcome(bus: Bus, type: string, id = `out-${++nextId}`): Promise<{ id: string; bytes: Buffer }> {
  const text = `{ "id": "${id}",  "type": "${type}", "timestamp": "2026-01-02T03:04:05Z", "data": {"note": "GPU ✓ ünï", "n": 1.0} }`;
  const bytes = Buffer.from(text, "utf8");
  await bus.publish(outcomeSubject(type), bytes, { msgId: id });
  return { id, bytes };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function header(r: Received, name: string): string | undefined {
  const v = r.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

// ---------------------------------------------------------------- tests

describe("startDeliveryWorkers", () => {
  it("POSTs the stored bytes exactly, signed, with the standard headers", async () => {
    const { bus } = await recordingBus();
    const rx = await startReceiver(ok);
    const { attempts } = await start(bus, [
      endpoint("ep-ok", rx.url, { headers: { "X-Tenant": "t1", "webhook-id": "forged", "Content-Type": "text/plain" } }),
    ]);
    const { id, bytes } = await publishOutcome(bus, "action.succeeded");
    await waitFor("delivery", () => attempts.length === 1);

    assert.equal(rx.requests.length, 1);
    const r = rx.requests[0] as Received;
    assert.deepEqual(r.body, bytes, "body bytes are the stored bytes, not re-serialized");
    assert.equal(header(r, "webhook-id"), `msg_${id}`);
    assert.equal(header(r, "content-type"), "application/json");
    assert.equal(header(r, "user-agent"), "hookbook/0.1");
    assert.equal(header(r, "x-tenant"), "t1");
    assert.match(header(r, "webhook-timestamp") ?? "", /^\d{10}$/);
    assert.equal(verifyWebhook(SECRET, r.headers, r.body), true);
    assert.equal(verifyWebhook(generateWebhookSecret(), r.headers, r.body), false);
    assert.deepEqual(
      attempts.map(({ latencyMs: _l, ...a }) => a),
      [{ endpointId: "ep-ok", messageId: `msg_${id}`, attempt: 1, status: 200, outcome: "delivered" }],
    );
  });

  it("retries 500s with the same webhook-id and a fresh signature, delivers once", async () => {
    const { bus, settlements } = await recordingBus();
    const rx = await startReceiver((n, _r, res) => res.writeHead(n <= 2 ? 500 : 200).end());
    const { attempts } = await start(bus, [endpoint("ep-flaky", rx.url)]);
    const { id, bytes } = await publishOutcome(bus, "action.failed");
    await waitFor("third attempt", () => attempts.length === 3);
    await sleep(RETRY.maxDelayMs + 50); // nothing more may arrive

    assert.equal(rx.requests.length, 3);
    assert.deepEqual(rx.requests.map((r) => header(r, "webhook-id")), [`msg_${id}`, `msg_${id}`, `msg_${id}`]);
    for (const r of rx.requests) {
      assert.deepEqual(r.body, bytes);
      assert.equal(verifyWebhook(SECRET, r.headers, r.body), true);
    }
    assert.deepEqual(attempts.map((a) => [a.attempt, a.status, a.outcome]), [
      [1, 500, "retry"],
      [2, 500, "retry"],
      [3, 200, "delivered"],
    ]);
    const naks = settlements.filter((s) => s.kind === "nak");
    assert.equal(naks.length, 2);
    // backoff: 20 ms ±20 %, then 40 ms ±20 %
    assert.ok((naks[0]?.delayMs ?? -1) >= 16 && (naks[0]?.delayMs ?? 99) <= 24, JSON.stringify(naks));
    assert.ok((naks[1]?.delayMs ?? -1) >= 32 && (naks[1]?.delayMs ?? 99) <= 48, JSON.stringify(naks));
    assert.equal(settlements.filter((s) => s.kind === "ack").length, 1);
  });

  it("takes webhook-timestamp from the clock, fresh on every attempt", async () => {
    const { bus } = await recordingBus();
    const rx = await startReceiver((n, _r, res) => res.writeHead(n <= 2 ? 500 : 200).end());
    let reads = 0;
    // each read of the clock is 10 minutes later than the one before
    const clock: Clock = { now: () => 1_700_000_000_000 + reads++ * 600_000, setTimer: systemClock.setTimer };
    const { attempts } = await start(bus, [endpoint("ep-clock", rx.url)], { clock });
    await publishOutcome(bus, "action.failed");
    await waitFor("delivery", () => attempts.some((a) => a.outcome === "delivered"));

    const stamps = rx.requests.map((r) => Number(header(r, "webhook-timestamp")));
    assert.equal(stamps.length, 3);
    assert.equal(new Set(stamps).size, 3, `timestamps differ per attempt: ${stamps.join(",")}`);
    assert.ok(stamps.every((t) => t >= 1_700_000_000 && t < 1_700_100_000));
    const sigs = new Set(rx.requests.map((r) => header(r, "webhook-signature")));
    assert.equal(sigs.size, 3, "signed afresh per attempt");
    for (const [i, r] of rx.requests.entries()) {
      assert.equal(verifyWebhook(SECRET, r.headers, r.body, { nowSec: stamps[i] as number }), true);
    }
  });

  it("honours Retry-After on 429/503, clamped to maxDelayMs", async () => {
    const { bus, settlements } = await recordingBus();
    const rx = await startReceiver((n, _r, res) => {
      if (n === 1) res.writeHead(429, { "retry-after": "3600" }).end();
      else if (n === 2) res.writeHead(503, { "retry-after": "0" }).end();
      else res.writeHead(200).end();
    });
    const { attempts } = await start(bus, [endpoint("ep-busy", rx.url)], { retry: { ...RETRY, maxAttempts: 5 } });
    await publishOutcome(bus, "action.started");
    await waitFor("delivery", () => attempts.some((a) => a.outcome === "delivered"));

    assert.deepEqual(
      settlements.map((s) => [s.kind, s.delayMs]),
      [["nak", 200], ["nak", 0], ["ack", undefined]],
    );
    assert.deepEqual(attempts.map((a) => a.status), [429, 503, 200]);
  });

  it("429 without Retry-After falls back to the backoff", async () => {
    const { bus, settlements } = await recordingBus();
    const rx = await startReceiver((n, _r, res) => res.writeHead(n === 1 ? 429 : 200).end());
    const { attempts } = await start(bus, [endpoint("ep-429", rx.url)]);
    await publishOutcome(bus, "action.started");
    await waitFor("delivery", () => attempts.some((a) => a.outcome === "delivered"));
    const nak = settlements.find((s) => s.kind === "nak");
    assert.ok(nak && nak.delayMs !== undefined && nak.delayMs >= 16 && nak.delayMs <= 24, JSON.stringify(nak));
  });

  it("410 Gone terminates the message without retry and logs an error", async () => {
    const { bus, settlements } = await recordingBus();
    const rx = await startReceiver((_n, _r, res) => res.writeHead(410).end());
    const { attempts, logger } = await start(bus, [endpoint("ep-gone", rx.url)]);
    await publishOutcome(bus, "action.failed");
    await waitFor("attempt", () => attempts.length === 1);
    await sleep(RETRY.maxDelayMs + 50);

    assert.equal(rx.requests.length, 1);
    assert.deepEqual(settlements.map((s) => s.kind), ["term"]);
    assert.deepEqual(attempts.map((a) => [a.status, a.outcome]), [[410, "failed"]]);
    assert.ok(logger.lines.some((l) => l.level === "error" && /410/.test(l.msg ?? "")));
  });

  it("never follows a redirect: 302 counts as a failure until exhausted", async () => {
    const { bus, settlements } = await recordingBus();
    const rx = await startReceiver((_n, r, res) => {
      if (r.path === "/hook") res.writeHead(302, { location: "/elsewhere" }).end();
      else res.writeHead(200).end();
    });
    const { attempts, logger } = await start(bus, [endpoint("ep-redirect", rx.url)]);
    const { id } = await publishOutcome(bus, "action.failed");
    await waitFor("exhaustion", () => attempts.some((a) => a.outcome === "failed"));
    await sleep(RETRY.maxDelayMs + 50);

    assert.deepEqual(rx.requests.map((r) => r.path), ["/hook", "/hook", "/hook"]);
    assert.deepEqual(attempts.map((a) => [a.attempt, a.status, a.outcome]), [
      [1, 302, "retry"],
      [2, 302, "retry"],
      [3, 302, "failed"],
    ]);
    assert.deepEqual(settlements.map((s) => s.kind), ["nak", "nak", "term"]);
    const exhausted = logger.lines.filter((l) => l.level === "error" && l.msg === "delivery exhausted");
    assert.equal(exhausted.length, 1);
    assert.equal((exhausted[0]?.obj as { messageId?: string }).messageId, `msg_${id}`);
  });

  it("a hanging receiver times out and the message is retried", async () => {
    const { bus } = await recordingBus();
    const rx = await startReceiver((n, _r, res) => {
      if (n > 1) res.writeHead(204).end(); // request 1: never answered
    });
    const { attempts } = await start(bus, [endpoint("ep-slow", rx.url, { timeoutMs: 150 })]);
    await publishOutcome(bus, "action.timeout");
    await waitFor("delivery", () => attempts.some((a) => a.outcome === "delivered"));

    assert.equal(rx.requests.length, 2);
    assert.deepEqual(attempts.map((a) => [a.attempt, a.status, a.error, a.outcome]), [
      [1, undefined, "timeout", "retry"],
      [2, 204, undefined, "delivered"],
    ]);
    assert.ok((attempts[0]?.latencyMs ?? 0) >= 100, "the first attempt waited for the timeout");
  });

  it("a network error (connection refused) is retried and exhausted", async () => {
    const { bus } = await recordingBus();
    const rx = await startReceiver(ok);
    const deadUrl = rx.url;
    await rx.close(); // nothing listens on that port any more
    const { attempts } = await start(bus, [endpoint("ep-refused", deadUrl)]);
    await publishOutcome(bus, "action.failed");
    await waitFor("exhaustion", () => attempts.some((a) => a.outcome === "failed"));
    assert.deepEqual(attempts.map((a) => [a.status, a.outcome]), [
      [undefined, "retry"],
      [undefined, "retry"],
      [undefined, "failed"],
    ]);
    assert.ok(attempts.every((a) => typeof a.error === "string" && a.error.length > 0));
  });

  it("a dead endpoint does not stall a healthy one", async () => {
    const { bus } = await recordingBus();
    const dead = await startReceiver(() => undefined); // never answers
    const healthy = await startReceiver(ok);
    const { attempts } = await start(
      bus,
      [endpoint("ep-dead", dead.url, { timeoutMs: 400 }), endpoint("ep-healthy", healthy.url)],
      { maxInFlight: 1 },
    );
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await publishOutcome(bus, "action.succeeded")).id);
    await waitFor("healthy deliveries", () => attempts.filter((a) => a.endpointId === "ep-healthy").length === 5);

    // every healthy delivery finished before the dead endpoint's first attempt even ended
    assert.equal(attempts.filter((a) => a.endpointId === "ep-dead").length, 0);
    assert.deepEqual(
      attempts.map((a) => [a.endpointId, a.messageId, a.outcome]),
      ids.map((id) => ["ep-healthy", `msg_${id}`, "delivered"]),
      "in publish order with maxInFlight 1",
    );
    // the dead endpoint is blocked on its first message only
    assert.deepEqual(dead.requests.map((r) => header(r, "webhook-id")), [`msg_${ids[0]}`]);
  });

  it("delivers only the subscribed types (skipped ones are acked)", async () => {
    const { bus, settlements } = await recordingBus();
    const failedOnly = await startReceiver(ok);
    const actionAll = await startReceiver(ok);
    const { attempts } = await start(bus, [
      endpoint("ep-failed", failedOnly.url, { events: ["action.failed", "action.timeout"] }),
      endpoint("ep-all", actionAll.url, { events: ["action.*"] }),
    ]);
    await publishOutcome(bus, "action.succeeded");
    await publishOutcome(bus, "action.failed");
    await publishOutcome(bus, "rule.fired");
    await publishOutcome(bus, "action.timeout");
    await waitFor("all settled", () => settlements.filter((s) => s.kind === "ack").length === 8);

    const types = (rx: Receiver): string[] => rx.requests.map((r) => (JSON.parse(r.body.toString()) as { type: string }).type);
    assert.deepEqual(types(failedOnly).sort(), ["action.failed", "action.timeout"]);
    assert.deepEqual(types(actionAll).sort(), ["action.failed", "action.succeeded", "action.timeout"]);
    assert.equal(attempts.length, 5, "skipped messages are not attempts");
  });

  it("uses one durable per endpoint and refuses bad configuration before starting", async () => {
    const { bus } = await recordingBus();
    const durables: string[] = [];
    const spy: Bus = {
      ...bus,
      consume: (spec, handler) => {
        durables.push(spec.durable);
        assert.equal(spec.stream, "HB_OUTCOMES");
        assert.deepEqual(spec.filterSubjects, ["outcomes.>"]);
        assert.ok((spec.ackWaitMs ?? 0) > 2000, "ack wait exceeds the endpoint timeout");
        assert.equal(spec.maxDeliver, RETRY.maxAttempts + 2);
        return bus.consume(spec, handler);
      },
    };
    await start(spy, [endpoint("a.b", "http://127.0.0.1:9/"), endpoint("c", "http://127.0.0.1:9/"), endpoint("none", "http://127.0.0.1:9/", { events: [] })]);
    assert.deepEqual(durables, ["deliver_a_b", "deliver_c"]);

    const codeOf = async (endpoints: EndpointConfig[]): Promise<string | undefined> => {
      try {
        await start(bus, endpoints);
      } catch (err) {
        return err instanceof HookbookError ? err.code : String(err);
      }
      return undefined;
    };
    assert.equal(await codeOf([endpoint("x", "http://127.0.0.1:9/", { secret: "whsec_" })]), "HB_ERR_WEBHOOK_SECRET");
    assert.equal(await codeOf([endpoint("x.y", "http://127.0.0.1:9/"), endpoint("x_y", "http://127.0.0.1:9/")]), "HB_ERR_CONFIG_INVALID");
  });

  it("terminates messages that are not outcomes", async () => {
    const { bus, settlements } = await recordingBus();
    const rx = await startReceiver(ok);
    const { logger } = await start(bus, [endpoint("ep", rx.url)]);
    await bus.publish("outcomes.action.failed", Buffer.from("not json"));
    await bus.publish("outcomes.action.failed", Buffer.from('{"type":"action.failed"}'));
    await waitFor("settled", () => settlements.length === 2);
    assert.deepEqual(settlements.map((s) => s.kind), ["term", "term"]);
    assert.equal(rx.requests.length, 0);
    assert.equal(logger.lines.filter((l) => l.level === "error").length, 2);
  });
});

// ---------------------------------------------------------------- example receivers

const hasPython = spawnSync("python3", ["--version"]).status === 0;
const tmp = mkdtempSync(join(tmpdir(), "hookbook-receiver-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function spawnReceiver(cmd: string, script: string, out: string): Promise<{ url: string; stdout: () => string; child: ChildProcess }> {
  const child = spawn(cmd, [script, "--port", "0", "--secret", SECRET, "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  await waitFor(`${script} to listen (stderr: ${stderr})`, () => /listening on http:\/\/[\d.]+:\d+/.test(stderr), 10_000);
  const port = /listening on http:\/\/[\d.]+:(\d+)/.exec(stderr)?.[1];
  return { url: `http://127.0.0.1:${port}/`, stdout: () => stdout, child };
}

const receivers = [
  { name: "receiver.mjs", cmd: process.execPath, script: "examples/receiver/receiver.mjs", skip: false },
  { name: "receiver.py", cmd: "python3", script: "examples/receiver/receiver.py", skip: !hasPython },
];

describe("example receivers", () => {
  for (const r of receivers) {
    it(`${r.name} verifies, dedups and records what the worker sends`, { skip: r.skip && "python3 not found" }, async () => {
      const out = join(tmp, `${r.name}.jsonl`);
      const rx = await spawnReceiver(r.cmd, r.script, out);
      const { bus } = await recordingBus();
      const { attempts } = await start(bus, [endpoint("ep-example", rx.url)]);
      const first = await publishOutcome(bus, "action.succeeded");
      const second = await publishOutcome(bus, "action.failed");
      await waitFor("deliveries", () => attempts.filter((a) => a.outcome === "delivered").length === 2);

      const post = (headers: Record<string, string>, body: Buffer): Promise<Response> =>
        fetch(rx.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
      const now = Math.floor(Date.now() / 1000);
      // a repeat of an accepted webhook-id: 200, not recorded again
      const repeat = await post(signatureHeaders([SECRET], `msg_${first.id}`, now, first.bytes), first.bytes);
      assert.equal(repeat.status, 200);
      // forged, tampered and stale requests: 401
      const forged = await post(signatureHeaders([generateWebhookSecret()], "msg_forged", now, first.bytes), first.bytes);
      assert.equal(forged.status, 401);
      const tampered = await post(signatureHeaders([SECRET], "msg_tampered", now, first.bytes), Buffer.concat([first.bytes, Buffer.from(" ")]));
      assert.equal(tampered.status, 401);
      const stale = await post(signatureHeaders([SECRET], "msg_stale", now - 301, first.bytes), first.bytes);
      assert.equal(stale.status, 401);

      assert.deepEqual(rx.stdout().trim().split("\n"), [
        `verified msg_${first.id} action.succeeded`,
        `verified msg_${second.id} action.failed`,
      ]);
      const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { id: string; data: { note: string } });
      assert.deepEqual(lines.map((l) => l.id), [first.id, second.id]);
      assert.equal(lines[0]?.data.note, "GPU ✓ ünï");
    });
  }
});
