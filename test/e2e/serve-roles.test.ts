// Runners are separable: one `hookbook serve --roles ingest,engine` and one
// `--roles runner,delivery` sharing a real nats-server run the whole path between them.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { pickFreePort } from "../../src/bus/nats/server-process.js";
import { verifyWebhook } from "../../src/outbound/signer.js";
import { fixtureBytes } from "../helpers/fixtures.js";
import { startTestNats } from "../helpers/nats.js";
import type { TestNats } from "../helpers/nats.js";

const repo = resolve(import.meta.dirname, "../..");
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
let nats: TestNats;
let dir: string;
let receiver: Server;
const received: { headers: Record<string, string>; body: string }[] = [];
const procs: { child: ChildProcess; log: string }[] = [];

async function waitFor(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${procs.map((p) => p.log.slice(-2000)).join("\n---\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function serve(roles: string): { child: ChildProcess; log: string } {
  const p = { child: spawn(process.execPath, [join(repo, "bin/hookbook.js"), "serve", "--config", join(dir, "hookbook.yaml"), "--roles", roles], { cwd: dir, env: { ...process.env, NATS_URL: nats.url }, stdio: ["ignore", "pipe", "pipe"] }), log: "" };
  p.child.stdout?.on("data", (d: Buffer) => (p.log += d.toString()));
  p.child.stderr?.on("data", (d: Buffer) => (p.log += d.toString()));
  procs.push(p);
  return p;
}

before(async () => {
  nats = await startTestNats();
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
  dir = mkdtempSync(join(tmpdir(), "hookbook-roles-"));
  writeFileSync(
    join(dir, "rulebook.yml"),
    `- name: gpu capacity
  hosts: all
  sources: [{name: alertmanager, hookbook.alertmanager: {}}]
  rules:
    - name: deep queue
      condition: event.alert.labels.alertname == "GPUJobQueueDepthHigh"
      action:
        run_command:
          command: ${JSON.stringify(process.execPath)}
          args: ["-e", "require('fs').appendFileSync(process.argv[1], process.pid + ' ' + process.argv[2] + '\\\\n')", ${JSON.stringify(join(dir, "ran.txt"))}, "{{ event.alert.labels.queue }}"]
`,
  );
  writeFileSync(
    join(dir, "hookbook.yaml"),
    JSON.stringify({
      server: { host: "127.0.0.1", port: await pickFreePort() },
      dataDir: join(dir, "data"),
      rulebooks: [join(dir, "rulebook.yml")],
      outbound: { endpoints: [{ id: "rx", url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`, secret: SECRET, events: ["action.succeeded"] }], retry: { schedule: "short" } },
    }),
  );
});

after(async () => {
  for (const p of procs) {
    if (p.child.exitCode === null) {
      p.child.kill("SIGTERM");
      await new Promise((r) => p.child.once("exit", r));
    }
  }
  await new Promise<void>((r) => receiver?.close(() => r()));
  await nats?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("ingest+engine in one process, runner+delivery in another: the action runs and the webhook arrives", async () => {
  const front = serve("ingest,engine");
  await waitFor("front", () => front.log.includes("hookbook serving"));
  const url = /"url":"(http:[^"]+)"/.exec(front.log)?.[1];
  assert.ok(url, "the ingest process listens");
  const res = await fetch(`${url}/hooks/alertmanager`, { method: "POST", headers: { "content-type": "application/json" }, body: fixtureBytes("alertmanager/firing-queue-depth.json") });
  assert.equal(res.status, 202);
  await waitFor("the firings", () => (front.log.match(/rule fired/g) ?? []).length === 2);
  assert.equal(existsSync(join(dir, "ran.txt")), false, "no runner yet: the intents wait on HB_ACTIONS");

  const back = serve("runner,delivery");
  await waitFor("both actions", () => existsSync(join(dir, "ran.txt")) && readFileSync(join(dir, "ran.txt"), "utf8").trim().split("\n").length === 2);
  await waitFor("two webhooks", () => received.length === 2);
  for (const r of received) assert.equal(verifyWebhook(SECRET, r.headers, r.body), true);
  assert.ok(!/"url":"http/.test(back.log), "the runner process serves no HTTP");
  assert.equal((back.log.match(/rule fired/g) ?? []).length, 0, "the runner process runs no engine");
});
