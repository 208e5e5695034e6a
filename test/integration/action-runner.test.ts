import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createMemoryBus } from "../../src/bus/memory.js";
import type { ActionIntent, IntentAction } from "../../src/core/intent.js";
import type { ActionRunnerOptions } from "../../src/actions/runner.js";
import { testRunner } from "../helpers/action-runner.js";

const dir = mkdtempSync(join(tmpdir(), "hb-runner-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function intent(actions: IntentAction[], event: Record<string, unknown> = { x: 1 }, key = `k${Math.random().toString(16).slice(2)}`): ActionIntent {
  return {
    rulebookVersion: "v1",
    ruleset: "rs",
    rule: "r",
    ruleIndex: 0,
    matchingEvents: { m: { ...event, meta: { uuid: "e1" } } },
    eventIds: ["e1"],
    hosts: ["all"],
    actions,
    ruleRunAt: new Date(0).toISOString(),
    key,
  };
}

function runner(extra: Partial<ActionRunnerOptions> = {}) {
  const { runner: r, outcomes, printed } = testRunner({
    vars: { who: "world" },
    limits: { commandTimeoutMs: 10_000, httpTimeoutMs: 5_000 },
    ...extra,
  });
  return { r, outcomes, printed };
}

// Writes its argv (JSON) to a file: shows exactly what the program received.
const writeArgv = (file: string, ...args: string[]): IntentAction => ({
  name: "run_command",
  index: 0,
  args: { command: process.execPath, args: ["-e", "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))", file, ...args] },
});

describe("action runner", () => {
  test("run_command passes event data as literal argv: no shell interpretation", async () => {
    const marker = join(dir, "pwned");
    const payloads = [`$(touch ${marker})`, `; touch ${marker}`, `\`touch ${marker}\``, `a\ntouch ${marker}`, `| touch ${marker}`, `&& touch ${marker}`];
    const out = join(dir, "argv.json");
    const { r, outcomes } = runner();
    const records = await r.run(intent([writeArgv(out, ...payloads.map((_, i) => `{{ event.p${i} }}`))], Object.fromEntries(payloads.map((p, i) => [`p${i}`, p]))));
    assert.equal(records[0]?.status, "successful");
    assert.deepEqual(JSON.parse(readFileSync(out, "utf8")), payloads, "the program received the exact bytes");
    assert.equal(existsSync(marker), false, "nothing was executed");
    assert.deepEqual(outcomes.map((o) => o.type), ["action.started", "action.succeeded"]);
    assert.equal(outcomes[1]?.data.action, "run_command");
    assert.equal(typeof outcomes[1]?.data.elapsed_ms, "number");
  });

  test("exit code decides success; output is captured; rc in the audit record", async () => {
    const { r, outcomes } = runner();
    const [rec] = await r.run(intent([{ name: "run_command", index: 0, args: { command: process.execPath, args: ["-e", "console.log('out'); process.exit(3)"] } }]));
    assert.equal(rec?.status, "failed");
    assert.equal(rec?.rc, 3);
    assert.equal(outcomes[1]?.type, "action.failed");
    assert.equal((outcomes[1]?.data.result as { stdout: string }).stdout, "out");
    assert.equal((outcomes[1]?.data.error as { code: string }).code, "HB_ERR_ACTION_FAILED");
  });

  test("timeout → action.timeout; missing command → HB_ERR_COMMAND_NOT_FOUND", async () => {
    const { r, outcomes } = runner();
    await r.run(intent([{ name: "run_command", index: 0, args: { command: process.execPath, args: ["-e", "setTimeout(() => {}, 60000)"], timeout: 0.3 } }]));
    assert.equal(outcomes[1]?.type, "action.timeout");
    const nf = runner();
    const [rec] = await nf.r.run(intent([{ name: "run_command", index: 0, args: { command: "no-such-binary-hookbook" } }]));
    assert.equal(rec?.status, "failed");
    assert.equal((rec?.reason as { code: string }).code, "HB_ERR_COMMAND_NOT_FOUND");
  });

  test("the ledger makes a redelivered or duplicated intent run nothing twice", async () => {
    const bus = createMemoryBus();
    const ledger = await bus.kv({ bucket: "ledger" });
    const file = join(dir, "count.txt");
    const append: IntentAction = { name: "run_command", index: 0, args: { command: process.execPath, args: ["-e", "require('fs').appendFileSync(process.argv[1], 'x')", file] } };
    const same = intent([append, { name: "none", index: 1, args: {} }], { x: 1 }, "fixed-key");
    const { r, outcomes } = runner({ ledger });
    assert.equal((await r.run(same)).length, 2);
    assert.equal((await r.run(same)).length, 0, "second delivery runs nothing");
    assert.equal(readFileSync(file, "utf8"), "x");
    assert.equal(outcomes.length, 4);
    await bus.close();
  });

  test("dry run records external actions without running them; internal ones still run", async () => {
    const marker = join(dir, "dry");
    const { r, printed } = runner({ dryRun: true });
    const recs = await r.run(intent([{ name: "run_command", index: 0, args: { command: "touch", args: [marker] } }, { name: "debug", index: 1, args: { msg: "hello {{ who }} {{ event.x }}" } }]));
    assert.deepEqual(recs.map((x) => x.status), ["dry_run", "successful"]);
    assert.equal(existsSync(marker), false);
    assert.ok(printed.includes("hello world 1"));
  });

  test("an undefined template value fails the action with a code, and the next action still runs", async () => {
    const { r } = runner();
    const recs = await r.run(intent([{ name: "debug", index: 0, args: { msg: "{{ event.nope.deeper }}" } }, { name: "none", index: 1, args: {} }]));
    assert.equal(recs[0]?.status, "failed");
    assert.equal((recs[0]?.reason as { code: string }).code, "HB_ERR_TEMPLATE_UNDEFINED");
    assert.equal(recs[1]?.status, "successful");
  });

  test("retries: transient failures retry with backoff, the attempt is reported; permanent ones do not", async () => {
    const counter = join(dir, "attempts.txt");
    // Fails until it has run three times.
    const flaky: IntentAction = {
      name: "run_command",
      index: 0,
      args: { command: process.execPath, args: ["-e", "const f=process.argv[1];const fs=require('fs');const n=(fs.existsSync(f)?Number(fs.readFileSync(f,'utf8')):0)+1;fs.writeFileSync(f,String(n));process.exit(n<3?1:0)", counter], retries: 3, delay: 0.01 },
    };
    const { r, outcomes } = runner();
    const [rec] = await r.run(intent([flaky]));
    assert.equal(rec?.status, "successful");
    assert.equal(readFileSync(counter, "utf8"), "3");
    assert.equal(outcomes[1]?.data.attempt, 3);

    const nf = runner();
    const [missing] = await nf.r.run(intent([{ name: "run_command", index: 0, args: { command: "no-such-binary-hookbook", retries: 3, delay: 0.01 } }]));
    assert.equal(missing?.status, "failed");
    assert.equal(nf.outcomes[1]?.data.attempt, 1, "HB_ERR_COMMAND_NOT_FOUND is permanent: no retry");
  });

  test("post: 4xx is permanent, 429 honours Retry-After, 5xx retries", async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      calls++;
      req.resume();
      req.on("end", () => {
        if (req.url === "/bad") res.writeHead(400).end();
        else if (req.url === "/busy") res.writeHead(calls % 2 === 1 ? 429 : 200, { "retry-after": "0" }).end();
        else res.writeHead(503).end();
      });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
    const port = (server.address() as { port: number }).port;
    const { r, outcomes } = runner();
    calls = 0;
    await r.run(intent([{ name: "post", index: 0, args: { url: `http://127.0.0.1:${port}/bad`, retries: 3, delay: 0.01 } }]));
    assert.equal(calls, 1, "400 is not retried");
    assert.equal((outcomes[1]?.data.error as { code: string }).code, "HB_ERR_REMOTE_REJECTED");
    calls = 0;
    const busy = await r.run(intent([{ name: "post", index: 0, args: { url: `http://127.0.0.1:${port}/busy`, retries: 2, delay: 5 } }]));
    assert.equal(busy[0]?.status, "successful", "429 then 200, waiting Retry-After (0 s) rather than the 5 s delay");
    assert.equal(calls, 2);
    calls = 0;
    await r.run(intent([{ name: "post", index: 0, args: { url: `http://127.0.0.1:${port}/down`, retries: 2, delay: 0.01 } }]));
    assert.equal(calls, 3, "503 retried twice");
    server.close();
  });

  test("http: any method, auth inline or from an integration (secret by reference), expected status", async () => {
    const got: { method: string; url: string; auth?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        got.push({ method: req.method ?? "", url: req.url ?? "", ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), body });
        res.writeHead(req.method === "DELETE" ? 204 : 200).end("{}");
      });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const { r } = runner({ integrations: { reservations: { token: "from-config-secret" }, legacy: { username: "svc", password: "pw" } } });
    const recs = await r.run(
      intent([
        { name: "http", index: 0, args: { url: `${url}/pools/a100`, auth: { type: "bearer", token: "inline" } } },
        { name: "http", index: 1, args: { method: "put", url: `${url}/pools/a100`, body: { size: "{{ event.x }}" }, auth: { integration: "reservations" } } },
        { name: "http", index: 2, args: { method: "DELETE", url: `${url}/holds/7`, auth: { integration: "legacy", type: "basic" }, expected_status: 204 } },
        { name: "http", index: 3, args: { url: `${url}/x`, auth: { integration: "missing" } } },
      ]),
    );
    server.close();
    assert.deepEqual(recs.map((x) => x.status), ["successful", "successful", "successful", "failed"]);
    assert.deepEqual(got.map((g) => [g.method, g.url, g.auth]), [
      ["GET", "/pools/a100", "Bearer inline"],
      ["PUT", "/pools/a100", "Bearer from-config-secret"],
      ["DELETE", "/holds/7", `Basic ${Buffer.from("svc:pw").toString("base64")}`],
    ]);
    assert.equal(got[0]!.body, "", "GET sends no body");
    assert.deepEqual(JSON.parse(got[1]!.body), { size: 1 });
    assert.equal((recs[3]?.reason as { code: string }).code, "HB_ERR_ACTION_ARGS");
  });

  test("post sends JSON, honours expected status, never follows redirects", async () => {
    const got: { url?: string; body: string; ct?: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        got.push({ url: req.url ?? "", body, ct: req.headers["content-type"] });
        if (req.url === "/redirect") res.writeHead(302, { location: "/ok" }).end();
        else res.writeHead(req.url === "/fail" ? 500 : 201).end("done");
      });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
    const port = (server.address() as { port: number }).port;
    const { r } = runner();
    const recs = await r.run(
      intent([
        { name: "post", index: 0, args: { url: `http://127.0.0.1:${port}/ok`, body: { q: "{{ event.x }}" } } },
        { name: "post", index: 1, args: { url: `http://127.0.0.1:${port}/fail` } },
        { name: "post", index: 2, args: { url: `http://127.0.0.1:${port}/redirect` } },
        { name: "post", index: 3, args: { url: `http://127.0.0.1:${port}/fail`, expected_status: [500] } },
      ]),
    );
    server.close();
    assert.deepEqual(recs.map((x) => x.status), ["successful", "failed", "failed", "successful"]);
    assert.deepEqual(JSON.parse(got[0]!.body), { q: 1 }, "a lone {{ }} keeps its native type");
    assert.equal(got[0]!.ct, "application/json");
    assert.equal(got.filter((g) => g.url === "/ok").length, 1, "redirect not followed");
  });
});
