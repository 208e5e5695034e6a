// End to end: `hookbook serve` (the built binary) with a real nats-server, a local receiver,
// the Alertmanager fixture in, a signed webhook out, and the action run exactly once.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { verifyWebhook } from "../../src/outbound/signer.js";
import { fixtureBytes } from "../helpers/fixtures.js";
import { startTestNats } from "../helpers/nats.js";
import type { TestNats } from "../helpers/nats.js";
import { pickFreePort } from "../../src/bus/nats/server-process.js";

const repo = resolve(import.meta.dirname, "../..");
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const TOKEN = "am-fixture-bearer-token";

interface Received {
  headers: Record<string, string>;
  body: string;
  verified: boolean;
}

let nats: TestNats;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
let dir: string;
let child: ChildProcess;
let baseUrl: string;
let childLog = "";

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- hookbook log ---\n${childLog.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

before(async () => {
  assert.ok(existsSync(join(repo, "dist/cli/main.js")), "run `npm run build` (npm ci does) before the e2e test");
  nats = await startTestNats();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      received.push({ headers, body, verified: verifyWebhook(SECRET, headers, body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
  const addr = receiver.address();
  assert.ok(addr && typeof addr === "object");
  receiverUrl = `http://127.0.0.1:${addr.port}/hook`;

  dir = mkdtempSync(join(tmpdir(), "hookbook-e2e-"));
  const ranFile = join(dir, "ran.txt");
  writeFileSync(
    join(dir, "rulebook.yml"),
    `- name: gpu capacity
  hosts: all
  sources:
    - name: alertmanager
      hookbook.alertmanager: {}
  rules:
    - name: scale up on deep queue
      condition: event.alert.labels.alertname == "GPUJobQueueDepthHigh" and event.alert.status == "firing"
      actions:
        - run_command:
            command: ${JSON.stringify(process.execPath)}
            args: ["-e", "require('fs').appendFileSync(process.argv[1], process.argv[2] + '\\\\n')", ${JSON.stringify(ranFile)}, "{{ event.alert.labels.queue }}"]
`,
  );
  const port = await pickFreePort();
  writeFileSync(
    join(dir, "hookbook.yaml"),
    JSON.stringify({
      server: { host: "127.0.0.1", port },
      dataDir: join(dir, "data"),
      rulebooks: [join(dir, "rulebook.yml")],
      sources: [{ name: "alertmanager", kind: "alertmanager", auth: { type: "bearer", token: { env: "AM_TOKEN" } } }],
      outbound: { endpoints: [{ id: "receiver", url: receiverUrl, secret: { env: "RECEIVER_SECRET" }, events: ["action.*"] }], retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 } },
      log: { level: "info" },
    }),
  );
  baseUrl = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [join(repo, "bin/hookbook.js"), "serve", "--config", join(dir, "hookbook.yaml")], {
    cwd: dir,
    env: { ...process.env, NATS_URL: nats.url, AM_TOKEN: TOKEN, RECEIVER_SECRET: SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => (childLog += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (childLog += d.toString()));
  await waitFor("hookbook to listen", () => (childLog.includes("hookbook serving") ? true : undefined));
});

after(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  await new Promise<void>((r) => receiver?.close(() => r()));
  await nats?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function postFixture(body: Buffer, token = TOKEN): Promise<{ status: number; json: { accepted?: number; duplicates?: number; events?: { id: string; duplicate: boolean }[]; error?: { code: string } } }> {
  const res = await fetch(`${baseUrl}/hooks/alertmanager`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body,
  });
  return { status: res.status, json: (await res.json()) as never };
}

test("fixture in → action runs once per alert → signed webhooks out; a repeat post runs nothing new", async () => {
  const ranFile = join(dir, "ran.txt");
  const fixture = fixtureBytes("alertmanager/firing-queue-depth.json");

  const bad = await postFixture(fixture, "wrong-token");
  assert.equal(bad.status, 401);
  assert.equal(bad.json.error?.code, "HB_ERR_AUTH_INVALID");

  const first = await postFixture(fixture);
  assert.equal(first.status, 202);
  assert.equal(first.json.accepted, 2);
  assert.equal(first.json.events?.length, 2);

  const ran = await waitFor("both actions to run", () => (lines(ranFile).length >= 2 ? lines(ranFile) : undefined));
  assert.deepEqual([...ran].sort(), ["inference-h100", "training-a100"]);

  const succeeded = await waitFor("two action.succeeded webhooks", () => {
    const s = received.filter((r) => (JSON.parse(r.body) as { type: string }).type === "action.succeeded");
    return s.length >= 2 ? s : undefined;
  });
  for (const r of received) {
    assert.equal(r.verified, true, "every webhook signature verifies");
    assert.match(r.headers["webhook-id"] ?? "", /^msg_[A-Za-z0-9_-]+$/);
  }
  const body = JSON.parse(succeeded[0]!.body) as { id: string; type: string; timestamp: string; data: Record<string, unknown> };
  assert.equal(body.data.ruleset, "gpu capacity");
  assert.equal(body.data.rule, "scale up on deep queue");
  assert.equal(body.data.action, "run_command");
  assert.equal(typeof body.data.elapsed_ms, "number");
  assert.equal((body.data.event_ids as string[]).length, 1);

  // The same fixture again: stored once, so nothing new runs.
  const again = await postFixture(fixture);
  assert.equal(again.status, 202);
  assert.equal(again.json.duplicates, 2);
  assert.ok(again.json.events?.every((e) => e.duplicate));

  // Barrier: a new alert is processed after anything the repeat could have caused (in-order consumers).
  const fresh = JSON.parse(fixture.toString("utf8")) as { alerts: { fingerprint: string; labels: Record<string, string> }[] };
  fresh.alerts = [{ ...fresh.alerts[0]!, fingerprint: "00000000000000aa", labels: { ...fresh.alerts[0]!.labels, queue: "barrier-queue" } }];
  assert.equal((await postFixture(Buffer.from(JSON.stringify(fresh)))).status, 202);
  await waitFor("the barrier action", () => (lines(ranFile).includes("barrier-queue") ? true : undefined));
  await waitFor("the barrier webhook", () => (received.filter((r) => (JSON.parse(r.body) as { type: string }).type === "action.succeeded").length >= 3 ? true : undefined));

  assert.deepEqual(lines(ranFile).sort(), ["barrier-queue", "inference-h100", "training-a100"], "the repeated post ran nothing");
  const ids = received.map((r) => r.headers["webhook-id"]);
  assert.equal(new Set(ids).size, ids.length, "each outcome delivered once");
  assert.equal(received.filter((r) => (JSON.parse(r.body) as { type: string }).type === "action.started").length, 3);
});
